// Whole queries as users write them: the db-benchmark groupby questions and longer analytics.

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/to_sql.h"

namespace sluice::sql {
namespace {

// The ten queries of /work/shared/bench/groupby-questions.json (db-benchmark groupby).
constexpr std::string_view kGroupbyQuestions[] = {
    "SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1",
    "SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2",
    "SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3",
    "SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4",
    "SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6",
    "SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5",
    "SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3",
    "SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 "
    "ORDER BY v3 DESC) AS order_v3 FROM x WHERE v3 IS NOT NULL) sub_query WHERE order_v3 <= 2",
    "SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4",
    "SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x GROUP BY id1, "
    "id2, id3, id4, id5, id6",
};

constexpr std::string_view kLongQueries[] = {
    R"(
WITH daily AS (
  SELECT origin, CAST(date AS DATE) AS day, avg(delay) AS avg_delay, count(*) AS n
  FROM 'data/flights-3m.parquet'
  WHERE delay IS NOT NULL AND distance BETWEEN 100 AND 3000
  GROUP BY origin, CAST(date AS DATE)
), ranked AS (
  SELECT d.*, a.name AS airport,
         rank() OVER (PARTITION BY d.day ORDER BY d.avg_delay DESC NULLS LAST) AS rk,
         avg(d.avg_delay) OVER (PARTITION BY d.origin ORDER BY d.day
                                ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS week_avg
  FROM daily d
  LEFT JOIN read_csv('data/airports.csv', delim => ',', header => true) AS a
    ON a.iata = d.origin
)
SELECT day, airport, round(avg_delay, 2) AS avg_delay, week_avg::decimal(10, 2) AS week
FROM ranked
WHERE rk <= 3 AND airport NOT LIKE '%Intl%'
ORDER BY day, rk
LIMIT 100;
)",
    R"(
SELECT c.customer_id,
       c."Full Name",
       sum(o.amount) FILTER (WHERE o.status = 'paid') AS paid,
       count(DISTINCT o.order_id) AS orders,
       CASE WHEN sum(o.amount) > 1000 THEN 'gold'
            WHEN sum(o.amount) > 100 THEN 'silver'
            ELSE 'bronze' END AS tier,
       extract(year FROM max(o.created_at)) AS last_year,
       lag(sum(o.amount), 1, 0) OVER w AS previous
FROM customers c
JOIN orders o USING (customer_id)
WHERE o.created_at >= TIMESTAMP '2023-01-01 00:00:00'
  AND o.created_at < now() - INTERVAL '1' DAY
  AND c.country IN ('DE', 'FR', 'NL')
  AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.order_id)
GROUP BY ALL
HAVING count(*) > 1
WINDOW w AS (ORDER BY c.customer_id)
QUALIFY row_number() OVER (PARTITION BY tier ORDER BY paid DESC) <= 10
ORDER BY paid DESC NULLS LAST
FETCH FIRST 50 ROWS ONLY
)",
    R"(
SELECT region, product, total
FROM (
  SELECT r.name AS region, p.name AS product, sum(s.qty * s.price) AS total
  FROM sales s, products p, regions r
  WHERE s.product_id = p.id AND s.region_id = r.id
  GROUP BY 1, 2
) t
UNION ALL
SELECT 'all', 'all', sum(qty * price) FROM sales
EXCEPT
SELECT region, product, total FROM excluded
ORDER BY 3 DESC
)",
};

TEST(RealisticQueriesTest, ParsesAllGroupbyBenchmarkQuestions) {
  for (std::string_view sql : kGroupbyQuestions) {
    SCOPED_TRACE(sql);
    StatementPtr statement;
    ASSERT_NO_THROW(statement = ParseStatement(sql));
    std::string canonical = ToSql(*statement);
    EXPECT_EQ(ToSql(*ParseStatement(canonical)), canonical);
  }
}

TEST(RealisticQueriesTest, NamesGroupbyOutputColumns) {
  auto statement = ParseStatement(kGroupbyQuestions[6]);
  const auto& select = statement->As<SelectStatement>().query->As<SelectNode>();
  EXPECT_EQ(DefaultColumnName(*select.select_list[0].expr), "id3");
  EXPECT_EQ(DefaultColumnName(*select.select_list[1].expr), "(max(v1) - min(v2))");
  EXPECT_EQ(select.select_list[1].alias, "range_v1_v2");
}

TEST(RealisticQueriesTest, ParsesLongQueriesAndRoundTrips) {
  for (std::string_view sql : kLongQueries) {
    SCOPED_TRACE(sql);
    std::vector<StatementPtr> statements;
    ASSERT_NO_THROW(statements = ParseSql(sql));
    ASSERT_EQ(statements.size(), 1u);
    std::string canonical = ToSql(*statements[0]);
    EXPECT_EQ(ToSql(*ParseStatement(canonical)), canonical);
  }
}

TEST(RealisticQueriesTest, KeepsStructureOfTheFirstLongQuery) {
  auto statement = ParseStatement(kLongQueries[0]);
  const QueryNode& query = *statement->As<SelectStatement>().query;
  ASSERT_EQ(query.ctes.size(), 2u);
  EXPECT_EQ(query.ctes[1].name, "ranked");
  EXPECT_EQ(query.order_by.size(), 2u);
  ASSERT_NE(query.limit, nullptr);
  const auto& ranked = query.ctes[1].query->As<SelectNode>();
  const auto& join = ranked.from->As<JoinRef>();
  EXPECT_EQ(join.type, JoinType::kLeft);
  EXPECT_EQ(join.right->kind, TableRefKind::kTableFunction);
  EXPECT_EQ(join.right->alias, "a");
  const auto& week = ranked.select_list[3].expr->As<FunctionExpr>();
  ASSERT_NE(week.over->frame, nullptr);
  EXPECT_EQ(week.over->frame->start.kind, FrameBoundKind::kPreceding);
  EXPECT_EQ(ranked.select_list[3].expr->location, (SourceLocation{10, 10}));
}

}  // namespace
}  // namespace sluice::sql
