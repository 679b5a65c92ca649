#include "serve/pii_mask.h"

#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_folder.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::serve {
namespace {

using core::TypeId;
using core::Value;
using ::testing::ElementsAre;

catalog::DatasetColumn Column(const std::string& name, TypeId type, bool pii) {
  catalog::DatasetColumn column;
  column.profile.name = name;
  column.profile.type = type;
  column.semantics.pii = pii;
  column.semantics.pii_reason = pii ? "email address" : "";
  return column;
}

class PiiColumnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = catalog::CatalogDb::Open(folder_.Path("catalog.db"));
    catalog::DatasetRecord record;
    record.name = "people";
    record.kind = "result";
    record.version = 1;
    catalog_->PutDataset(
        record, {Column("id", TypeId::kBigint, false), Column("Email", TypeId::kVarchar, true),
                 Column("birth", TypeId::kDate, true)});
  }

  TestFolder folder_;
  std::unique_ptr<catalog::CatalogDb> catalog_;
};

TEST_F(PiiColumnsTest, FlagsTheColumnsTheCatalogCallsPersonal) {
  core::Schema schema({{"birth", TypeId::kDate},
                       {"id", TypeId::kBigint},
                       {"email", TypeId::kVarchar},
                       {"computed", TypeId::kDouble}});
  EXPECT_THAT(PiiColumns(*catalog_, "people", schema), ElementsAre(true, false, true, false));
}

TEST_F(PiiColumnsTest, MasksNothingOfAnUnknownResult) {
  core::Schema schema({{"email", TypeId::kVarchar}});
  EXPECT_THAT(PiiColumns(*catalog_, "nobody", schema), ElementsAre(false));
}

TEST(PiiColumnsWorkspaceTest, FlagsEmailsOfACommittedResult) {
  TestFolder folder;
  auto database = session::Database::Open(folder.path());
  session::Connection(*database).Execute(
      "CREATE TABLE contacts AS SELECT * FROM (VALUES (1, 'ana@example.com'), "
      "(2, 'bo@example.org'), (3, 'cy@example.net')) AS t(id, email)");
  core::Schema schema({{"id", TypeId::kInteger}, {"email", TypeId::kVarchar}});
  EXPECT_THAT(PiiColumns(database->store()->catalog(), "contacts", schema),
              ElementsAre(false, true));
}

core::Batch People() {
  auto schema = std::make_shared<core::Schema>(std::vector<core::Field>{
      {"id", TypeId::kBigint}, {"email", TypeId::kVarchar}, {"born", TypeId::kDate}});
  core::Batch batch(schema, 4);
  batch.AppendRow({Value::Bigint(1), Value::Varchar("ana@example.com"), Value::Date(100)});
  batch.AppendRow({Value::Bigint(2), Value::Null(TypeId::kVarchar), Value::Date(200)});
  batch.AppendRow(
      {Value::Bigint(3), Value::Varchar("a-long-address@example.com"), Value::Null(TypeId::kDate)});
  return batch;
}

TEST(MaskColumnsTest, ReplacesMaskedValuesOnly) {
  core::Batch batch = People();
  core::Batch masked = MaskColumns(batch, {false, true, true});
  EXPECT_EQ(masked.ToString(), "1|***|NULL\n2|NULL|NULL\n3|***|NULL\n");
  EXPECT_EQ(masked.schema(), batch.schema());
  // The input is not changed.
  EXPECT_EQ(batch.ToString(),
            "1|ana@example.com|1970-04-11\n2|NULL|1970-07-20\n3|a-long-address@example.com|NULL\n");
}

TEST(MaskColumnsTest, KeepsTheSelection) {
  core::Batch batch = People();
  batch.SetSelection({2, 0});
  core::Batch masked = MaskColumns(batch, {false, true, false});
  EXPECT_EQ(masked.num_rows(), 2u);
  EXPECT_EQ(masked.ToString(), "3|***|NULL\n1|***|1970-04-11\n");
}

TEST(MaskColumnsTest, ChangesNothingWhenNothingIsMasked) {
  core::Batch batch = People();
  EXPECT_EQ(MaskColumns(batch, {false, false, false}).ToString(), batch.ToString());
}

}  // namespace
}  // namespace sluice::serve
