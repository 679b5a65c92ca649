#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/to_sql.h"

namespace sluice::sql {
namespace {

// Returns the canonical SQL of an expression after checking that it reads back the same.
std::string Canonical(std::string_view text) {
  std::string sql = ToSql(*ParseExpression(text));
  EXPECT_EQ(ToSql(*ParseExpression(sql)), sql) << "round trip of " << text;
  return sql;
}

std::string ErrorOf(std::string_view text) {
  try {
    ParseExpression(text);
  } catch (const ParseError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ExpressionParserTest, ArithmeticIsLeftAssociativeWithUsualPrecedence) {
  EXPECT_EQ(Canonical("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(Canonical("a / b * c"), "((a / b) * c)");
  EXPECT_EQ(Canonical("a + b * c"), "(a + (b * c))");
  EXPECT_EQ(Canonical("(a + b) * c"), "((a + b) * c)");
  EXPECT_EQ(Canonical("a % b + c"), "((a % b) + c)");
  EXPECT_EQ(Canonical("a || b + c"), "(a || (b + c))");
  EXPECT_EQ(Canonical("a ^ b * c"), "((a ^ b) * c)");
}

TEST(ExpressionParserTest, BooleanPrecedenceFollowsPostgres) {
  EXPECT_EQ(Canonical("a OR b AND c"), "(a OR (b AND c))");
  EXPECT_EQ(Canonical("a AND b OR c"), "((a AND b) OR c)");
  EXPECT_EQ(Canonical("NOT a = b"), "(NOT (a = b))");
  EXPECT_EQ(Canonical("NOT a AND b"), "((NOT a) AND b)");
  EXPECT_EQ(Canonical("a = b IS NULL"), "((a = b) IS NULL)");
  EXPECT_EQ(Canonical("a < b + 1 OR NOT c"), "((a < (b + 1)) OR (NOT c))");
  EXPECT_EQ(Canonical("a IS NOT NULL AND b IS NULL"), "((a IS NOT NULL) AND (b IS NULL))");
}

TEST(ExpressionParserTest, UnaryMinusFoldsIntoLiteralsAndBindsTighterThanPower) {
  auto literal = ParseExpression("-5");
  ASSERT_EQ(literal->kind, ExprKind::kLiteral);
  EXPECT_EQ(literal->As<LiteralExpr>().integer_value, -5);
  EXPECT_EQ(Canonical("- x"), "-(x)");
  EXPECT_EQ(Canonical("-x ^ 2"), "(-(x) ^ 2)");
  EXPECT_EQ(Canonical("-(5)"), "-(5)");
  EXPECT_EQ(Canonical("a - -1"), "(a - -1)");
  EXPECT_EQ(Canonical("1-1"), "(1 - 1)");
  EXPECT_EQ(Canonical("+x"), "+(x)");
}

TEST(ExpressionParserTest, DoubleColonCastBindsTightest) {
  EXPECT_EQ(Canonical("a::int + 1"), "(CAST(a AS INT) + 1)");
  EXPECT_EQ(Canonical("-x::double"), "-(CAST(x AS DOUBLE))");
  EXPECT_EQ(Canonical("a::varchar::date"), "CAST(CAST(a AS VARCHAR) AS DATE)");
  EXPECT_EQ(Canonical("'1'::BIGINT * 2"), "(CAST('1' AS BIGINT) * 2)");
}

TEST(ExpressionParserTest, ParsesPredicates) {
  EXPECT_EQ(Canonical("x BETWEEN 1 AND 2 AND y"), "((x BETWEEN 1 AND 2) AND y)");
  EXPECT_EQ(Canonical("x NOT BETWEEN a + 1 AND b * 2"), "(x NOT BETWEEN (a + 1) AND (b * 2))");
  EXPECT_EQ(Canonical("x IN (1, 2, 3)"), "(x IN (1, 2, 3))");
  EXPECT_EQ(Canonical("x NOT IN ('a')"), "(x NOT IN ('a'))");
  EXPECT_EQ(Canonical("x IN (SELECT a FROM t)"), "(x IN (SELECT a FROM t))");
  EXPECT_EQ(Canonical("x NOT IN (SELECT a FROM t)"), "(x NOT IN (SELECT a FROM t))");
  EXPECT_EQ(Canonical("EXISTS (SELECT 1)"), "EXISTS (SELECT 1)");
  EXPECT_EQ(Canonical("NOT EXISTS (SELECT 1)"), "(NOT EXISTS (SELECT 1))");
  EXPECT_EQ(Canonical("name LIKE 'a%' OR name NOT ILIKE 'B%'"),
            "((name LIKE 'a%') OR (name NOT ILIKE 'B%'))");
  EXPECT_EQ(Canonical("a IS DISTINCT FROM b"), "(a IS DISTINCT FROM b)");
  EXPECT_EQ(Canonical("a IS NOT DISTINCT FROM b + 1"), "(a IS NOT DISTINCT FROM (b + 1))");
  EXPECT_EQ(Canonical("a IS TRUE"), "(a IS NOT DISTINCT FROM TRUE)");
  EXPECT_EQ(Canonical("a IS NOT FALSE"), "(a IS DISTINCT FROM FALSE)");
  EXPECT_EQ(Canonical("a <> b AND a != c"), "((a <> b) AND (a <> c))");
}

TEST(ExpressionParserTest, ParsesLiterals) {
  EXPECT_EQ(Canonical("'it''s'"), "'it''s'");
  EXPECT_EQ(Canonical("TRUE AND NOT FALSE OR NULL"), "((TRUE AND (NOT FALSE)) OR NULL)");
  EXPECT_EQ(Canonical("2.50"), "2.50");
  EXPECT_EQ(Canonical("DATE '2001-01-01'"), "DATE '2001-01-01'");
  EXPECT_EQ(Canonical("timestamp '2001-01-01 10:00:00'"), "TIMESTAMP '2001-01-01 10:00:00'");
  EXPECT_EQ(Canonical("INTERVAL '5 minutes'"), "INTERVAL '5 minutes'");
  EXPECT_EQ(Canonical("INTERVAL '1' DAY"), "INTERVAL '1' day");
  EXPECT_EQ(Canonical("[1, 2, 3]"), "[1, 2, 3]");
  EXPECT_EQ(Canonical("[]"), "[]");
  EXPECT_EQ(Canonical("$1 + $2"), "($1 + $2)");

  auto big = ParseExpression("9223372036854775807");
  EXPECT_EQ(big->As<LiteralExpr>().literal_kind, LiteralKind::kInteger);
  auto too_big = ParseExpression("9223372036854775808");
  EXPECT_EQ(too_big->As<LiteralExpr>().literal_kind, LiteralKind::kDouble);
  EXPECT_DOUBLE_EQ(too_big->As<LiteralExpr>().double_value, 9223372036854775808.0);
  auto smallest = ParseExpression("-9223372036854775808");
  EXPECT_EQ(smallest->As<LiteralExpr>().literal_kind, LiteralKind::kInteger);
  EXPECT_EQ(ParseExpression("1.5e3")->As<LiteralExpr>().double_value, 1500.0);
  auto typed = ParseExpression("INTERVAL '1' DAY");
  EXPECT_EQ(typed->As<TypedLiteralExpr>().type.name, "INTERVAL");
  EXPECT_EQ(typed->As<TypedLiteralExpr>().unit, "day");
}

TEST(ExpressionParserTest, ParsesColumnsAndStars) {
  auto column = ParseExpression("S.T.Col");
  ASSERT_EQ(column->kind, ExprKind::kColumnRef);
  EXPECT_EQ(column->As<ColumnRefExpr>().names, (QualifiedName{"s", "t", "col"}));
  EXPECT_EQ(column->As<ColumnRefExpr>().column(), "col");
  EXPECT_EQ(Canonical("\"Mixed Case\".\"select\""), "\"Mixed Case\".\"select\"");
  EXPECT_EQ(Canonical("t.*"), "t.*");
  EXPECT_EQ(ParseExpression("*")->kind, ExprKind::kStar);
}

TEST(ExpressionParserTest, ParsesCaseAndCast) {
  EXPECT_EQ(Canonical("CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END"),
            "CASE WHEN (a > 0) THEN 'pos' WHEN (a < 0) THEN 'neg' ELSE 'zero' END");
  EXPECT_EQ(Canonical("case x when 1 then 'one' end"), "CASE x WHEN 1 THEN 'one' END");
  EXPECT_EQ(Canonical("CAST(x AS VARCHAR(10))"), "CAST(x AS VARCHAR(10))");
  EXPECT_EQ(Canonical("CAST(x AS decimal(10,2))"), "CAST(x AS DECIMAL(10, 2))");
  EXPECT_EQ(Canonical("CAST(x AS double precision)"), "CAST(x AS DOUBLE PRECISION)");
  EXPECT_EQ(Canonical("x::timestamp with time zone"), "CAST(x AS TIMESTAMP WITH TIME ZONE)");
  EXPECT_EQ(Canonical("CAST(x AS timestamp(3) without time zone)"),
            "CAST(x AS TIMESTAMP(3) WITHOUT TIME ZONE)");
  EXPECT_EQ(Canonical("TRY_CAST(x AS my_type)"), "TRY_CAST(x AS MY_TYPE)");
  auto cast = ParseExpression("CAST(x AS Varchar(10))");
  EXPECT_EQ(cast->As<CastExpr>().type.name, "VARCHAR");
  EXPECT_EQ(cast->As<CastExpr>().type.parameters, (std::vector<int64_t>{10}));
}

TEST(ExpressionParserTest, ParsesFunctionCalls) {
  EXPECT_EQ(Canonical("COUNT(*)"), "count(*)");
  EXPECT_EQ(Canonical("count(DISTINCT x)"), "count(DISTINCT x)");
  EXPECT_EQ(Canonical("count(ALL x)"), "count(x)");
  EXPECT_EQ(Canonical("now()"), "now()");
  EXPECT_EQ(Canonical("sum(x) FILTER (WHERE y > 0)"), "sum(x) FILTER (WHERE (y > 0))");
  EXPECT_EQ(Canonical("string_agg(x, ',' ORDER BY y DESC)"), "string_agg(x, ',' ORDER BY y DESC)");
  EXPECT_EQ(Canonical("read_csv('f.csv', delim => ';', header => true)"),
            "read_csv('f.csv', delim => ';', header => TRUE)");
  EXPECT_EQ(Canonical("ml.predict(a)"), "ml.predict(a)");
  auto call = ParseExpression("read_csv('f', delim => ';')");
  const auto& function = call->As<FunctionExpr>();
  EXPECT_EQ(function.arg_names, (std::vector<std::string>{"", "delim"}));
  EXPECT_TRUE(ParseExpression("count(*)")->As<FunctionExpr>().star);
}

TEST(ExpressionParserTest, NormalizesSpecialFunctionForms) {
  EXPECT_EQ(Canonical("EXTRACT(year FROM d)"), "date_part('year', d)");
  EXPECT_EQ(Canonical("SUBSTRING(s FROM 2 FOR 3)"), "substring(s, 2, 3)");
  EXPECT_EQ(Canonical("substring(s FOR 3)"), "substring(s, 1, 3)");
  EXPECT_EQ(Canonical("substring(s, 2)"), "substring(s, 2)");
  EXPECT_EQ(Canonical("TRIM(s)"), "trim(s)");
  EXPECT_EQ(Canonical("TRIM(BOTH 'x' FROM s)"), "trim(s, 'x')");
  EXPECT_EQ(Canonical("TRIM(LEADING 'x' FROM s)"), "ltrim(s, 'x')");
  EXPECT_EQ(Canonical("trim(trailing from s)"), "rtrim(s)");
  EXPECT_EQ(Canonical("POSITION('a' IN s)"), "strpos(s, 'a')");
  EXPECT_EQ(Canonical("position(a || b, c)"), "position((a || b), c)");
}

TEST(ExpressionParserTest, ParsesWindowFunctions) {
  EXPECT_EQ(Canonical("row_number() OVER (PARTITION BY a, b ORDER BY c DESC NULLS LAST)"),
            "row_number() OVER (PARTITION BY a, b ORDER BY c DESC NULLS LAST)");
  EXPECT_EQ(Canonical("sum(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"),
            "sum(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
  EXPECT_EQ(Canonical("avg(x) OVER (ORDER BY t ROWS 3 PRECEDING)"),
            "avg(x) OVER (ORDER BY t ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)");
  EXPECT_EQ(Canonical("avg(x) OVER (ORDER BY t RANGE BETWEEN INTERVAL '1 day' PRECEDING AND "
                      "UNBOUNDED FOLLOWING)"),
            "avg(x) OVER (ORDER BY t RANGE BETWEEN INTERVAL '1 day' PRECEDING AND UNBOUNDED "
            "FOLLOWING)");
  EXPECT_EQ(Canonical("sum(x) OVER (ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)"),
            "sum(x) OVER (ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)");
  EXPECT_EQ(Canonical("rank() OVER w"), "rank() OVER w");
  EXPECT_EQ(Canonical("rank() OVER (w ORDER BY x)"), "rank() OVER (w ORDER BY x)");
  EXPECT_EQ(Canonical("count(*) FILTER (WHERE ok) OVER ()"), "count(*) FILTER (WHERE ok) OVER ()");
  auto window = ParseExpression("lag(x, 1) OVER (PARTITION BY k ORDER BY t)");
  const WindowSpec& spec = *window->As<FunctionExpr>().over;
  EXPECT_EQ(spec.partition_by.size(), 1u);
  EXPECT_EQ(spec.order_by.size(), 1u);
  EXPECT_EQ(spec.frame, nullptr);
}

TEST(ExpressionParserTest, AcceptsCommonKeywordsAsNames) {
  EXPECT_EQ(Canonical("year(date) + month + day + hour"), "(((year(date) + month) + day) + hour)");
  EXPECT_EQ(Canonical("value || key || name || type"), "(((value || key) || name) || type)");
  EXPECT_EQ(Canonical("first + last + count + time + timestamp"),
            "((((first + last) + count) + time) + timestamp)");
  EXPECT_EQ(Canonical("left(s, 2) || right(s, 1)"), "(left(s, 2) || right(s, 1))");
  EXPECT_EQ(Canonical("date(ts) = current_date"), "(date(ts) = current_date)");
  EXPECT_EQ(Canonical("interval + 1"), "(interval + 1)");
}

TEST(ExpressionParserTest, ReportsErrorsWithLocation) {
  EXPECT_EQ(ErrorOf("a +"),
            "syntax error at line 1, column 4: expected an expression, found end of input");
  EXPECT_EQ(ErrorOf("a + FROM"),
            "syntax error at line 1, column 5: expected an expression, found 'FROM'");
  EXPECT_EQ(ErrorOf("(a + b"),
            "syntax error at line 1, column 7: expected ')', found end of input");
  EXPECT_EQ(ErrorOf("CASE END"), "syntax error at line 1, column 6: expected WHEN, found 'END'");
  EXPECT_EQ(ErrorOf("a b"),
            "syntax error at line 1, column 3: expected end of expression, found 'b'");
  EXPECT_EQ(ErrorOf("x BETWEEN 1 OR 2"),
            "syntax error at line 1, column 13: expected AND, found 'OR'");
  EXPECT_EQ(ErrorOf("a IS 5"),
            "syntax error at line 1, column 6: expected NULL, TRUE, FALSE or DISTINCT FROM after "
            "IS, found '5'");
  EXPECT_EQ(ErrorOf("CAST(x AS)"),
            "syntax error at line 1, column 10: expected an identifier, found ')'");
}

TEST(ExpressionParserTest, WalksChildren) {
  auto expr = ParseExpression("f(a, b + c) FILTER (WHERE d) OVER (PARTITION BY e)");
  int count = 0;
  ForEachChild(*expr, [&count](const Expr&) { ++count; });
  EXPECT_EQ(count, 4);  // a, b + c, d, e
}

TEST(ExpressionParserTest, NamesUnaliasedColumnsLikeDuckDb) {
  EXPECT_EQ(DefaultColumnName(*ParseExpression("t.v1")), "v1");
  EXPECT_EQ(DefaultColumnName(*ParseExpression("SUM(v1)")), "sum(v1)");
  EXPECT_EQ(DefaultColumnName(*ParseExpression("count(*)")), "count_star()");
  EXPECT_EQ(DefaultColumnName(*ParseExpression("max(v1) - min(v2)")), "(max(v1) - min(v2))");
  EXPECT_EQ(DefaultColumnName(*ParseExpression("42")), "42");
}

}  // namespace
}  // namespace sluice::sql
