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

std::string ErrorOf(std::string_view text) {
  try {
    ParseStatement(text);
  } catch (const ParseError& error) {
    return error.what();
  }
  return "no error";
}

TEST(SourceStatementParserTest, ParsesCreateSource) {
  EXPECT_EQ(Canonical("create source flights from 'data/flights.parquet'"),
            "CREATE SOURCE flights FROM 'data/flights.parquet'");
  EXPECT_EQ(Canonical("CREATE OR REPLACE SOURCE IF NOT EXISTS o FROM 'postgresql://u@h/db' "
                      "WITH (TABLE = 'public.orders', unsupported 'text')"),
            "CREATE OR REPLACE SOURCE IF NOT EXISTS o FROM 'postgresql://u@h/db' "
            "WITH (table = 'public.orders', unsupported = 'text')");
  auto statement = ParseStatement("CREATE SOURCE s FROM 'sqlite:x.db' (table = 't')");
  const auto& create = statement->As<CreateSourceStatement>();
  EXPECT_EQ(create.name, "s");
  EXPECT_EQ(create.uri, "sqlite:x.db");
  ASSERT_EQ(create.options.size(), 1u);
  EXPECT_EQ(create.options[0].name, "table");
  EXPECT_THROW(ParseStatement("CREATE SOURCE s FROM x"), ParseError);
}

TEST(SourceStatementParserTest, ParsesCreateSink) {
  EXPECT_EQ(Canonical("create sink s from delays into 'postgresql://h/db' "
                      "with (table = 'out', mode = 'upsert', key = 'origin')"),
            "CREATE SINK s FROM delays INTO 'postgresql://h/db' "
            "WITH (table = 'out', mode = 'upsert', key = 'origin')");
  EXPECT_EQ(Canonical("CREATE OR REPLACE SINK s FROM (SELECT a FROM t WHERE a > 1) "
                      "INTO 'sqlite:out.db' WITH (table = 'x')"),
            "CREATE OR REPLACE SINK s FROM (SELECT a FROM t WHERE (a > 1)) "
            "INTO 'sqlite:out.db' WITH (table = 'x')");
  auto statement = ParseStatement("CREATE SINK s FROM main.r INTO 'x.db'");
  const auto& create = statement->As<CreateSinkStatement>();
  EXPECT_EQ(create.table, (QualifiedName{"main", "r"}));
  EXPECT_EQ(create.query, nullptr);
  EXPECT_EQ(ErrorOf("CREATE SINK s FROM r TO 'x.db'"),
            "syntax error at line 1, column 22: expected INTO, found 'TO'");
}

TEST(SourceStatementParserTest, ParsesDropSourceAndSink) {
  EXPECT_EQ(Canonical("drop source if exists s"), "DROP SOURCE IF EXISTS s");
  EXPECT_EQ(Canonical("DROP SINK s"), "DROP SINK s");
  EXPECT_EQ(ParseStatement("DROP SINK s")->As<DropStatement>().object_type, ObjectType::kSink);
  EXPECT_EQ(Canonical("SHOW SOURCES"), "SHOW sources");
}

}  // namespace
}  // namespace sluice::sql
