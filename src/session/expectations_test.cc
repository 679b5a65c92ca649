#include "session/expectations.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "catalog/catalog_db.h"
#include "session/database.h"
#include "sql/parse_error.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

using ::testing::HasSubstr;

// Six flights: one without an origin, one with n = 0, one with a NULL n.
constexpr const char* kFlights =
    "SELECT * FROM (VALUES (1, 'LAX', 3, 100), (2, NULL, 5, 200), (3, 'SFO', 0, 700),"
    " (4, 'JFK', NULL, 50), (5, 'SEA', 2, 300), (6, 'LAX', 1, 900)) v(id, origin, n, avg_delay)";

std::string Status(const QueryResult& result) { return result.ToString(); }

std::string UserErrorOf(Connection& connection, const std::string& sql) {
  try {
    connection.Execute(sql);
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for: " << sql;
  return "";
}

class ExpectationsTest : public ::testing::Test {
 protected:
  std::string Query(const std::string& sql) { return connection_.Execute(sql).ToString(); }

  Database database_;
  Connection connection_{database_};
};

TEST_F(ExpectationsTest, WarnKeepsEveryRowAndCountsNullAsAViolation) {
  EXPECT_EQ(
      Status(connection_.Execute(
          std::string("CREATE TABLE t (CONSTRAINT positive_n EXPECT (n > 0)) AS ") + kFlights)),
      "CREATE TABLE (expectation positive_n: 2 violations)\n");
  EXPECT_EQ(Query("SELECT count(*) FROM t"), "6\n");
}

TEST_F(ExpectationsTest, DropRowRemovesViolatingAndNullRows) {
  EXPECT_EQ(Status(connection_.Execute(
                std::string("CREATE TABLE t (CONSTRAINT positive_n EXPECT (n > 0) ON VIOLATION "
                            "DROP ROW) AS ") +
                kFlights)),
            "CREATE TABLE (expectation positive_n: 2 rows dropped)\n");
  EXPECT_EQ(Query("SELECT id FROM t ORDER BY id"), "1\n2\n5\n6\n");
}

TEST_F(ExpectationsTest, FailThrowsNamingTableExpectationCountAndLine) {
  std::string error =
      UserErrorOf(connection_, std::string("SELECT 1;\nCREATE TABLE t (\n  CONSTRAINT sane_delay "
                                           "EXPECT (avg_delay < 600) ON VIOLATION FAIL) AS ") +
                                   kFlights);
  EXPECT_EQ(error,
            "expectation \"sane_delay\" of table \"t\" failed: 2 of 6 rows violate (avg_delay < "
            "600) (statement at line 2); nothing was committed");
  EXPECT_EQ(database_.FindTable("t"), nullptr);
}

TEST_F(ExpectationsTest, PassingExpectationsSaySo) {
  EXPECT_EQ(Status(connection_.Execute(
                std::string("CREATE TABLE t (CONSTRAINT a EXPECT (id > 0) ON VIOLATION FAIL, "
                            "CONSTRAINT b EXPECT (id < 10)) AS ") +
                kFlights)),
            "CREATE TABLE (2 expectations met)\n");
}

// Every expectation counts over all input rows; the rows kept pass every DROP ROW one.
TEST_F(ExpectationsTest, SeveralExpectationsCountOverTheInputAndDropTogether) {
  EXPECT_EQ(Status(connection_.Execute(
                std::string("CREATE TABLE t (\n"
                            "CONSTRAINT known_origin EXPECT (origin IS NOT NULL) ON VIOLATION "
                            "DROP ROW,\n"
                            "CONSTRAINT positive_n EXPECT (n > 0) ON VIOLATION DROP ROW,\n"
                            "CONSTRAINT far EXPECT (avg_delay >= 200),\n"
                            "CONSTRAINT small EXPECT (id < 100) ON VIOLATION FAIL) AS ") +
                kFlights)),
            "CREATE TABLE (expectation known_origin: 1 row dropped, expectation positive_n: 2 "
            "rows dropped, expectation far: 2 violations)\n");
  EXPECT_EQ(Query("SELECT id FROM t ORDER BY id"), "1\n5\n6\n");
}

TEST_F(ExpectationsTest, DropsRowsAcrossManyBatches) {
  connection_.Execute(
      "CREATE TABLE digits AS SELECT * FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), "
      "(9)) v(d)");
  EXPECT_EQ(Status(connection_.Execute(
                "CREATE TABLE big (CONSTRAINT odd EXPECT (id % 2 = 1) ON VIOLATION DROP ROW, "
                "CONSTRAINT low EXPECT (id < 9000)) AS SELECT a.d * 1000 + b.d * 100 + c.d * 10 + "
                "e.d AS id FROM digits a, digits b, digits c, digits e")),
            "CREATE TABLE (expectation odd: 5000 rows dropped, expectation low: 1000 "
            "violations)\n");
  EXPECT_EQ(Query("SELECT count(*), sum(id % 2), min(id), max(id) FROM big"), "5000|5000|1|9999\n");
}

TEST_F(ExpectationsTest, BindsQualifiedNamesAndSubqueries) {
  connection_.Execute("CREATE TABLE limits AS SELECT 650 AS most");
  EXPECT_EQ(Status(connection_.Execute(
                std::string("CREATE TABLE t (CONSTRAINT capped EXPECT (t.avg_delay < (SELECT most "
                            "FROM limits)) ON VIOLATION DROP ROW) AS ") +
                kFlights)),
            "CREATE TABLE (expectation capped: 2 rows dropped)\n");
  EXPECT_EQ(Query("SELECT count(*) FROM t"), "4\n");
}

TEST_F(ExpectationsTest, UnknownColumnNamesTheExpectationAndLocation) {
  std::string error = UserErrorOf(
      connection_, std::string("CREATE TABLE t (\n  CONSTRAINT known EXPECT (orgin IS NOT NULL)) "
                               "AS ") +
                       kFlights);
  EXPECT_EQ(error,
            "expectation \"known\" (line 2, column 3): column \"orgin\" does not exist at line 2, "
            "column 28; did you mean \"origin\"?");
  EXPECT_EQ(database_.FindTable("t"), nullptr);
}

TEST_F(ExpectationsTest, ConditionsMustBeBoolean) {
  EXPECT_THAT(
      UserErrorOf(connection_, "CREATE TABLE t (CONSTRAINT c EXPECT (n + 1)) AS SELECT 1 AS n"),
      HasSubstr("expectation \"c\" must be a boolean condition, not INTEGER"));
  EXPECT_EQ(Status(connection_.Execute(
                "CREATE TABLE t (CONSTRAINT c EXPECT (NULL) ON VIOLATION DROP ROW) AS SELECT 1")),
            "CREATE TABLE (expectation c: 1 row dropped)\n");
  EXPECT_EQ(Query("SELECT count(*) FROM t"), "0\n");
}

TEST_F(ExpectationsTest, ParseErrorsAreLocated) {
  EXPECT_THROW(
      connection_.Execute("CREATE TABLE t (CONSTRAINT c EXPECT (x > 0), CONSTRAINT c EXPECT (x < "
                          "1)) AS SELECT 1 AS x"),
      sql::ParseError);
  EXPECT_THAT(UserErrorOf(connection_, "CREATE TABLE t (CONSTRAINT c EXPECT (x > 0))"),
              HasSubstr("expected AS"));
  EXPECT_THAT(
      UserErrorOf(connection_, "CREATE TABLE t (x INT, CONSTRAINT c EXPECT (x > 0)) AS SELECT 1"),
      HasSubstr("column definitions cannot be combined with expectations"));
}

TEST(ExpectationReportTest, SummarizesWhatHappened) {
  ExpectationReport report;
  EXPECT_EQ(report.Summary(), "");
  report.results.push_back({"a", "(x > 0)", "warn", 10, 0, "", 0});
  EXPECT_EQ(report.Summary(), " (1 expectation met)");
  report.results.push_back({"b", "(y > 0)", "drop_row", 10, 1, "", 0});
  EXPECT_EQ(report.Summary(), " (expectation b: 1 row dropped)");
}

TEST(WorkspaceExpectationsTest, RecordsCountsPerVersion) {
  TestFolder folder;
  auto database = Database::Open(folder.path());
  Connection connection(*database);
  EXPECT_EQ(Status(connection.Execute(
                std::string("CREATE TABLE t (CONSTRAINT known_origin EXPECT (origin IS NOT NULL) "
                            "ON VIOLATION DROP ROW, CONSTRAINT positive_n EXPECT (n > 0)) AS ") +
                kFlights)),
            "CREATE TABLE t version 1 (expectation known_origin: 1 row dropped, expectation "
            "positive_n: 2 violations)\n");
  connection.Execute(
      "CREATE OR REPLACE TABLE t (CONSTRAINT positive_n EXPECT (n > 0) ON VIOLATION DROP ROW) AS "
      "SELECT * FROM t");
  EXPECT_EQ(connection.Execute("SELECT id FROM t ORDER BY id").ToString(), "1\n5\n6\n");

  catalog::CatalogDb& catalog = database->store()->catalog();
  std::vector<catalog::ExpectationResult> first = catalog.Expectations("t", 1);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].name, "known_origin");
  EXPECT_EQ(first[0].expression, "(origin IS NOT NULL)");
  EXPECT_EQ(first[0].action, "drop_row");
  EXPECT_EQ(first[0].rows_checked, 6);
  EXPECT_EQ(first[0].violations, 1);
  EXPECT_EQ(first[1].name, "positive_n");
  EXPECT_EQ(first[1].action, "warn");
  EXPECT_EQ(first[1].violations, 2);
  std::vector<catalog::ExpectationResult> second = catalog.Expectations("t", 2);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].rows_checked, 5);
  EXPECT_EQ(second[0].violations, 2);
  EXPECT_EQ(second[0].action, "drop_row");

  EXPECT_EQ(
      connection
          .Execute("SELECT dataset, version, name, action, rows_checked, violations FROM "
                   "sluice.expectations ORDER BY version, name")
          .ToString(),
      "t|1|known_origin|drop_row|6|1\nt|1|positive_n|warn|6|2\nt|2|positive_n|drop_row|5|2\n");
}

