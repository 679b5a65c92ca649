#include "session/database.h"

#include <cstdio>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/task.h"

namespace sluice::session {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    connection_.Execute(
        "CREATE TABLE flights (origin VARCHAR, dest VARCHAR, delay BIGINT, distance DOUBLE);"
        "INSERT INTO flights VALUES ('LAX', 'SFO', 10, 337), ('LAX', 'JFK', -5, 2475),"
        "('SFO', 'LAX', NULL, 337), ('JFK', 'LAX', 30, 2475), ('SFO', 'JFK', 20, 2586)");
  }
  std::string Query(const std::string& sql) { return connection_.Execute(sql).ToString(); }

  Database database_;
  Connection connection_{database_};
};

TEST_F(DatabaseTest, SelectsWithFilterOrderAndLimit) {
  EXPECT_EQ(Query("SELECT origin, delay FROM flights WHERE delay > 0 ORDER BY delay DESC"),
            "JFK|30\nSFO|20\nLAX|10\n");
  EXPECT_EQ(Query("SELECT dest FROM flights ORDER BY distance DESC, dest LIMIT 2 OFFSET 1"),
            "JFK\nLAX\n");
  EXPECT_EQ(Query("SELECT 1 + 2 AS three, 'x' || 'y'"), "3|xy\n");
}

TEST_F(DatabaseTest, GroupsAndAggregates) {
  EXPECT_EQ(Query("SELECT origin, count(*) AS n, sum(delay), min(dest), avg(distance) "
                  "FROM flights GROUP BY origin ORDER BY origin"),
            "JFK|1|30|LAX|2475\nLAX|2|5|JFK|1406\nSFO|2|20|JFK|1461.5\n");
  EXPECT_EQ(Query("SELECT count(*), count(delay), sum(delay) FROM flights"), "5|4|55\n");
  EXPECT_EQ(Query("SELECT origin FROM flights GROUP BY 1 HAVING count(*) > 1 ORDER BY 1"),
            "LAX\nSFO\n");
  EXPECT_EQ(Query("SELECT count(*), sum(delay) FROM flights WHERE delay > 100"), "0|NULL\n");
  EXPECT_EQ(Query("SELECT DISTINCT origin FROM flights ORDER BY origin"), "JFK\nLAX\nSFO\n");
  EXPECT_EQ(Query("SELECT count(DISTINCT origin), count(DISTINCT distance), sum(DISTINCT distance) "
                  "FROM flights"),
            "3|3|5398\n");
  EXPECT_EQ(Query("SELECT origin, count(*) FILTER (WHERE delay > 0) AS late, "
                  "sum(delay) FILTER (WHERE dest = 'JFK') FROM flights GROUP BY 1 ORDER BY 1"),
            "JFK|1|NULL\nLAX|1|-5\nSFO|1|20\n");
}

TEST_F(DatabaseTest, SameAnswerOnOneAndManyThreads) {
  connection_.Execute(
      "CREATE TABLE big AS SELECT 1 AS k FROM flights");  // small; grows through inserts
  for (int i = 0; i < 12; ++i) connection_.Execute("INSERT INTO big SELECT k + 1 FROM big");
  std::string sql = "SELECT k % 7 AS g, count(*), sum(k) FROM big GROUP BY g ORDER BY g";
  SetThreadCount(1);
  std::string serial = Query(sql);
  SetThreadCount(0);
  EXPECT_EQ(Query(sql), serial);
  EXPECT_EQ(Query("SELECT count(*) FROM big"), "20480\n");
}

TEST_F(DatabaseTest, SubqueriesAndCtes) {
  EXPECT_EQ(Query("WITH late AS (SELECT * FROM flights WHERE delay >= 20) "
                  "SELECT count(*) FROM late"),
            "2\n");
  EXPECT_EQ(
      Query("SELECT max(n) FROM (SELECT origin, count(*) AS n FROM flights GROUP BY origin) t"),
      "2\n");
}

