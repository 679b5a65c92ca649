// PostgreSQL sources against a real server: every mapped type, pushdown, streaming, errors.

#include <sys/resource.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "fixture.h"
#include "io/postgres/pg_scan_reader.h"
#include "session/database.h"

namespace sluice {
namespace {

using testing::SharedPostgres;
using Op = io::ScanPredicate::Op;

class PostgresScanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SharedPostgres().Execute(
        "DROP TABLE IF EXISTS all_types; DROP TYPE IF EXISTS mood; DROP DOMAIN IF EXISTS posint;"
        "CREATE TYPE mood AS ENUM ('sad', 'happy');"
        "CREATE DOMAIN posint AS integer CHECK (VALUE > 0);"
        "CREATE TABLE all_types (i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, "
        "num numeric(12,3), b bool, t text, vc varchar(10), bp char(3), nm name, u uuid, "
        "js json, jb jsonb, d date, ts timestamp, tz timestamptz, m mood, p posint);"
        "INSERT INTO all_types VALUES (1, 2, 3, 1.5, 2.25, 12345.678, true, 'text', 'vc', "
        "'ab', 'nm', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": 1}', '{\"b\": 2}', "
        "'2024-02-29', '2024-01-02 03:04:05.25', '2024-01-02 03:04:05+02', 'happy', 7),"
        "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "NULL, NULL, NULL, NULL, NULL),"
        "(-32768, -2147483648, -9223372036854775808, -0.5, 1e300, -0.001, false, '', 'üñí', "
        "'x', '', '00000000-0000-0000-0000-000000000000', '[]', '[]', '1900-01-01', "
        "'1969-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', 'sad', 1);"
        "DROP TABLE IF EXISTS odd; CREATE TABLE odd (id int, tags int[], blob bytea);"
        "INSERT INTO odd VALUES (1, '{1,2}', '\\x00ff');"
        "CREATE SCHEMA IF NOT EXISTS \"Sales\"; DROP TABLE IF EXISTS \"Sales\".\"Orders\";"
        "CREATE TABLE \"Sales\".\"Orders\" (id int, amount numeric, region text);"
        "INSERT INTO \"Sales\".\"Orders\" SELECT g, g * 1.5, CASE WHEN g % 2 = 0 THEN 'east' "
        "ELSE 'west' END FROM generate_series(1, 10) g;");
  }

  std::string Query(const std::string& sql) { return connection_.Execute(sql).ToString(); }
  std::string Scan(const std::string& table) {
    return "postgres_scan('" + SharedPostgres().Url() + "', '" + table + "')";
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

TEST_F(PostgresScanTest, ReadsEveryMappedTypeWithNulls) {
  EXPECT_EQ(Query("SELECT * FROM " + Scan("all_types") + " ORDER BY i4 NULLS LAST"),
            "-32768|-2147483648|-9223372036854775808|-0.5|1e+300|-0.001|false||üñí|x  ||"
            "00000000-0000-0000-0000-000000000000|[]|[]|1900-01-01|1969-12-31 23:59:59.999999|"
            "1970-01-01 00:00:00|sad|1\n"
            "1|2|3|1.5|2.25|12345.678|true|text|vc|ab |nm|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|"
            "{\"a\": 1}|{\"b\": 2}|2024-02-29|2024-01-02 03:04:05.25|2024-01-02 01:04:05|happy|7\n"
            "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|"
            "NULL|NULL\n");
  auto result = connection_.Execute("SELECT * FROM " + Scan("all_types") + " LIMIT 0");
  EXPECT_EQ(result.schema->ToString(),
            "i2 INTEGER, i4 INTEGER, i8 BIGINT, f4 DOUBLE, f8 DOUBLE, num DOUBLE, b BOOLEAN, "
            "t VARCHAR, vc VARCHAR, bp VARCHAR, nm VARCHAR, u VARCHAR, js VARCHAR, jb VARCHAR, "
            "d DATE, ts TIMESTAMP, tz TIMESTAMP, m VARCHAR, p INTEGER");
}

TEST_F(PostgresScanTest, ReportsUnsupportedTypesOrReadsThemAsText) {
  EXPECT_EQ(ErrorOf("SELECT * FROM " + Scan("odd")),
            "column \"tags\" of PostgreSQL table \"odd\" has type integer[], which Sluice cannot "
            "read; use the option unsupported = 'text' to read such columns as text");
  std::string url = SharedPostgres().Url();
  EXPECT_EQ(Query("SELECT * FROM postgres_scan('" + url + "', 'odd', unsupported => 'text')"),
            "1|{1,2}|\\x00ff\n");
  connection_.Execute("CREATE SOURCE odd FROM '" + url +
                      "' WITH (table = 'public.odd', unsupported = 'text')");
  EXPECT_EQ(Query("SELECT tags FROM odd"), "{1,2}\n");
}

TEST_F(PostgresScanTest, PushesProjectionIntoTheCopyCommand) {
  std::string plan =
      Query("EXPLAIN SELECT region FROM " + Scan("Sales.Orders") + " WHERE region = 'east'");
  EXPECT_THAT(plan, ::testing::HasSubstr("POSTGRES_SCAN [COPY (SELECT \"region\" FROM "
                                         "\"Sales\".\"Orders\" WHERE \"region\" = 'east') "
                                         "TO STDOUT (FORMAT binary)]"));
  EXPECT_THAT(Query("EXPLAIN SELECT id FROM " + Scan("Sales.Orders") +
                    " WHERE amount BETWEEN 3 AND 6 AND region IS NOT NULL"),
              ::testing::HasSubstr("WHERE \"amount\"::float8 >= 3 AND \"amount\"::float8 <= 6 "
                                   "AND \"region\" IS NOT NULL)"));
  EXPECT_EQ(Query("SELECT id FROM " + Scan("Sales.Orders") +
                  " WHERE amount BETWEEN 3 AND 6 AND region IS NOT NULL ORDER BY id"),
            "2\n3\n4\n");
  EXPECT_EQ(
      Query("SELECT count(*), sum(amount) FROM " + Scan("Sales.Orders") + " WHERE region = 'east'"),
      "5|45\n");
  EXPECT_THAT(Query("EXPLAIN SELECT count(*) FROM " + Scan("Sales.Orders")),
              ::testing::HasSubstr("COPY (SELECT \"id\" FROM"));
}

// The planner passes filter conjuncts to a scan; this checks what the scan makes of them.
TEST_F(PostgresScanTest, PushesFiltersPostgresEvaluatesAsSluiceDoes) {
  auto connection = io::postgres::PgConnection::Connect(SharedPostgres().Url());
  auto table = io::postgres::DescribePgTable(*connection, "all_types",
                                             io::postgres::UnsupportedTypes::kError);
  std::vector<io::ScanPredicate> predicates = {
      {"i4", Op::kGe, core::Value::Integer(-5)},
      {"t", Op::kLt, core::Value::Varchar("z'")},
      {"num", Op::kGt, core::Value::Double(0.5)},
      {"ts", Op::kLe, core::Value::Timestamp(1'800'000'000'000'000)},
      {"js", Op::kEq, core::Value::Varchar("{}")},  // json has no '=': not pushed
      {"bp", Op::kIsNotNull},
  };
  io::postgres::PgScanReader reader(SharedPostgres().Url(), table, {"i4", "t"}, predicates);
  EXPECT_EQ(reader.command(),
            "COPY (SELECT \"i4\", \"t\" FROM \"all_types\" WHERE \"i4\" >= -5 AND \"t\" "
            "COLLATE \"C\" < 'z''' AND \"num\"::float8 > '0.5'::float8 AND \"ts\" <= "
            "'2027-01-15 08:00:00'::timestamp AND \"bp\" IS NOT NULL) TO STDOUT (FORMAT binary)");
  std::string rows;
  while (auto batch = reader.Next()) rows += batch->ToString();
  EXPECT_EQ(rows, "2|text\n");
}

TEST_F(PostgresScanTest, StreamsLargeTablesInBoundedMemory) {
  SharedPostgres().Execute(
      "DROP TABLE IF EXISTS big; CREATE TABLE big AS SELECT g AS id, g * 0.5 AS half, "
      "repeat('x', 200) || g AS label FROM generate_series(1, 1000000) g; ANALYZE big");
  rusage before;
  getrusage(RUSAGE_SELF, &before);
  EXPECT_EQ(Query("SELECT count(*), sum(id), sum(half), max(length(label)) FROM " + Scan("big")),
            "1000000|500000500000|250000250000|207\n");
  rusage after;
  getrusage(RUSAGE_SELF, &after);
  // The table holds over 200 MB of text; a streamed scan never holds more than a few batches.
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 100 * 1024) << "KiB of peak memory grew";
  // A scan stopped early (LIMIT) ends cleanly.
  EXPECT_EQ(Query("SELECT id FROM " + Scan("big") + " LIMIT 2"), "1\n2\n");
}

TEST_F(PostgresScanTest, RegistersSourcesByUrl) {
  std::string url = SharedPostgres().Url();
  connection_.Execute("CREATE SOURCE orders FROM '" + url + "' WITH (table = 'Sales.Orders')");
  EXPECT_EQ(Query("SELECT region, count(*) FROM orders GROUP BY region ORDER BY region"),
            "east|5\nwest|5\n");
  EXPECT_EQ(Query("SHOW SOURCES"), "orders|" + url + "|Sales.Orders\n");
  EXPECT_THAT(Query("SHOW TABLES"), ::testing::HasSubstr("orders"));
  EXPECT_THAT(ErrorOf("CREATE SOURCE orders FROM '" + url + "' WITH (table = 'x')"),
              ::testing::StartsWith("relation \"orders\" already exists"));
  connection_.Execute("DROP SOURCE orders");
  EXPECT_EQ(Query("SHOW SOURCES"), "");
  // Trust authentication takes any password; listings never show it.
  std::string with_password =
      "postgresql://postgres:hunter2@127.0.0.1:" + std::to_string(SharedPostgres().port()) +
      "/postgres";
  connection_.Execute("CREATE SOURCE o2 FROM '" + with_password +
                      "' WITH (table = 'odd', "
                      "unsupported = 'text')");
  EXPECT_EQ(Query("SHOW SOURCES"), "o2|" + url + "|odd\n");
  EXPECT_THAT(Query("EXPLAIN SELECT id FROM o2"), ::testing::Not(::testing::HasSubstr("hunter2")));
  EXPECT_THAT(ErrorOf("SELECT * FROM orders"), ::testing::StartsWith("table \"orders\" does not"));
}

TEST_F(PostgresScanTest, ReportsBadServersAndTablesWithoutPasswords) {
  std::string url = SharedPostgres().Url();
  std::string dead = "postgresql://postgres:s3cret@127.0.0.1:1/postgres";
  std::string message = ErrorOf("SELECT * FROM postgres_scan('" + dead + "', 't')");
  EXPECT_THAT(message, ::testing::StartsWith(
                           "cannot connect to PostgreSQL at postgresql://postgres@127.0.0.1:1/"
                           "postgres: connection to server at \"127.0.0.1\", port 1 failed"));
  EXPECT_THAT(message, ::testing::Not(::testing::HasSubstr("s3cret")));
  EXPECT_THROW(connection_.Execute("CREATE SOURCE s FROM '" + dead + "' WITH (table = 't')"),
               IoError);
  EXPECT_EQ(ErrorOf("SELECT * FROM " + Scan("nope")),
            "PostgreSQL table \"nope\" does not exist at " + url);
  EXPECT_THAT(ErrorOf("SELECT * FROM postgres_scan('" + SharedPostgres().Url("nodb") + "', 't')"),
              ::testing::HasSubstr("database \"nodb\" does not exist"));
  EXPECT_EQ(ErrorOf("CREATE SOURCE s FROM '" + url + "'"),
            "the source at " + url + " needs the option table = 'name'");
  EXPECT_EQ(ErrorOf("CREATE SOURCE s FROM '" + url + "' WITH (table = 'odd', colour = 'red')"),
            "PostgreSQL sources have no option \"colour\" (table, unsupported)");
  EXPECT_THAT(ErrorOf("SELECT * FROM postgres_scan('not a url', 't')"),
              ::testing::HasSubstr("postgres_scan() needs a postgresql:// URL"));
}

}  // namespace
}  // namespace sluice
