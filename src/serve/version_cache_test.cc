#include "serve/version_cache.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "session/database.h"

namespace sluice::serve {
namespace {

class VersionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { database_ = session::Database::Open(folder_.path()); }
  void Sql(const std::string& sql) { session::Connection(*database_).Execute(sql); }

  TestFolder folder_;
  std::unique_ptr<session::Database> database_;
};

TEST_F(VersionCacheTest, FindsANewVersionOnlyAfterTheCatalogChanged) {
  Sql("CREATE TABLE t AS SELECT 1 AS v");
  VersionCache cache(*database_->store());
  auto first = cache.Get("t", std::nullopt);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->info().version, 1);
  EXPECT_EQ(cache.Get("t", std::nullopt), first);  // the same pin while nothing changed
  Sql("CREATE OR REPLACE TABLE t AS SELECT 2 AS v");
  EXPECT_EQ(cache.Get("t", std::nullopt)->info().version, 2);
  EXPECT_EQ(cache.Get("t", 1)->info().version, 1);
  // Another result's commit changes the catalog, not t: the pinned version (and its index) stay.
  auto second = cache.Get("t", std::nullopt);
  Sql("CREATE TABLE u AS SELECT 3 AS v");
  EXPECT_EQ(cache.Get("t", std::nullopt), second);
  EXPECT_EQ(cache.Get("u", std::nullopt)->info().version, 1);
  EXPECT_EQ(cache.Get("missing", std::nullopt), nullptr);
  EXPECT_THROW(cache.Get("t", 9), UserError);
}

TEST_F(VersionCacheTest, IndexesTheFirstUniqueColumnWithoutNulls) {
  Sql("CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a', 10), (1, 'b', NULL), (2, 'c', 30)) "
      "AS x(group_id, code, amount)");
  VersionCache cache(*database_->store());
  const KeyIndex* index = cache.Get("t", std::nullopt)->Index(100);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->column, 1u);  // group_id repeats; amount has a NULL
  ASSERT_EQ(index->rows.count("b"), 1u);
  auto [batch, row] = index->rows.at("b");
  EXPECT_EQ((*cache.Get("t", std::nullopt)->Rows(100))[batch].GetValue(0, row).ToString(), "1");
  EXPECT_EQ(cache.Get("t", 1)->Index(2), nullptr);  // more rows than an index may hold
}

TEST_F(VersionCacheTest, HasNoIndexWithoutAUniqueColumn) {
  Sql("CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a'), (1, 'a')) AS x(k, s)");
  VersionCache cache(*database_->store());
  EXPECT_EQ(cache.Get("t", std::nullopt)->Index(100), nullptr);
}

TEST_F(VersionCacheTest, FlagsPersonalDataColumns) {
  Sql("CREATE TABLE p AS SELECT * FROM (VALUES (1, 'ann@example.com'), (2, 'bob@example.org')) "
      "AS x(id, email)");
  VersionCache cache(*database_->store());
  EXPECT_EQ(cache.Get("p", std::nullopt)->pii(), (std::vector<bool>{false, true}));
}

}  // namespace
}  // namespace sluice::serve