TEST_F(DatabaseTest, Joins) {
  connection_.Execute(
      "CREATE TABLE airports (code VARCHAR, city VARCHAR);"
      "INSERT INTO airports VALUES ('LAX', 'Los Angeles'), ('SFO', 'San Francisco'),"
      "('ORD', 'Chicago'), (NULL, 'Nowhere')");
  EXPECT_EQ(
      Query("SELECT f.origin, a.city, f.delay FROM flights f JOIN airports a "
            "ON f.origin = a.code ORDER BY f.delay NULLS LAST"),
      "LAX|Los Angeles|-5\nLAX|Los Angeles|10\nSFO|San Francisco|20\nSFO|San Francisco|NULL\n");
  EXPECT_EQ(Query("SELECT f.dest, a.city FROM flights f LEFT JOIN airports a ON f.dest = a.code "
                  "WHERE f.origin = 'LAX' ORDER BY 1"),
            "JFK|NULL\nSFO|San Francisco\n");
  EXPECT_EQ(Query("SELECT a.code, count(f.origin) FROM flights f RIGHT JOIN airports a "
                  "ON f.origin = a.code GROUP BY a.code ORDER BY a.code NULLS FIRST"),
            "NULL|0\nLAX|2\nORD|0\nSFO|2\n");
  EXPECT_EQ(Query("SELECT a.city FROM flights f RIGHT JOIN airports a ON f.origin = a.code "
                  "WHERE f.origin IS NULL"),
            "Chicago\nNowhere\n");
  EXPECT_EQ(Query("SELECT count(*) FROM flights f FULL JOIN airports a ON f.origin = a.code"),
            "7\n");
  EXPECT_EQ(Query("SELECT count(*) FROM flights, airports WHERE origin = code AND delay > 15"),
            "1\n");
  EXPECT_EQ(Query("SELECT count(*) FROM flights CROSS JOIN airports"), "20\n");
  EXPECT_EQ(Query("SELECT f.delay, a.city FROM flights f LEFT JOIN airports a "
                  "ON f.origin = a.code AND f.delay > 15 ORDER BY f.delay NULLS FIRST"),
            "NULL|NULL\n-5|NULL\n10|NULL\n20|San Francisco\n30|NULL\n");
  EXPECT_EQ(Query("SELECT f.origin, a.city FROM flights f JOIN airports a "
                  "ON f.origin = a.code AND f.delay > 15"),
            "SFO|San Francisco\n");
}

TEST_F(DatabaseTest, JoinsWithUsing) {
  connection_.Execute(
      "CREATE TABLE origins (origin VARCHAR, region VARCHAR);"
      "INSERT INTO origins VALUES ('LAX', 'west'), ('JFK', 'east')");
  EXPECT_EQ(Query("SELECT origin, region, delay FROM flights JOIN origins USING (origin) "
                  "ORDER BY delay"),
            "LAX|west|-5\nLAX|west|10\nJFK|east|30\n");
  EXPECT_EQ(Query("SELECT * FROM origins NATURAL JOIN origins o2 ORDER BY 1"),
            "JFK|east\nLAX|west\n");
}

TEST_F(DatabaseTest, SetOperations) {
  EXPECT_EQ(Query("SELECT origin FROM flights UNION SELECT dest FROM flights ORDER BY 1"),
            "JFK\nLAX\nSFO\n");
  EXPECT_EQ(Query("SELECT count(*) FROM (SELECT origin FROM flights UNION ALL "
                  "SELECT dest FROM flights) t"),
            "10\n");
  EXPECT_EQ(Query("SELECT origin FROM flights INTERSECT SELECT 'JFK' ORDER BY 1"), "JFK\n");
  EXPECT_EQ(Query("SELECT origin FROM flights EXCEPT SELECT 'JFK' ORDER BY 1"), "LAX\nSFO\n");
  EXPECT_EQ(Query("SELECT 1 AS x UNION ALL SELECT 2.5 ORDER BY x DESC"), "2.5\n1\n");
  EXPECT_EQ(Query("VALUES (1, NULL), (1, NULL) UNION SELECT 1, NULL"), "1|NULL\n");
  EXPECT_THROW(connection_.Execute("SELECT 1 UNION SELECT 1, 2"), UserError);
  EXPECT_THROW(connection_.Execute("SELECT 1 UNION SELECT 'a'"), UserError);
}

