#include "serve/version_cache.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "session/database.h"

namespace sluice::serve {
namespace {

// Returns options that prepare nothing in the background; versions of up to `max_rows` rows.
VersionCacheOptions Unprepared(size_t max_rows) {
  VersionCacheOptions options;
  options.max_rows = max_rows;
  options.prepare = false;
  return options;
}

// Records the versions the background thread has prepared.
class Prepared {
 public:
  VersionCacheOptions Options() {
    VersionCacheOptions options;
    options.on_prepared = [this](const std::string& name, const ServedVersion& served) {
      std::lock_guard lock(mutex_);
      versions_[name] = served.info().version;
      changed_.notify_all();
    };
    return options;
  }
  // Returns whether version `version` of `name` is prepared within 10 seconds.
  bool WaitFor(const std::string& name, int64_t version) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      auto found = versions_.find(name);
      return found != versions_.end() && found->second == version;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, int64_t> versions_;
};

// Returns the groups of `served` by `column` once built (waiting up to 10 seconds), or null.
std::shared_ptr<const ColumnGroups> WaitForGroups(const ServedVersion& served, size_t column) {
  for (int attempt = 0; attempt < 1000 && served.groups(column) == nullptr; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return served.groups(column);
}

class VersionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { database_ = session::Database::Open(folder_.path()); }
  void Sql(const std::string& sql) { session::Connection(*database_).Execute(sql); }

  TestFolder folder_;
  std::unique_ptr<session::Database> database_;
};

TEST_F(VersionCacheTest, FindsANewVersionOnlyAfterTheCatalogChanged) {
  Sql("CREATE TABLE t AS SELECT 1 AS v");
  VersionCache cache(*database_->store(), Unprepared(100));
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
  VersionCache cache(*database_->store(), Unprepared(100));
  auto served = cache.Get("t", std::nullopt);
  EXPECT_EQ(served->index(), nullptr);  // not before Prepare
  EXPECT_EQ(served->rows(), nullptr);
  served->Prepare();
  const KeyIndex* index = served->index();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->column, 1u);  // group_id repeats; amount has a NULL
  ASSERT_EQ(index->rows.count("b"), 1u);
  auto [batch, row] = index->rows.at("b");
  EXPECT_EQ((*served->rows())[batch].GetValue(0, row).ToString(), "1");
  auto small = VersionCache(*database_->store(), Unprepared(2)).Get("t", 1);
  small->Prepare();
  EXPECT_TRUE(small->prepared());
  EXPECT_EQ(small->index(), nullptr);  // more rows than an index may hold
  EXPECT_EQ(small->rows(), nullptr);
}

TEST_F(VersionCacheTest, HasNoIndexWithoutAUniqueColumn) {
  Sql("CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a'), (1, 'a')) AS x(k, s)");
  VersionCache cache(*database_->store(), Unprepared(100));
  auto served = cache.Get("t", std::nullopt);
  served->Prepare();
  EXPECT_EQ(served->index(), nullptr);
}

// The background thread indexes the latest version of each result when the cache starts and
// each new version when it is committed, before any request asks for it: no Get here.
TEST_F(VersionCacheTest, IndexesEachNewVersionBeforeAnyRequest) {
  Sql("CREATE TABLE t WITH (key = 'code') AS SELECT * FROM (VALUES ('a', 1), ('b', 2)) "
      "AS x(code, n)");
  Prepared prepared;
  VersionCache cache(*database_->store(), prepared.Options());
  ASSERT_TRUE(prepared.WaitFor("t", 1));
  std::shared_ptr<const ServedVersion> first = cache.Current("t");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(first->index(), nullptr);
  EXPECT_EQ(first->index()->rows.count("b"), 1u);
  Sql("CREATE OR REPLACE TABLE t WITH (key = 'code') AS SELECT * FROM (VALUES ('c', 3)) "
      "AS x(code, n)");
  ASSERT_TRUE(prepared.WaitFor("t", 2));
  std::shared_ptr<const ServedVersion> second = cache.Current("t");
  ASSERT_EQ(second->info().version, 2);
  ASSERT_NE(second->index(), nullptr);
  EXPECT_EQ(second->index()->rows.count("c"), 1u);
  EXPECT_EQ(cache.Get("t", std::nullopt), second);  // what requests get: the prepared one
  EXPECT_NE(first->index(), nullptr);  // a request still reading the old version keeps it
}

// Requests that filter with `eq` on a column get its groups; a new version is grouped by the
// same columns when it is prepared.
TEST_F(VersionCacheTest, GroupsRowsByAColumnAndKeepsGroupingNewVersions) {
  Sql("CREATE TABLE t AS WITH d AS (SELECT * FROM (VALUES (0), (1), (2), (3), (4), (5), (6), "
      "(7), (8), (9)) AS x(v)), n AS (SELECT a.v + 10 * b.v + 100 * c.v + 1000 * e.v AS i "
      "FROM d a, d b, d c, d e) SELECT i % 7 AS g, i FROM n");
  Prepared prepared;
  VersionCache cache(*database_->store(), prepared.Options());
  ASSERT_TRUE(prepared.WaitFor("t", 1));
  auto served = cache.Get("t", std::nullopt);
  EXPECT_EQ(served->groups(0), nullptr);
  cache.RequestGroups(served, 0);
  std::shared_ptr<const ColumnGroups> groups = WaitForGroups(*served, 0);
  ASSERT_NE(groups, nullptr);
  EXPECT_EQ(groups->ranges.size(), 7u);
  size_t threes = 0;
  ColumnGroups::Range range = groups->ranges.at("3");
  for (uint32_t b = range.begin; b < range.end; ++b) {
    const core::Batch& batch = groups->batches[b];
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      threes += batch.GetValue(0, row).ToString() == "3";
    }
  }
  EXPECT_EQ(threes, 1429u);  // every row of the value lies in its range
  Sql("CREATE OR REPLACE TABLE t AS SELECT * FROM (VALUES (0, 1), (1, 2), (2, 3), (0, 4)) "
      "AS x(g, i)");
  ASSERT_TRUE(prepared.WaitFor("t", 2));
  auto next = WaitForGroups(*cache.Current("t"), 0);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->ranges.size(), 3u);
}

TEST_F(VersionCacheTest, FlagsPersonalDataColumns) {
  Sql("CREATE TABLE p AS SELECT * FROM (VALUES (1, 'ann@example.com'), (2, 'bob@example.org')) "
      "AS x(id, email)");
  VersionCache cache(*database_->store());
  EXPECT_EQ(cache.Get("p", std::nullopt)->pii(), (std::vector<bool>{false, true}));
}

}  // namespace
}  // namespace sluice::serve
