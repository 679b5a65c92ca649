#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/to_sql.h"

namespace sluice::sql {
namespace {

std::string Canonical(std::string_view text) {
  std::string sql = ToSql(*ParseStatement(text));
  EXPECT_EQ(ToSql(*ParseStatement(sql)), sql) << "round trip of " << text;
  return sql;
}

ParseError ErrorOf(std::string_view text) {
  try {
    ParseSql(text);
  } catch (const ParseError& error) {
    return error;
  }
  ADD_FAILURE() << "no error for: " << text;
  return ParseError({0, 0}, "");
}

TEST(StatementParserTest, ParsesCreateTable) {
  EXPECT_EQ(Canonical("create table t (a int not null, b varchar(10), c double precision null)"),
            "CREATE TABLE t (a INT NOT NULL, b VARCHAR(10), c DOUBLE PRECISION)");
  EXPECT_EQ(Canonical("CREATE OR REPLACE TEMP TABLE IF NOT EXISTS s.t AS SELECT 1 AS a"),
            "CREATE OR REPLACE TEMPORARY TABLE IF NOT EXISTS s.t AS SELECT 1 AS a");
  auto statement = ParseStatement("CREATE TABLE t (a INTEGER NOT NULL, b DECIMAL(10,2))");
  const auto& create = statement->As<CreateTableStatement>();
  ASSERT_EQ(create.columns.size(), 2u);
  EXPECT_TRUE(create.columns[0].not_null);
  EXPECT_EQ(create.columns[1].type.name, "DECIMAL");
  EXPECT_EQ(create.columns[1].type.parameters, (std::vector<int64_t>{10, 2}));
  EXPECT_EQ(create.columns[1].location, (SourceLocation{1, 37}));
}

TEST(StatementParserTest, ParsesExpectationsOfCreateTableAs) {
  auto statement = ParseStatement(
      "CREATE OR REPLACE TEMP TABLE t (\n"
      "  CONSTRAINT known_origin EXPECT (origin IS NOT NULL) ON VIOLATION DROP ROW,\n"
      "  CONSTRAINT positive_n EXPECT (n > 0),\n"
      "  CONSTRAINT sane_delay EXPECT (avg_delay < 600) ON VIOLATION FAIL\n"
      ") AS SELECT * FROM flights");
  const auto& create = statement->As<CreateTableStatement>();
  ASSERT_EQ(create.expectations.size(), 3u);
  EXPECT_TRUE(create.columns.empty());
  ASSERT_NE(create.query, nullptr);
  EXPECT_EQ(create.expectations[0].name, "known_origin");
  EXPECT_EQ(create.expectations[0].action, ViolationAction::kDropRow);
  EXPECT_EQ(create.expectations[0].location, (SourceLocation{2, 3}));
  EXPECT_EQ(create.expectations[1].action, ViolationAction::kWarn);
  EXPECT_EQ(create.expectations[2].action, ViolationAction::kFail);
  EXPECT_EQ(ToSql(*create.expectations[2].condition), "(avg_delay < 600)");
}

TEST(StatementParserTest, PrintsExpectationsBack) {
  EXPECT_EQ(Canonical("create table t (constraint a expect (x is not null) on violation drop row, "
                      "constraint \"B c\" expect (y > 0 and z) on violation warn, "
                      "constraint \"check\" expect (true) on violation fail update) as select 1"),
            "CREATE TABLE t (CONSTRAINT a EXPECT ((x IS NOT NULL)) ON VIOLATION DROP ROW, "
            "CONSTRAINT \"B c\" EXPECT (((y > 0) AND z)) ON VIOLATION WARN, "
            "CONSTRAINT \"check\" EXPECT (TRUE) ON VIOLATION FAIL) AS SELECT 1");
  EXPECT_EQ(Canonical("CREATE TABLE t (CONSTRAINT p EXPECT (n > 0)) AS SELECT 1 AS n"),
            "CREATE TABLE t (CONSTRAINT p EXPECT ((n > 0)) ON VIOLATION WARN) AS SELECT 1 AS n");
}

TEST(StatementParserTest, RejectsMalformedExpectations) {
  EXPECT_STREQ(ErrorOf("CREATE TABLE t (a INT, CONSTRAINT p EXPECT (a > 0)) AS SELECT 1").what(),
               "syntax error at line 1, column 17: column definitions cannot be combined with "
               "expectations; a table with expectations takes its columns from AS query");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t (a INT) AS SELECT 1").what(),
               "syntax error at line 1, column 24: expected end of statement, found 'AS'");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t (CONSTRAINT p EXPECT (a > 0))").what(),
               "syntax error at line 1, column 45: expected AS, found end of input");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t (CONSTRAINT p EXPECT (n > 0),\n"
                       "  CONSTRAINT p EXPECT (n < 9)) AS SELECT 1 AS n")
                   .what(),
               "syntax error at line 2, column 3: expectation \"p\" is defined twice (first at "
               "line 1, column 17)");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t (CONSTRAINT p EXPECT (n > 0) ON VIOLATION IGNORE) AS "
                       "SELECT 1")
                   .what(),
               "syntax error at line 1, column 58: expected WARN, DROP ROW or FAIL, found "
               "'IGNORE'");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t (CONSTRAINT p CHECK (n > 0)) AS SELECT 1").what(),
               "syntax error at line 1, column 30: expected EXPECT, found 'CHECK'");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t (CONSTRAINT p EXPECT n > 0) AS SELECT 1").what(),
               "syntax error at line 1, column 37: expected '(', found 'n'");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t (CONSTRAINT p EXPECT (n > 0) ON VIOLATION DROP) AS "
                       "SELECT 1")
                   .what(),
               "syntax error at line 1, column 62: expected ROW, found ')'");
}