TEST_F(DatabaseTest, SubqueriesInExpressions) {
  EXPECT_EQ(
      Query("SELECT origin, delay FROM flights WHERE delay = (SELECT max(delay) FROM flights)"),
      "JFK|30\n");
  EXPECT_EQ(Query("SELECT count(*) FROM flights WHERE origin IN (SELECT dest FROM flights "
                  "WHERE distance > 2500)"),
            "1\n");
  EXPECT_EQ(Query("SELECT count(*) FROM flights WHERE origin NOT IN (SELECT 'LAX' UNION ALL "
                  "SELECT NULL)"),
            "0\n");
  EXPECT_EQ(Query("SELECT EXISTS (SELECT 1 FROM flights WHERE delay > 100), "
                  "NOT EXISTS (SELECT 1 FROM flights WHERE delay > 100)"),
            "false|true\n");
  // Correlated: each flight against the average delay of its origin.
  EXPECT_EQ(Query("SELECT origin, delay FROM flights f WHERE delay > "
                  "(SELECT avg(delay) FROM flights g WHERE g.origin = f.origin) ORDER BY 1"),
            "LAX|10\n");
  EXPECT_EQ(Query("SELECT origin, dest, (SELECT count(*) FROM flights g WHERE g.dest = f.origin) "
                  "AS arrivals FROM flights f ORDER BY 1, 2"),
            "JFK|LAX|2\nLAX|JFK|2\nLAX|SFO|2\nSFO|JFK|1\nSFO|LAX|1\n");
  EXPECT_EQ(Query("SELECT count(*) FROM flights f WHERE EXISTS (SELECT 1 FROM flights g "
                  "WHERE g.origin = f.dest AND g.dest = f.origin)"),
            "4\n");
  EXPECT_THROW(connection_.Execute("SELECT (SELECT delay FROM flights)"), DataError);
  EXPECT_THROW(connection_.Execute("SELECT (SELECT origin, dest FROM flights LIMIT 1)"), UserError);
}

TEST_F(DatabaseTest, WindowFunctions) {
  EXPECT_EQ(
      Query("SELECT origin, delay, row_number() OVER (PARTITION BY origin ORDER BY delay DESC "
            "NULLS LAST) AS r, sum(delay) OVER (PARTITION BY origin) AS total "
            "FROM flights ORDER BY origin, r"),
      "JFK|30|1|30\nLAX|10|1|5\nLAX|-5|2|5\nSFO|20|1|20\nSFO|NULL|2|20\n");
  EXPECT_EQ(Query("SELECT dest, distance, rank() OVER w, dense_rank() OVER w, "
                  "lag(dest) OVER w FROM flights WINDOW w AS (ORDER BY distance) ORDER BY 2, 1"),
            // Peers keep their input order: SFO (row 1) comes before LAX (row 3).
            "LAX|337|1|1|SFO\nSFO|337|1|1|NULL\nJFK|2475|3|2|LAX\nLAX|2475|3|2|JFK\n"
            "JFK|2586|5|3|LAX\n");
  EXPECT_EQ(Query("SELECT origin, count(*), sum(count(*)) OVER () FROM flights GROUP BY origin "
                  "ORDER BY 1"),
            "JFK|1|5\nLAX|2|5\nSFO|2|5\n");
  EXPECT_EQ(Query("SELECT origin, delay FROM flights QUALIFY row_number() OVER "
                  "(PARTITION BY origin ORDER BY delay) = 1 ORDER BY 1"),
            "JFK|30\nLAX|-5\nSFO|20\n");
  EXPECT_EQ(Query("SELECT id6, largest2_v3 FROM (SELECT origin AS id6, delay AS largest2_v3, "
                  "row_number() OVER (PARTITION BY origin ORDER BY delay DESC) AS order_v3 FROM "
                  "flights WHERE delay IS NOT NULL) sub_query WHERE order_v3 <= 2 ORDER BY 1, 2"),
            "JFK|30\nLAX|-5\nLAX|10\nSFO|20\n");
}

