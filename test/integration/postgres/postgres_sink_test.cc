// PostgreSQL sinks against a real server: the three modes, one transaction, errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "fixture.h"
#include "session/database.h"

namespace sluice {
namespace {

using testing::SharedPostgres;

class PostgresSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SharedPostgres().Execute("DROP TABLE IF EXISTS out, strict_out");
    connection_.Execute(
        "CREATE TABLE delays (origin VARCHAR, n BIGINT, avg_delay DOUBLE, ok BOOLEAN, "
        "day DATE, at TIMESTAMP);"
        "INSERT INTO delays VALUES ('LAX', 3, 10.5, true, DATE '2024-01-02', "
        "TIMESTAMP '2024-01-02 03:04:05.5'), ('SFO', 1, NULL, false, NULL, NULL), "
        "('tab\tand\\back', 2, -1, NULL, DATE '1999-12-31', TIMESTAMP '1970-01-01 00:00:00')");
  }
  std::string Sink(const std::string& name, const std::string& from, const std::string& with) {
    return connection_
        .Execute("CREATE OR REPLACE SINK " + name + " FROM " + from + " INTO '" +
                 SharedPostgres().Url() + "' WITH (" + with + ")")
        .ToString();
  }
  std::string ErrorOf(const std::string& sql) {
    try {
      connection_.Execute(sql);
    } catch (const Error& error) {
      return error.what();
    }
    return "no error";
  }

  session::Database database_;
  session::Connection connection_{database_};
};

TEST_F(PostgresSinkTest, ReplaceCreatesTheTableWithMappedTypes) {
  EXPECT_EQ(Sink("s", "delays", "table = 'out'"), "CREATE SINK 3\n");
  EXPECT_EQ(SharedPostgres().Query("SELECT column_name, data_type FROM information_schema.columns "
                                   "WHERE table_name = 'out' ORDER BY ordinal_position"),
            "origin|text\nn|bigint\navg_delay|double precision\nok|boolean\nday|date\n"
            "at|timestamp without time zone\n");
  EXPECT_EQ(SharedPostgres().Query("SELECT * FROM out ORDER BY n"),
            "SFO|1|NULL|f|NULL|NULL\n"
            "tab\tand\\back|2|-1|NULL|1999-12-31|1970-01-01 00:00:00\n"
            "LAX|3|10.5|t|2024-01-02|2024-01-02 03:04:05.5\n");
  // Replace again: the table keeps its definition, its rows are the new ones.
  EXPECT_EQ(Sink("s", "(SELECT origin, n FROM delays WHERE n > 1)", "table = 'out'"),
            "CREATE SINK 2\n");
  EXPECT_EQ(SharedPostgres().Query("SELECT origin, n, avg_delay FROM out ORDER BY n"),
            "tab\tand\\back|2|NULL\nLAX|3|NULL\n");
  // A round trip through a source reads back what was written.
  EXPECT_EQ(connection_
                .Execute("SELECT n, origin FROM postgres_scan('" + SharedPostgres().Url() +
                         "', 'out') ORDER BY n")
                .ToString(),
            "2|tab\tand\\back\n3|LAX\n");
}

TEST_F(PostgresSinkTest, AppendsAndUpserts) {
  SharedPostgres().Execute(
      "CREATE TABLE out (origin text PRIMARY KEY, n bigint, avg_delay float8, extra text "
      "DEFAULT 'kept')");
  EXPECT_EQ(
      Sink("a", "(SELECT origin, n FROM delays WHERE n < 3)", "table = 'out', mode = 'append'"),
      "CREATE SINK 2\n");
  EXPECT_EQ(Sink("u", "(SELECT origin, n * 10 AS n, avg_delay FROM delays)",
                 "table = 'public.out', mode = 'upsert', key = 'origin'"),
            "CREATE SINK 3\n");
  EXPECT_EQ(SharedPostgres().Query("SELECT * FROM out ORDER BY n"),
            "SFO|10|NULL|kept\ntab\tand\\back|20|-1|kept\nLAX|30|10.5|kept\n");
  EXPECT_EQ(connection_.Execute("SHOW SINKS").ToString(),
            "a|(SELECT origin, n FROM delays WHERE (n < 3))|" + SharedPostgres().Url() +
                "|out|append||2\n"
                "u|(SELECT origin, (n * 10) AS n, avg_delay FROM delays)|" +
                SharedPostgres().Url() + "|public.out|upsert|origin|3\n");
  connection_.Execute("DROP SINK a");
  EXPECT_EQ(connection_.Execute("SHOW SINKS").ToString().substr(0, 2), "u|");
}

TEST_F(PostgresSinkTest, AFailedExportLeavesTheTargetAsItWas) {
  SharedPostgres().Execute(
      "CREATE TABLE strict_out (origin text, n bigint CHECK (n < 3));"
      "INSERT INTO strict_out VALUES ('before', 0)");
  // The third row breaks the CHECK constraint: nothing of the export may stay.
  for (const char* mode : {"append", "replace"}) {
    std::string error = ErrorOf(
        "CREATE SINK s FROM (SELECT origin, n FROM delays ORDER BY n) "
        "INTO '" +
        SharedPostgres().Url() + "' WITH (table = 'strict_out', mode = '" + mode + "')");
    EXPECT_THAT(error, ::testing::HasSubstr("violates check constraint")) << mode;
    EXPECT_EQ(SharedPostgres().Query("SELECT * FROM strict_out"), "before|0\n") << mode;
  }
  EXPECT_EQ(connection_.Execute("SHOW SINKS").ToString(), "");
  // A sink of a missing table creates nothing.
  EXPECT_THAT(ErrorOf("CREATE SINK s FROM nope INTO '" + SharedPostgres().Url() +
                      "' WITH (table = 'never')"),
              ::testing::StartsWith("table \"nope\" does not exist"));
  EXPECT_EQ(SharedPostgres().Query("SELECT to_regclass('never') IS NULL"), "t\n");
}

TEST_F(PostgresSinkTest, ReportsBadOptions) {
  std::string into = " INTO '" + SharedPostgres().Url() + "' WITH ";
  EXPECT_EQ(ErrorOf("CREATE SINK s FROM delays" + into + "(table = 'out', mode = 'upsert')"),
            "mode 'upsert' needs the option key = 'column[, column…]' naming the columns that "
            "identify a row");
  EXPECT_THAT(ErrorOf("CREATE SINK s FROM delays" + into +
                      "(table = 'out', mode = 'upsert', key = 'nope')"),
              ::testing::StartsWith("key column \"nope\" is not a column of the rows written"));
  EXPECT_EQ(ErrorOf("CREATE SINK s FROM delays" + into + "(table = 'out', mode = 'merge')"),
            "sink mode must be 'replace', 'append' or 'upsert', not 'merge'");
  EXPECT_EQ(ErrorOf("CREATE SINK s FROM delays" + into + "(mode = 'append')"),
            "a sink needs the option table = 'name'");
  EXPECT_THAT(ErrorOf("CREATE SINK s FROM delays INTO 'postgresql://u:pw@127.0.0.1:1/x' WITH "
                      "(table = 'out')"),
              ::testing::AllOf(::testing::StartsWith("cannot connect to PostgreSQL at "
                                                     "postgresql://u@127.0.0.1:1/x"),
                               ::testing::Not(::testing::HasSubstr("pw"))));
}

}  // namespace
}  // namespace sluice