TEST(StatementParserTest, ParsesTableOptions) {
  auto statement = ParseStatement(
      "CREATE OR REPLACE TEMP TABLE t (CONSTRAINT p EXPECT (n > 0))\n"
      "WITH (\"KEY\" = 'origin, day') AS SELECT * FROM flights");
  const auto& create = statement->As<CreateTableStatement>();
  ASSERT_EQ(create.options.size(), 1u);
  EXPECT_EQ(create.options[0].name, "key");
  EXPECT_EQ(create.options[0].value, "origin, day");
  EXPECT_EQ(create.options[0].location, (SourceLocation{2, 7}));
  EXPECT_EQ(create.expectations.size(), 1u);
  ASSERT_NE(create.query, nullptr);
  EXPECT_TRUE(
      ParseStatement("CREATE TABLE t AS SELECT 1")->As<CreateTableStatement>().options.empty());
}

TEST(StatementParserTest, PrintsTableOptionsBack) {
  EXPECT_EQ(Canonical("create table t with (key = 'origin') as select 1 as origin"),
            "CREATE TABLE t WITH (key = 'origin') AS SELECT 1 AS origin");
  EXPECT_EQ(Canonical("CREATE TABLE IF NOT EXISTS t (CONSTRAINT p EXPECT (n > 0)) "
                      "WITH (KEY = 'it''s, n') AS SELECT 1 AS n"),
            "CREATE TABLE IF NOT EXISTS t (CONSTRAINT p EXPECT ((n > 0)) ON VIOLATION WARN) "
            "WITH (key = 'it''s, n') AS SELECT 1 AS n");
  EXPECT_EQ(Canonical("CREATE TABLE t (a INT, b TEXT) WITH (key = 'a, b')"),
            "CREATE TABLE t (a INT, b TEXT) WITH (key = 'a, b')");
}