TEST_F(DatabaseTest, MemoryLimitStopsAQueryWithAClearError) {
  connection_.Execute("CREATE TABLE big AS SELECT row_number() OVER () AS k FROM flights");
  for (int i = 0; i < 12; ++i) {
    connection_.Execute("INSERT INTO big SELECT k + (SELECT max(k) FROM big) FROM big");
  }
  connection_.Execute("SET memory_limit = '64KiB'");
  try {
    connection_.Execute("SELECT k, count(*) FROM big GROUP BY k");
    FAIL() << "the limit did not stop the query";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("out of memory: HASH_AGGREGATE"));
    EXPECT_THAT(error.what(), ::testing::HasSubstr("64.0 KiB"));
  }
  connection_.Execute("SET memory_limit = '1GB'");
  EXPECT_EQ(Query("SELECT count(*) FROM (SELECT k, count(*) FROM big GROUP BY k) t"), "20480\n");
  EXPECT_THROW(connection_.Execute("SET memory_limit = 'lots'"), UserError);
}

TEST_F(DatabaseTest, JoinsBuildOnTheSmallerInput) {
  connection_.Execute(
      "CREATE TABLE small (k BIGINT, label VARCHAR);"
      "INSERT INTO small VALUES (1, 'one'), (3, 'three');"
      "CREATE TABLE big AS SELECT row_number() OVER () AS k FROM flights");
  for (int i = 0; i < 6; ++i) {
    connection_.Execute("INSERT INTO big SELECT k + (SELECT max(k) FROM big) FROM big");
  }
  // The columns keep the written order even though the left input is the one built.
  EXPECT_EQ(Query("SELECT * FROM small s JOIN big b ON s.k = b.k ORDER BY 1"),
            "1|one|1\n3|three|3\n");
  std::string plan = Query("EXPLAIN SELECT * FROM small s JOIN big b ON s.k = b.k");
  EXPECT_LT(plan.find("SCAN [small]"), plan.find("HASH_JOIN_BUILD"));
  EXPECT_GT(plan.find("SCAN [big]"), plan.find("HASH_JOIN_BUILD"));
}

TEST_F(DatabaseTest, Views) {
  connection_.Execute(
      "CREATE VIEW late (origin, worst) AS SELECT origin, max(delay) FROM flights "
      "GROUP BY origin");
  EXPECT_EQ(Query("SELECT * FROM late WHERE worst > 15 ORDER BY 1"), "JFK|30\nSFO|20\n");
  connection_.Execute("INSERT INTO flights VALUES ('ORD', 'LAX', 99, 1744)");
  EXPECT_EQ(Query("SELECT worst FROM late WHERE origin = 'ORD'"), "99\n");  // reads live data
  EXPECT_EQ(Query("SHOW TABLES"), "flights\nlate\n");
  EXPECT_THROW(connection_.Execute("CREATE VIEW late AS SELECT 1"), UserError);
  connection_.Execute("CREATE OR REPLACE VIEW late AS SELECT 1 AS one");
  EXPECT_EQ(Query("SELECT * FROM late"), "1\n");
  EXPECT_THROW(connection_.Execute("CREATE VIEW broken AS SELECT nope FROM flights"), UserError);
  connection_.Execute("DROP VIEW late");
  EXPECT_THROW(connection_.Execute("SELECT * FROM late"), UserError);
  EXPECT_THROW(connection_.Execute("DROP VIEW late"), UserError);
  connection_.Execute("DROP VIEW IF EXISTS late");
}

