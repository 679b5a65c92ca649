#include <gtest/gtest.h>

#include "base/error.h"
#include "base/task.h"
#include "session/database.h"

namespace sluice::session {
namespace {

class AggregatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    connection_.Execute(
        "CREATE TABLE t (g VARCHAR, x DOUBLE, y BIGINT);"
        "INSERT INTO t VALUES ('a', 1, 2), ('a', 2, 4), ('a', 3, 5), ('a', 4, 9),"
        "('b', 10, 1), ('b', NULL, 3), ('c', NULL, NULL)");
  }
  std::string Query(const std::string& sql) { return connection_.Execute(sql).ToString(); }

  Database database_;
  Connection connection_{database_};
};

TEST_F(AggregatesTest, StatisticsQuantilesAndSketchesByGroup) {
  // Group a: var_samp = 5/3, corr = 11 / sqrt(5 * 26); b has one (x, y) pair; c has none.
  EXPECT_EQ(Query("SELECT g, round(stddev(x), 6), median(x), round(quantile_cont(x, 0.9), 6), "
                  "round(corr(x, y), 6), approx_count_distinct(x) FROM t GROUP BY g ORDER BY g"),
            "a|1.290994|2.5|3.7|0.964764|4\n"
            "b|NULL|10|10|NULL|1\n"
            "c|NULL|NULL|NULL|NULL|0\n");
  EXPECT_EQ(Query("SELECT g, round(var_pop(x), 9), round(stddev_pop(y), 6), "
                  "round(covar_pop(x, y), 9), round(covar_samp(x, y), 6), "
                  "round(regr_slope(y, x), 9) FROM t WHERE g = 'a' GROUP BY g"),
            "a|1.25|2.54951|2.75|3.666667|2.2\n");
  EXPECT_EQ(Query("SELECT quantile_disc(y, 0.5), quantile_disc(x, 1.0), median(y) FROM t"),
            "3|10|3.5\n");
}

TEST_F(AggregatesTest, DistinctAggregatesByName) {
  connection_.Execute("INSERT INTO t VALUES ('a', 1, 2), ('b', 10, 1)");
  EXPECT_EQ(Query("SELECT g, count_distinct(x), sum_distinct(y), avg_distinct(x), "
                  "count_distinct(g) FROM t GROUP BY g ORDER BY g"),
            "a|4|20|2.5|1\nb|1|4|10|1\nc|0|NULL|NULL|1\n");
  EXPECT_EQ(Query("SELECT g, count(DISTINCT x), sum(DISTINCT y), avg(DISTINCT x) FROM t "
                  "GROUP BY g ORDER BY g"),
            "a|4|20|2.5\nb|1|4|10\nc|0|NULL|NULL\n");
}

TEST_F(AggregatesTest, StringAggArgExtremesAndBits) {
  EXPECT_EQ(Query("SELECT string_agg(g, '-') FROM t WHERE x IS NOT NULL"), "a-a-a-a-b\n");
  EXPECT_EQ(Query("SELECT arg_max(g, x), arg_min(x, y), bit_or(y), bit_and(y) FROM t"),
            "b|10|15|0\n");
}

TEST_F(AggregatesTest, QuantileMustBeAConstantFraction) {
  EXPECT_THROW(Query("SELECT quantile_cont(x, 1.5) FROM t"), DataError);
  EXPECT_THROW(Query("SELECT quantile_disc(x, y) FROM t"), DataError);
}

TEST_F(AggregatesTest, SameAnswerOnOneAndManyThreads) {
  connection_.Execute("CREATE TABLE big AS SELECT y AS k FROM t WHERE y IS NOT NULL");
  for (int i = 0; i < 14; ++i) connection_.Execute("INSERT INTO big SELECT k * 3 + 1 FROM big");
  std::string sql =
      "SELECT k % 5 AS g, round(stddev(k), 3), median(k), quantile_disc(k, 0.25), "
      "approx_count_distinct(k), count_distinct(k), round(corr(k, k % 7), 9) "
      "FROM big GROUP BY g ORDER BY g";
  SetThreadCount(1);
  std::string serial = Query(sql);
  SetThreadCount(0);
  EXPECT_EQ(Query(sql), serial);
}

// Past a few hundred thousand rows of nearly unique keys, threads stop pre-aggregating and
// leave the grouping to the merge: keys seen again later must still meet their group there.
TEST_F(AggregatesTest, ManyUniqueKeysThenRepeatsOnOneAndManyThreads) {
  connection_.Execute("CREATE TABLE d (k BIGINT); INSERT INTO d VALUES (0)");
  for (int bit = 0; bit < 9; ++bit) {
    connection_.Execute("INSERT INTO d SELECT k + " + std::to_string(1 << bit) + " FROM d");
  }
  connection_.Execute("CREATE TABLE big AS SELECT a.k * 512 + b.k AS k FROM d a, d b");
  connection_.Execute("INSERT INTO big SELECT k FROM big");  // every key twice, late
  std::string sql =
      "SELECT count(*), min(c), max(c), sum(s) FROM (SELECT k, k::VARCHAR AS t, count(*) AS c, "
      "sum(k) AS s FROM big GROUP BY k, t) g";
  std::string expected = "262144|2|2|68719214592\n";  // sum 2 * (0 + ... + 2^18 - 1)
  SetThreadCount(1);
  EXPECT_EQ(Query(sql), expected);
  SetThreadCount(0);
  EXPECT_EQ(Query(sql), expected);
  EXPECT_EQ(Query("SELECT count(*) FROM (SELECT DISTINCT k FROM big) d"), "262144\n");
}

}  // namespace
}  // namespace sluice::session