TEST(StatementParserTest, RejectsMalformedTableOptions) {
  EXPECT_STREQ(ErrorOf("CREATE TABLE t WITH (key = 'a', fillfactor = 70) AS SELECT 1").what(),
               "syntax error at line 1, column 33: CREATE TABLE has no option \"fillfactor\" "
               "(the only one is key)");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t WITH (\"Storage\" = 'x') AS SELECT 1").what(),
               "syntax error at line 1, column 22: CREATE TABLE has no option \"storage\" (the "
               "only one is key)");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t WITH (key = 'a', key = 'b') AS SELECT 1").what(),
               "syntax error at line 1, column 33: option \"key\" is given twice (first at line "
               "1, column 22)");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t WITH (key = a) AS SELECT 1").what(),
               "syntax error at line 1, column 28: expected a string such as 'a, b', found 'a'");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t WITH (key 'a') AS SELECT 1").what(),
               "syntax error at line 1, column 26: expected '=', found ''a''");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t WITH (key = 'a')").what(),
               "syntax error at line 1, column 32: expected AS, found end of input");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t").what(),
               "syntax error at line 1, column 15: expected AS or (, found end of input");
  EXPECT_STREQ(ErrorOf("CREATE TABLE t AS SELECT 1 WITH (key = 'a')").what(),
               "syntax error at line 1, column 28: expected end of statement, found 'WITH'");
}
TEST(StatementParserTest, ParsesCreateViewInsertDrop) {
  EXPECT_EQ(Canonical("CREATE VIEW v (a, b) AS SELECT 1, 2"),
            "CREATE VIEW v (a, b) AS SELECT 1, 2");
  EXPECT_EQ(Canonical("create or replace view v as select * from t"),
            "CREATE OR REPLACE VIEW v AS SELECT * FROM t");
  EXPECT_EQ(Canonical("INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL)"),
            "INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL)");
  EXPECT_EQ(Canonical("INSERT INTO t SELECT * FROM u"), "INSERT INTO t SELECT * FROM u");
  EXPECT_EQ(Canonical("INSERT INTO t (SELECT * FROM u)"), "INSERT INTO t SELECT * FROM u");
  EXPECT_EQ(Canonical("DROP TABLE IF EXISTS t"), "DROP TABLE IF EXISTS t");
  EXPECT_EQ(Canonical("drop view s.v"), "DROP VIEW s.v");
}

TEST(StatementParserTest, ParsesUtilityStatements) {
  EXPECT_EQ(Canonical("EXPLAIN SELECT 1"), "EXPLAIN SELECT 1");
  EXPECT_EQ(Canonical("EXPLAIN ANALYZE SELECT a FROM t"), "EXPLAIN ANALYZE SELECT a FROM t");
  EXPECT_EQ(Canonical("SET memory_limit='4GB'"), "SET memory_limit = '4GB'");
  EXPECT_EQ(Canonical("SET threads TO 4"), "SET threads = 4");
  EXPECT_EQ(Canonical("SHOW TABLES"), "SHOW tables");
  EXPECT_EQ(Canonical("DESCRIBE flights"), "DESCRIBE flights");
  EXPECT_EQ(Canonical("COPY delays TO 'out/delays.parquet' (FORMAT parquet)"),
            "COPY delays TO 'out/delays.parquet' (format parquet)");
  EXPECT_EQ(Canonical("COPY (SELECT 1) TO 'x.csv' WITH (HEADER, DELIMITER ';')"),
            "COPY (SELECT 1) TO 'x.csv' (header, delimiter ';')");
  EXPECT_EQ(Canonical("COPY t FROM 'in.csv'"), "COPY t FROM 'in.csv'");
  auto set = ParseStatement("SET threads = 4");
  EXPECT_EQ(set->As<SetStatement>().name, "threads");
  EXPECT_EQ(set->As<SetStatement>().value->As<LiteralExpr>().integer_value, 4);
}

TEST(StatementParserTest, ParsesScriptsOfSeveralStatements) {
  auto statements = ParseSql(";; SELECT 1;\n-- comment\nCREATE TABLE t (a INT);\n\nSELECT 2;");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0]->kind, StatementKind::kSelect);
  EXPECT_EQ(statements[1]->kind, StatementKind::kCreateTable);
  EXPECT_EQ(statements[1]->location, (SourceLocation{3, 1}));
  EXPECT_EQ(statements[2]->location, (SourceLocation{5, 1}));
  EXPECT_TRUE(ParseSql("  -- nothing\n").empty());
  EXPECT_THROW(ParseStatement("SELECT 1; SELECT 2"), ParseError);
  EXPECT_THROW(ParseStatement(""), ParseError);
}