TEST_F(DatabaseTest, IntervalArithmetic) {
  EXPECT_EQ(Query("SELECT DATE '2024-01-31' + INTERVAL '1 month', "
                  "TIMESTAMP '2024-03-10 12:00' - INTERVAL '90' MINUTE, "
                  "INTERVAL '1 day 2 hours' + DATE '2024-02-28'"),
            "2024-02-29 00:00:00|2024-03-10 10:30:00|2024-02-29 02:00:00\n");
  EXPECT_THROW(connection_.Execute("SELECT INTERVAL '1 day'"), UserError);
  EXPECT_THROW(connection_.Execute("SELECT DATE '2024-01-01' + INTERVAL 'soon'"), UserError);
}

TEST_F(DatabaseTest, ConstraintsAndIndexes) {
  connection_.Execute(
      "CREATE TABLE keyed (id INTEGER PRIMARY KEY, code VARCHAR UNIQUE, n INTEGER)");
  connection_.Execute("INSERT INTO keyed VALUES (1, 'a', 10), (2, NULL, 20), (3, NULL, 30)");
  EXPECT_THROW(connection_.Execute("INSERT INTO keyed VALUES (1, 'b', 0)"), UserError);
  EXPECT_THROW(connection_.Execute("INSERT INTO keyed VALUES (NULL, 'c', 0)"), UserError);
  EXPECT_THROW(connection_.Execute("INSERT INTO keyed VALUES (4, 'a', 0)"), UserError);
  EXPECT_EQ(Query("SELECT count(*) FROM keyed"), "3\n");  // failed inserts changed nothing
  connection_.Execute("CREATE INDEX keyed_n ON keyed (n)");
  EXPECT_THROW(connection_.Execute("CREATE INDEX bad ON keyed (nope)"), UserError);
  connection_.Execute("INSERT INTO keyed VALUES (4, 'd', 10)");
  EXPECT_THROW(connection_.Execute("CREATE UNIQUE INDEX keyed_unique_n ON keyed (n)"), UserError);
  connection_.Execute("CREATE UNIQUE INDEX keyed_pair ON keyed (id, n)");
  EXPECT_EQ(Query("SELECT count(*) FROM keyed"), "4\n");
}

TEST_F(DatabaseTest, FileScansReadOnlyTheColumnsAQueryNames) {
  std::string path = ::testing::TempDir() + "/sluice_projection_test.csv";
  std::ofstream(path) << "a,b,Mixed\n1,x,10\n2,y,20\n3,x,30\n";
  std::string file = "'" + path + "'";
  EXPECT_EQ(Query("SELECT Mixed, a FROM " + file + " WHERE b = 'x' ORDER BY a"), "10|1\n30|3\n");
  EXPECT_EQ(Query("SELECT count(*) FROM " + file), "3\n");
  EXPECT_EQ(Query("SELECT z FROM " + file + " AS t(x, y, z) WHERE x = 2"), "20\n");
  EXPECT_EQ(Query("SELECT sum(a) FROM read_csv(" + file + ", header => true)"), "6\n");
  std::string plan = Query("EXPLAIN SELECT a FROM " + file + " WHERE b = 'x'");
  EXPECT_NE(plan.find("FILTER [(#1 = 'x')]"), std::string::npos) << plan;  // 2 columns read
  std::remove(path.c_str());
}

TEST_F(DatabaseTest, ErrorsNameThePlace) {
  try {
    connection_.Execute("SELECT origni FROM flights");
    FAIL();
  } catch (const UserError& error) {
    EXPECT_STREQ(error.what(),
                 "column \"origni\" does not exist at line 1, column 8; did you mean \"origin\"?");
  }
  EXPECT_THROW(connection_.Execute("SELECT * FROM flihgts"), UserError);
  EXPECT_THROW(connection_.Execute("SELECT origin, count(*) FROM flights"), UserError);
  EXPECT_THROW(connection_.Execute("SELECT delay + 'x' FROM flights"), UserError);
  EXPECT_THROW(connection_.Execute("SELECT 9223372036854775807 + delay FROM flights"), DataError);
}

}  // namespace
}  // namespace sluice::session
