#include "core/batch.h"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

SchemaPtr TwoColumns() {
  return std::make_shared<Schema>(
      std::vector<Field>{{"origin", TypeId::kVarchar}, {"delay", TypeId::kBigint}});
}

TEST(BatchTest, AppendsAndPrintsRows) {
  Batch batch(TwoColumns(), 8);
  batch.AppendRow({Value::Varchar("LAX"), Value::Bigint(-19)});
  batch.AppendRow({Value::Varchar("SJC"), Value::Null(TypeId::kBigint)});
  EXPECT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(batch.ToString(), "LAX|-19\nSJC|NULL\n");
}

TEST(BatchTest, SelectionPicksRows) {
  Batch batch(TwoColumns(), 8);
  for (int i = 0; i < 5; ++i) batch.AppendRow({Value::Varchar("X"), Value::Bigint(i)});
  batch.SetSelection({1, 4});
  EXPECT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(batch.num_physical_rows(), 5u);
  EXPECT_EQ(batch.GetValue(1, 1), Value::Bigint(4));
}

TEST(SchemaTest, FindsFieldsExactlyThenIgnoringCase) {
  Schema schema(
      {{"Delay", TypeId::kBigint}, {"delay", TypeId::kDouble}, {"Origin", TypeId::kVarchar}});
  EXPECT_EQ(schema.FindField("delay"), 1u);
  EXPECT_EQ(schema.FindField("ORIGIN"), 2u);
  EXPECT_FALSE(schema.FindField("missing").has_value());
  EXPECT_EQ(schema.ToString(), "Delay BIGINT, delay DOUBLE, Origin VARCHAR");
}

TEST(TypesTest, NamesAndAliases) {
  EXPECT_EQ(TypeName(TypeId::kTimestamp), "TIMESTAMP");
  EXPECT_EQ(TypeFromName("int8"), TypeId::kBigint);
  EXPECT_EQ(TypeFromName("Text"), TypeId::kVarchar);
  EXPECT_EQ(TypeFromName("double precision"), TypeId::kDouble);
  EXPECT_FALSE(TypeFromName("blob").has_value());
}

}  // namespace
}  // namespace sluice::core