TEST(StatementParserTest, SplitsScriptsWithoutParsing) {
  auto parts = SplitStatements("SELECT ';' AS x; -- a; b\n/* ; */ SELEC oops;\n  \nSELECT 3");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].text, "SELECT ';' AS x");
  EXPECT_EQ(parts[0].location, (SourceLocation{1, 1}));
  EXPECT_EQ(parts[1].text, "SELEC oops");
  EXPECT_EQ(parts[1].location, (SourceLocation{2, 9}));
  EXPECT_EQ(parts[2].text, "SELECT 3");
  EXPECT_EQ(parts[2].location, (SourceLocation{4, 1}));
  EXPECT_TRUE(SplitStatements("-- only a comment\n;").empty());
  EXPECT_THROW(SplitStatements("SELECT 'open"), ParseError);
}

TEST(StatementParserTest, ReportsErrorsWithLineAndColumn) {
  EXPECT_STREQ(ErrorOf("SELECT * FORM t").what(),
               "syntax error at line 1, column 10: expected end of statement, found 'FORM'");
  EXPECT_STREQ(ErrorOf("SELECT a,\n  FROM t").what(),
               "syntax error at line 2, column 3: expected an expression, found 'FROM'");
  EXPECT_STREQ(ErrorOf("SELECT a FROM").what(),
               "syntax error at line 1, column 14: expected an identifier, found end of input");
  EXPECT_STREQ(ErrorOf("SELEC 1").what(),
               "syntax error at line 1, column 1: expected a statement, found 'SELEC'");
  EXPECT_STREQ(ErrorOf("SELECT 1;\nSELECT (1 + 2;").what(),
               "syntax error at line 2, column 14: expected ')', found ';'");
  EXPECT_STREQ(ErrorOf("CREATE INDEX i").what(),
               "syntax error at line 1, column 15: expected ON, found end of input");
  EXPECT_STREQ(
      ErrorOf("CREATE SEQUENCE s").what(),
      "syntax error at line 1, column 8: expected TABLE, VIEW, INDEX, SOURCE, SINK or MODEL, "
      "found 'SEQUENCE'");
  EXPECT_STREQ(ErrorOf("SELECT * FROM a JOIN b WHERE x").what(),
               "syntax error at line 1, column 24: expected ON or USING, found 'WHERE'");
  EXPECT_STREQ(ErrorOf("SELECT 'abc\n").what(),
               "syntax error at line 1, column 8: unterminated string literal");
  EXPECT_STREQ(ErrorOf("SELECT a FROM t GROUP x").what(),
               "syntax error at line 1, column 23: expected BY, found 'x'");
  EXPECT_STREQ(ErrorOf("INSERT INTO t (a) 5").what(),
               "syntax error at line 1, column 19: expected VALUES or a query, found '5'");
  EXPECT_STREQ(ErrorOf("SELECT 1 )").what(),
               "syntax error at line 1, column 10: expected end of statement, found ')'");
}

TEST(StatementParserTest, RendersCaretContext) {
  std::string sql = "SELECT 1;\nSELECT * FORM t";
  ParseError error = ErrorOf(sql);
  EXPECT_EQ(RenderErrorContext(sql, error.location()),
            "LINE 2: SELECT * FORM t\n"
            "                 ^");
  EXPECT_EQ(RenderErrorContext("SELECT 'é', x +", {1, 16}),
            "LINE 1: SELECT 'é', x +\n"
            "                       ^");
  EXPECT_EQ(RenderErrorContext("SELECT 1", {3, 1}), "");
}

}  // namespace
}  // namespace sluice::sql
