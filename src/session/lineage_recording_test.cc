#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/test_folder.h"
#include "catalog/catalog_db.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

// Is a workspace with two results, `flights` and `airports`, at version 1.
class LineageRecordingTest : public ::testing::Test {
 protected:
  LineageRecordingTest() : database_(Database::Open(folder_.path())), connection_(*database_) {
    connection_.Execute(
        "CREATE TABLE flights AS SELECT * FROM (VALUES (1, 'ams', 5), (2, 'cdg', 7)) "
        "AS v(id, origin, delay)");
    connection_.Execute("CREATE TABLE airports AS SELECT 'ams' AS code, 'Schiphol' AS name");
  }

  // Returns the edges into `name` as `from.column@version>to.column@version#run`, sorted.
  std::vector<std::string> EdgesInto(const std::string& name) {
    std::vector<std::string> edges;
    for (const auto& e : database_->store()->catalog().Lineage(name)) {
      if (e.to_dataset != name) continue;
      edges.push_back(e.from_dataset + "." + e.from_column + "@" + std::to_string(e.from_version) +
                      ">" + e.to_dataset + "." + e.to_column + "@" + std::to_string(e.to_version) +
                      "#" + std::to_string(e.run_id));
    }
    return edges;
  }

  TestFolder folder_;
  std::unique_ptr<Database> database_;
  Connection connection_;
};

TEST_F(LineageRecordingTest, CreateTableAsRecordsDatasetAndColumnEdgesWithVersionsAndRun) {
  connection_.set_run_id(7);
  connection_.Execute(
      "CREATE TABLE delays AS SELECT name, avg(delay) AS avg_delay FROM flights JOIN airports "
      "ON origin = code WHERE id > 0 GROUP BY name");
  EXPECT_EQ(EdgesInto("delays"),
            (std::vector<std::string>{"airports.@1>delays.@1#7", "flights.@1>delays.@1#7",
                                      "flights.delay@1>delays.avg_delay@1#7",
                                      "airports.name@1>delays.name@1#7"}));
  EXPECT_TRUE(EdgesInto("flights").empty());
  EXPECT_EQ(connection_
                .Execute("SELECT from_dataset, from_version, run_id FROM sluice.lineage WHERE "
                         "to_dataset = 'delays' AND to_column IS NULL ORDER BY 1")
                .ToString(),
            "airports|1|7\nflights|1|7\n");
}

TEST_F(LineageRecordingTest, VersionsReadAreRecordedAndReplacingRecordsAnew) {
  connection_.Execute("CREATE OR REPLACE TABLE flights AS SELECT 3 AS id, 'ams' AS origin");
  connection_.Execute("CREATE TABLE old AS SELECT delay FROM flights FOR VERSION AS OF 1");
  EXPECT_EQ(EdgesInto("old"),
            (std::vector<std::string>{"flights.@1>old.@1#0", "flights.delay@1>old.delay@1#0"}));
  connection_.Execute("CREATE OR REPLACE TABLE old AS SELECT id FROM flights");
  EXPECT_EQ(EdgesInto("old"),
            (std::vector<std::string>{"flights.@1>old.@1#0", "flights.delay@1>old.delay@1#0",
                                      "flights.@2>old.@2#0", "flights.id@2>old.id@2#0"}));
}

TEST_F(LineageRecordingTest, TemporaryTablesAndViewsAreReadThrough) {
  connection_.Execute("CREATE TEMP TABLE doubled AS SELECT id, delay * 2 AS d FROM flights");
  connection_.Execute("CREATE VIEW late AS SELECT d FROM doubled WHERE d > 10");
  connection_.Execute("CREATE TEMP TABLE listed (code VARCHAR)");
  connection_.Execute("INSERT INTO listed SELECT code FROM airports");
  connection_.Execute("CREATE TABLE report AS SELECT d, code FROM late, listed");
  EXPECT_EQ(EdgesInto("report"),
            (std::vector<std::string>{"airports.@1>report.@1#0", "flights.@1>report.@1#0",
                                      "airports.code@1>report.code@1#0",
                                      "flights.delay@1>report.d@1#0"}));
}

TEST_F(LineageRecordingTest, InsertRecordsItsLineageAndKeepsThePreviousVersions) {
  connection_.Execute("CREATE TABLE log (place VARCHAR, minutes BIGINT)");
  connection_.Execute("INSERT INTO log (minutes, place) SELECT delay, origin FROM flights");
  EXPECT_EQ(EdgesInto("log"),
            (std::vector<std::string>{"flights.@1>log.@2#0", "flights.delay@1>log.minutes@2#0",
                                      "flights.origin@1>log.place@2#0"}));
  connection_.set_run_id(3);
  connection_.Execute("INSERT INTO log SELECT name, NULL FROM airports");
  std::vector<std::string> edges = EdgesInto("log");
  std::vector<std::string> third(edges.begin() + 3, edges.end());
  EXPECT_EQ(third,
            (std::vector<std::string>{
                "airports.@1>log.@3#3", "flights.@1>log.@3#0", "flights.delay@1>log.minutes@3#0",
                "airports.name@1>log.place@3#3", "flights.origin@1>log.place@3#0"}));
}

TEST_F(LineageRecordingTest, AChainOfResultsLeadsBackToTheFileAtItsStart) {
  folder_.Write("raw.csv", "x,y\n1,2\n");
  std::string file = folder_.Path("raw.csv");
  connection_.Execute("CREATE TABLE a AS SELECT x + y AS s FROM '" + file + "'");
  connection_.Execute("CREATE TABLE b AS SELECT s FROM a");
  connection_.Execute("CREATE TABLE c AS SELECT s * 2 AS t FROM b");
  std::set<std::string> upstream;
  std::vector<std::string> pending = {"c"};
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    for (const auto& edge : database_->store()->catalog().Lineage(name)) {
      if (edge.to_dataset == name && upstream.insert(edge.from_dataset).second) {
        pending.push_back(edge.from_dataset);
      }
    }
  }
  EXPECT_EQ(upstream, (std::set<std::string>{"a", "b", file}));
  EXPECT_EQ(EdgesInto("a"), (std::vector<std::string>{file + ".@0>a.@1#0", file + ".x@0>a.s@1#0",
                                                      file + ".y@0>a.s@1#0"}));
}

}  // namespace
}  // namespace sluice::session
