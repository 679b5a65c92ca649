#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

TEST(WorkspaceTablesTest, StoredTablesOutliveTheDatabaseAndTempTablesDoNot) {
  TestFolder folder;
  {
    auto database = Database::Open(folder.path());
    Connection connection(*database);
    connection.Execute("CREATE TABLE kept AS SELECT 1 AS x; CREATE TEMP TABLE gone AS SELECT 2");
    EXPECT_NE(database->store(), nullptr);
  }
  auto database = Database::Open(folder.path());
  Connection connection(*database);
  EXPECT_EQ(connection.Execute("SELECT x FROM kept").ToString(), "1\n");
  EXPECT_THROW(connection.Execute("SELECT * FROM gone"), UserError);
  EXPECT_EQ(Database().store(), nullptr);
}

TEST(WorkspaceTablesTest, ExplainShowsTheVersionAQueryReads) {
  TestFolder folder;
  auto database = Database::Open(folder.path());
  Connection connection(*database);
  connection.Execute("CREATE TABLE t AS SELECT 1 AS x; INSERT INTO t VALUES (2)");
  std::string plan = connection.Execute("EXPLAIN SELECT * FROM t FOR VERSION AS OF 1").ToString();
  EXPECT_NE(plan.find("SCAN_RESULT [t version 1 (1 parts)]"), std::string::npos) << plan;
  plan = connection.Execute("EXPLAIN SELECT * FROM t").ToString();
  EXPECT_NE(plan.find("t version 2 (2 parts)"), std::string::npos) << plan;
}

// A reader never sees a mix of versions or a failed read while another connection replaces the
// table as fast as it can, with only one version retained. (Pinning itself is tested
// deterministically in store/result_store_test.cc.)
TEST(WorkspaceTablesTest, ReadersSeeWholeVersionsWhileAWriterReplaces) {
  TestFolder folder;
  auto database = Database::Open(folder.path());
  Connection setup(*database);
  setup.Execute("SET retention_versions = 1");
  setup.Execute(
      "CREATE TABLE t AS SELECT 0 AS v FROM (VALUES (1), (2), (3)) a(x), "
      "(VALUES (1), (2), (3), (4)) b(y)");
  std::atomic<bool> done = false;
  std::thread writer([&] {
    Connection connection(*database);
    for (int i = 1; i <= 30; ++i) {
      connection.Execute(fmt::format(
          "CREATE OR REPLACE TABLE t AS SELECT {} AS v FROM (VALUES (1), (2), (3)) a(x), "
          "(VALUES (1), (2), (3), (4)) b(y)",
          i));
    }
    done = true;
  });
  Connection reader(*database);
  int reads = 0;
  while (!done || reads == 0) {
    QueryResult result = reader.Execute("SELECT count(*), min(v) = max(v) FROM t");
    ASSERT_EQ(result.ToString(), "12|true\n");
    ++reads;
  }
  writer.join();
  // A version a read had pinned during the last commit is collected by the next one.
  setup.Execute("CREATE OR REPLACE TABLE t AS SELECT 31 AS v");
  EXPECT_EQ(database->store()->catalog().Versions("t"), (std::vector<int64_t>{32}));
}

TEST(WorkspaceTablesTest, SourceDefinitionsPersistInTheWorkspaceCatalog) {
  TestFolder folder;
  {
    auto database = Database::Open(folder.path());
    database->store()->catalog().RecordSource("pg", "source", "CREATE SOURCE pg FROM 'x'");
  }
  auto database = Database::Open(folder.path());
  auto sources = database->store()->catalog().Sources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].sql, "CREATE SOURCE pg FROM 'x'");
}

}  // namespace
}  // namespace sluice::session