TEST(WorkspaceExpectationsTest, FailKeepsThePreviousVersionAndCommitsNothing) {
  TestFolder folder;
  auto database = Database::Open(folder.path());
  Connection connection(*database);
  connection.Execute(std::string("CREATE TABLE t AS ") + kFlights);
  EXPECT_THAT(UserErrorOf(connection,
                          "CREATE OR REPLACE TABLE t (CONSTRAINT sane EXPECT "
                          "(avg_delay < 600) ON VIOLATION FAIL) AS SELECT * FROM t"),
              HasSubstr("expectation \"sane\" of table \"t\" failed: 2 of 6 rows violate"));
  catalog::CatalogDb& catalog = database->store()->catalog();
  EXPECT_EQ(catalog.Versions("t"), (std::vector<int64_t>{1}));
  EXPECT_TRUE(catalog.Expectations("t").empty());
  EXPECT_EQ(connection.Execute("SELECT count(*) FROM t").ToString(), "6\n");
  // A new result that fails is not created at all.
  EXPECT_THROW(connection.Execute("CREATE TABLE u (CONSTRAINT never EXPECT (false) ON VIOLATION "
                                  "FAIL) AS SELECT 1 AS x"),
               UserError);
  EXPECT_EQ(database->store()->Pin("u"), nullptr);
}

TEST(WorkspaceExpectationsTest, TempTablesApplyExpectationsButRecordNothing) {
  TestFolder folder;
  auto database = Database::Open(folder.path());
  Connection connection(*database);
  EXPECT_EQ(Status(connection.Execute(
                std::string("CREATE TEMP TABLE t (CONSTRAINT positive_n EXPECT (n > 0) ON "
                            "VIOLATION DROP ROW) AS ") +
                kFlights)),
            "CREATE TABLE (expectation positive_n: 2 rows dropped)\n");
  EXPECT_EQ(connection.Execute("SELECT count(*) FROM t").ToString(), "4\n");
  EXPECT_TRUE(database->store()->catalog().Expectations("t").empty());
  EXPECT_EQ(connection.Execute("SELECT count(*) FROM sluice.expectations").ToString(), "0\n");
}

}  // namespace
}  // namespace sluice::session
