#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/to_sql.h"

namespace sluice::sql {
namespace {

// Returns the canonical SQL of one statement after checking that it reads back the same.
std::string Canonical(std::string_view text) {
  std::string sql = ToSql(*ParseStatement(text));
  EXPECT_EQ(ToSql(*ParseStatement(sql)), sql) << "round trip of " << text;
  return sql;
}

const QueryNode& QueryOf(const StatementPtr& statement) {
  return *statement->As<SelectStatement>().query;
}

TEST(QueryParserTest, ParsesSelectList) {
  EXPECT_EQ(Canonical("select a, b AS x, c y, t.*, * from t"),
            "SELECT a, b AS x, c AS y, t.*, * FROM t");
  EXPECT_EQ(Canonical("SELECT 1"), "SELECT 1");
  EXPECT_EQ(Canonical("SELECT DISTINCT a FROM t"), "SELECT DISTINCT a FROM t");
  EXPECT_EQ(Canonical("SELECT ALL a FROM t"), "SELECT a FROM t");
  EXPECT_EQ(Canonical("SELECT DISTINCT ON (a, b) a, c FROM t"),
            "SELECT DISTINCT ON (a, b) a, c FROM t");
  EXPECT_EQ(Canonical("SELECT a AS \"Total Sum\", b AS from FROM t"),
            "SELECT a AS \"Total Sum\", b AS \"from\" FROM t");
  auto statement = ParseStatement("SELECT sum(v1) AS v1, v2 FROM x");
  const auto& select = QueryOf(statement).As<SelectNode>();
  ASSERT_EQ(select.select_list.size(), 2u);
  EXPECT_EQ(select.select_list[0].alias, "v1");
  EXPECT_EQ(select.select_list[1].alias, "");
  EXPECT_EQ(select.from->As<BaseTableRef>().name, (QualifiedName{"x"}));
}

TEST(QueryParserTest, ParsesClausesInOrder) {
  EXPECT_EQ(Canonical("SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a HAVING count(*) > 2 "
                      "ORDER BY 2 DESC, a NULLS FIRST LIMIT 10 OFFSET 5"),
            "SELECT a, count(*) FROM t WHERE (b > 1) GROUP BY a HAVING (count(*) > 2) "
            "ORDER BY 2 DESC, a NULLS FIRST LIMIT 10 OFFSET 5");
  EXPECT_EQ(Canonical("SELECT a FROM t GROUP BY ALL"), "SELECT a FROM t GROUP BY ALL");
  EXPECT_EQ(Canonical("SELECT a FROM t LIMIT ALL"), "SELECT a FROM t");
  EXPECT_EQ(Canonical("SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY"),
            "SELECT a FROM t LIMIT 3 OFFSET 2");
  EXPECT_EQ(Canonical("SELECT a FROM t ORDER BY a ASC"), "SELECT a FROM t ORDER BY a");
  EXPECT_EQ(Canonical("SELECT a, rank() OVER w AS r FROM t WINDOW w AS (PARTITION BY b ORDER BY "
                      "c) QUALIFY r = 1"),
            "SELECT a, rank() OVER w AS r FROM t WINDOW w AS (PARTITION BY b ORDER BY c) "
            "QUALIFY (r = 1)");
}

TEST(QueryParserTest, ParsesTableReferences) {
  EXPECT_EQ(Canonical("SELECT * FROM s.t AS x, 'data/x.csv' f, read_csv('a.csv', delim => ';') "
                      "r(a, b)"),
            "SELECT * FROM s.t AS x CROSS JOIN 'data/x.csv' AS f CROSS JOIN "
            "read_csv('a.csv', delim => ';') AS r(a, b)");
  EXPECT_EQ(Canonical("SELECT * FROM (SELECT 1 AS a) AS sub(b)"),
            "SELECT * FROM (SELECT 1 AS a) AS sub(b)");
  EXPECT_EQ(Canonical("SELECT * FROM (SELECT 1) sub"), "SELECT * FROM (SELECT 1) AS sub");
  EXPECT_EQ(Canonical("SELECT * FROM 'data/airports.csv'"), "SELECT * FROM 'data/airports.csv'");
  auto statement = ParseStatement("SELECT * FROM 'data/x.csv'");
  EXPECT_EQ(QueryOf(statement).As<SelectNode>().from->As<FileRef>().path, "data/x.csv");
  auto function = ParseStatement("SELECT * FROM ML.PREDICT(m, (SELECT * FROM f LIMIT 10))");
  const auto& ref = QueryOf(function).As<SelectNode>().from->As<TableFunctionRef>();
  EXPECT_EQ(ref.call->name, (QualifiedName{"ml", "predict"}));
  EXPECT_EQ(ref.call->args[1]->kind, ExprKind::kSubquery);
}

TEST(QueryParserTest, ParsesJoins) {
  EXPECT_EQ(Canonical("SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id) "
                      "RIGHT JOIN d ON TRUE FULL OUTER JOIN e ON TRUE CROSS JOIN f "
                      "NATURAL JOIN g NATURAL LEFT JOIN h INNER JOIN i ON x"),
            "SELECT * FROM a JOIN b ON (a.id = b.id) LEFT JOIN c USING (id) RIGHT JOIN d ON TRUE "
            "FULL JOIN e ON TRUE CROSS JOIN f NATURAL JOIN g NATURAL LEFT JOIN h JOIN i ON x");
  EXPECT_EQ(Canonical("SELECT * FROM a, (b JOIN c ON b.x = c.x)"),
            "SELECT * FROM a CROSS JOIN (b JOIN c ON (b.x = c.x))");
  auto statement = ParseStatement("SELECT * FROM a LEFT JOIN b USING (k, l)");
  const auto& join = QueryOf(statement).As<SelectNode>().from->As<JoinRef>();
  EXPECT_EQ(join.type, JoinType::kLeft);
  EXPECT_EQ(join.using_columns, (std::vector<std::string>{"k", "l"}));
  EXPECT_EQ(join.left->kind, TableRefKind::kBaseTable);
  // A join word after a table is never taken as its alias.
  auto aliased = ParseStatement("SELECT * FROM a left JOIN b ON TRUE");
  EXPECT_EQ(QueryOf(aliased).As<SelectNode>().from->kind, TableRefKind::kJoin);
}

TEST(QueryParserTest, SetOperationsGiveIntersectPrecedence) {
  auto statement = ParseStatement("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4");
  const auto& except = QueryOf(statement).As<SetOperationNode>();
  EXPECT_EQ(except.op, SetOperationKind::kExcept);
  EXPECT_TRUE(except.all);
  const auto& union_node = except.left->As<SetOperationNode>();
  EXPECT_EQ(union_node.op, SetOperationKind::kUnion);
  EXPECT_EQ(union_node.right->As<SetOperationNode>().op, SetOperationKind::kIntersect);
  EXPECT_EQ(Canonical("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4"),
            "(SELECT 1 UNION (SELECT 2 INTERSECT SELECT 3)) EXCEPT ALL SELECT 4");
  EXPECT_EQ(Canonical("SELECT a FROM t UNION DISTINCT SELECT b FROM u ORDER BY 1 LIMIT 3"),
            "SELECT a FROM t UNION SELECT b FROM u ORDER BY 1 LIMIT 3");
  EXPECT_EQ(Canonical("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)"),
            "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT b FROM u");
  EXPECT_EQ(Canonical("SELECT 1 UNION (SELECT 2 UNION SELECT 3)"),
            "SELECT 1 UNION (SELECT 2 UNION SELECT 3)");
}

TEST(QueryParserTest, ParsesValuesAsAQuery) {
  EXPECT_EQ(Canonical("VALUES (1, 'a'), (2, 'b')"), "VALUES (1, 'a'), (2, 'b')");
  EXPECT_EQ(Canonical("SELECT * FROM (VALUES (1), (2)) AS v(x)"),
            "SELECT * FROM (VALUES (1), (2)) AS v(x)");
  EXPECT_THROW(ParseStatement("VALUES (1, 2), (3)"), ParseError);
}

TEST(QueryParserTest, ParsesCommonTableExpressions) {
  EXPECT_EQ(Canonical("WITH a AS (SELECT 1 AS x), b(y) AS (SELECT x FROM a) SELECT y FROM b"),
            "WITH a AS (SELECT 1 AS x), b(y) AS (SELECT x FROM a) SELECT y FROM b");
  EXPECT_EQ(Canonical("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < "
                      "10) SELECT sum(n) FROM r"),
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT (n + 1) FROM r WHERE (n < 10)) "
            "SELECT sum(n) FROM r");
  EXPECT_EQ(Canonical("WITH a AS (SELECT 1) SELECT * FROM a UNION SELECT * FROM a"),
            "WITH a AS (SELECT 1) SELECT * FROM a UNION SELECT * FROM a");
  auto statement = ParseStatement("WITH a AS MATERIALIZED (SELECT 1) SELECT * FROM a");
  EXPECT_EQ(QueryOf(statement).ctes.size(), 1u);
  EXPECT_EQ(QueryOf(statement).ctes[0].name, "a");
}

TEST(QueryParserTest, ParsesSubqueriesInExpressions) {
  EXPECT_EQ(Canonical("SELECT (SELECT max(b) FROM u) AS m FROM t WHERE a IN (SELECT a FROM u) "
                      "AND EXISTS (SELECT 1 FROM v WHERE v.a = t.a)"),
            "SELECT (SELECT max(b) FROM u) AS m FROM t WHERE ((a IN (SELECT a FROM u)) AND "
            "EXISTS (SELECT 1 FROM v WHERE (v.a = t.a)))");
}

TEST(QueryParserTest, AcceptsKeywordLikeColumnNames) {
  EXPECT_EQ(Canonical("SELECT date, delay FROM flights"), "SELECT date, delay FROM flights");
  EXPECT_EQ(Canonical("SELECT year(date) AS year, month, day, hour, value, name, type, key, "
                      "count, first, last FROM t"),
            "SELECT year(date) AS year, month, day, hour, value, name, type, key, count, first, "
            "last FROM t");
  EXPECT_EQ(Canonical("SELECT t.date FROM t WHERE date > DATE '2020-01-01'"),
            "SELECT t.date FROM t WHERE (date > DATE '2020-01-01')");
  EXPECT_EQ(Canonical("SELECT value AS name FROM data AS source"),
            "SELECT value AS name FROM data AS source");
}

TEST(QueryParserTest, RejectsMisplacedClauses) {
  EXPECT_THROW(ParseStatement("(SELECT 1 LIMIT 1) LIMIT 2"), ParseError);
  EXPECT_THROW(ParseStatement("(SELECT 1 ORDER BY 1) ORDER BY 1"), ParseError);
  EXPECT_THROW(ParseStatement("SELECT 1 LIMIT 1 UNION SELECT 2"), ParseError);
  EXPECT_THROW(ParseStatement("SELECT * FROM a JOIN b"), ParseError);
}

TEST(QueryParserTest, ParsesTimeTravel) {
  EXPECT_EQ(Canonical("select * from t for version as of 3"),
            "SELECT * FROM t FOR VERSION AS OF 3");
  EXPECT_EQ(Canonical("SELECT * FROM t FOR VERSION AS OF 2 AS old JOIN t ON old.a = t.a"),
            "SELECT * FROM t FOR VERSION AS OF 2 AS old JOIN t ON (old.a = t.a)");
  auto statement = ParseStatement("SELECT * FROM t FOR VERSION AS OF 7 x");
  const auto& table = QueryOf(statement).As<SelectNode>().from->As<BaseTableRef>();
  EXPECT_EQ(table.version, 7);
  EXPECT_EQ(table.alias, "x");
  EXPECT_FALSE(QueryOf(ParseStatement("SELECT * FROM t version"))
                   .As<SelectNode>()
                   .from->As<BaseTableRef>()
                   .version);
  EXPECT_THROW(ParseStatement("SELECT * FROM t FOR VERSION AS OF 'x'"), ParseError);
  EXPECT_THROW(ParseStatement("SELECT * FROM t FOR VERSION 3"), ParseError);
}

}  // namespace
}  // namespace sluice::sql
