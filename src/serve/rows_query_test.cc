#include "serve/rows_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/to_sql.h"

namespace sluice::serve {
namespace {

using core::TypeId;
using core::Value;
using ::testing::HasSubstr;

const core::Schema& Flights() {
  static const core::Schema schema({{"origin", TypeId::kVarchar},
                                    {"delay", TypeId::kBigint},
                                    {"day", TypeId::kDate},
                                    {"late", TypeId::kBoolean}});
  return schema;
}

RowsPlan Plan(const Fields& parameters, int64_t max_limit = 0) {
  return BuildRowsQuery(ParseRowsQuery(parameters), "flights", Flights(), max_limit);
}

// Returns the SQL the plan's tree reads as, after checking that the parser reads that SQL
// back into a tree that prints the same: the tree has the parser's shape.
std::string Sql(const Fields& parameters, int64_t max_limit = 0) {
  std::string sql = sql::ToSql(*Plan(parameters, max_limit).query);
  EXPECT_EQ(sql::ToSql(*sql::ParseStatement(sql)), sql);
  return sql;
}

// Returns the WHERE clause of Sql(parameters).
std::string Where(const Fields& parameters) {
  std::string sql = Sql(parameters);
  size_t where = sql.find(" WHERE ");
  size_t order = sql.find(" ORDER BY ");
  if (where == std::string::npos) return "";
  return sql.substr(where + 7, order - where - 7);
}

// Returns the error a bad request gets, checking its status is 400.
HttpError BadRequest(const Fields& parameters) {
  try {
    Plan(parameters);
  } catch (const HttpError& error) {
    EXPECT_EQ(error.status(), 400) << error.what();
    return error;
  }
  ADD_FAILURE() << "no error";
  return HttpError(0, "");
}

TEST(RowsQueryTest, ParsesReservedParameters) {
  RowsQuery rows = ParseRowsQuery({{"select", "origin, delay"},
                                   {"order", "delay.desc.nullslast,origin,day.nullsfirst"},
                                   {"limit", "10"},
                                   {"offset", "20"},
                                   {"version", "3"},
                                   {"format", "csv"}});
  EXPECT_EQ(rows.select, (std::vector<std::string>{"origin", "delay"}));
  ASSERT_EQ(rows.order.size(), 3u);
  EXPECT_EQ(rows.order[0].column, "delay");
  EXPECT_TRUE(rows.order[0].descending);
  EXPECT_EQ(rows.order[0].nulls_first, false);
  EXPECT_FALSE(rows.order[1].descending);
  EXPECT_FALSE(rows.order[1].nulls_first.has_value());
  EXPECT_EQ(rows.order[2].nulls_first, true);
  EXPECT_EQ(rows.limit, 10);
  EXPECT_EQ(rows.offset, 20);
  EXPECT_EQ(rows.version, 3);
  EXPECT_EQ(rows.format, "csv");
  EXPECT_TRUE(rows.filters.empty());
}

TEST(RowsQueryTest, ParsesFilters) {
  RowsQuery rows = ParseRowsQuery({{"origin", "not.ilike.*sf*"},
                                   {"delay", "gte.5"},
                                   {"origin", R"x(in.(SFO, "a,b", "say \"hi\"",,"(x)"))x"},
                                   {"late", "is.null"},
                                   {"origin", "eq."}});
  ASSERT_EQ(rows.filters.size(), 5u);
  EXPECT_EQ(rows.filters[0].op, "ilike");
  EXPECT_TRUE(rows.filters[0].negated);
  EXPECT_EQ(rows.filters[0].values, (std::vector<std::string>{"*sf*"}));
  EXPECT_EQ(rows.filters[1].column, "delay");
  EXPECT_FALSE(rows.filters[1].negated);
  EXPECT_EQ(rows.filters[2].values,
            (std::vector<std::string>{"SFO", "a,b", "say \"hi\"", "", "(x)"}));
  EXPECT_EQ(rows.filters[3].values, (std::vector<std::string>{"null"}));
  EXPECT_EQ(rows.filters[4].values, (std::vector<std::string>{""}));
  EXPECT_TRUE(ParseRowsQuery({{"origin", "in.()"}}).filters[0].values.empty());
}

TEST(RowsQueryTest, RefusesMalformedParametersNamingThem) {
  struct Case {
    Fields parameters;
    std::string parameter;
    std::string message;
  };
  std::vector<Case> cases = {
      {{{"delay", "5"}}, "delay", "is not a filter"},
      {{{"delay", "between.1.5"}}, "delay", "is not a filter"},
      {{{"delay", "not.5"}}, "delay", "is not a filter"},
      {{{"limit", "-1"}}, "limit", "whole number"},
      {{{"limit", "ten"}}, "limit", "whole number"},
      {{{"offset", "1.5"}}, "offset", "whole number"},
      {{{"version", ""}}, "version", "whole number"},
      {{{"limit", "1"}, {"limit", "2"}}, "limit", "more than once"},
      {{{"origin", "in.(a,b"}}, "origin", "list in parentheses"},
      {{{"origin", "in.(\"a,b)"}}, "origin", "unterminated"},
      {{{"origin", "in.(a\"b)"}}, "origin", "stray quote"},
      {{{"origin", "in.(\"a\"b)"}}, "origin", "comma after"},
      {{{"late", "is.maybe"}}, "late", "null, true or false"},
      {{{"order", "delay.up"}}, "order", "unknown order modifier"},
      {{{"order", ".desc"}}, "order", "no column"},
      {{{"select", "origin,,delay"}}, "select", "empty column"},
      {{{"cursor", ""}}, "cursor", "empty"},
      {{{"", "eq.1"}}, "", "no column name"},
  };
  for (const Case& test : cases) {
    try {
      ParseRowsQuery(test.parameters);
      ADD_FAILURE() << "no error for " << test.parameters[0].first << "="
                    << test.parameters[0].second;
    } catch (const HttpError& error) {
      EXPECT_EQ(error.status(), 400);
      EXPECT_EQ(error.parameter(), test.parameter) << error.what();
      EXPECT_THAT(error.what(), HasSubstr(test.message));
    }
  }
}

TEST(RowsQueryTest, SelectsEveryColumnInATotalOrder) {
  EXPECT_EQ(Sql({}),
            "SELECT origin, delay, day, late FROM flights "
            "ORDER BY origin, delay, day, late");
  EXPECT_EQ(Sql({{"order", "day.desc,origin.asc.nullsfirst"}, {"limit", "5"}}),
            "SELECT origin, delay, day, late FROM flights "
            "ORDER BY day DESC, origin NULLS FIRST, delay, late LIMIT 5");
  EXPECT_EQ(Sql({{"version", "7"}, {"offset", "10"}}, 100),
            "SELECT origin, delay, day, late FROM flights FOR VERSION AS OF 7 "
            "ORDER BY origin, delay, day, late LIMIT 100 OFFSET 10");
}

TEST(RowsQueryTest, CapsTheLimit) {
  EXPECT_EQ(Plan({{"limit", "500"}}, 100).limit, 100);
  EXPECT_EQ(Plan({{"limit", "50"}}, 100).limit, 50);
  EXPECT_EQ(Plan({}, 100).limit, 100);
  EXPECT_FALSE(Plan({}, 0).limit.has_value());
  EXPECT_THAT(Sql({{"limit", "0"}}), HasSubstr(" LIMIT 0"));
}

TEST(RowsQueryTest, AddsUnselectedPagingColumnsAfterTheRequestedOnes) {
  RowsPlan plan = Plan({{"select", "late,origin"}, {"order", "day.desc"}});
  EXPECT_EQ(sql::ToSql(*plan.query),
            "SELECT late, origin, day, delay FROM flights "
            "ORDER BY day DESC, origin, delay, late");
  EXPECT_EQ(plan.num_columns, 2u);
  EXPECT_EQ(plan.paging_columns, (std::vector<size_t>{2, 1, 3, 0}));
  EXPECT_EQ(Plan({{"select", "*"}}).num_columns, 4u);
}

TEST(RowsQueryTest, BuildsEachComparisonWithTypedValues) {
  EXPECT_EQ(Where({{"origin", "eq.SFO"}}), "(origin = 'SFO')");
  EXPECT_EQ(Where({{"delay", "neq.5"}}), "(delay <> CAST('5' AS BIGINT))");
  EXPECT_EQ(Where({{"delay", "gt.-5"}}), "(delay > CAST('-5' AS BIGINT))");
  EXPECT_EQ(Where({{"day", "gte.2024-01-31"}}), "(day >= CAST('2024-01-31' AS DATE))");
  EXPECT_EQ(Where({{"delay", "lt.7"}}), "(delay < CAST('7' AS BIGINT))");
  EXPECT_EQ(Where({{"late", "lte.true"}}), "(late <= CAST('true' AS BOOLEAN))");
  EXPECT_EQ(Where({{"delay", "gt.1"}, {"delay", "lt.9"}}),
            "((delay > CAST('1' AS BIGINT)) AND (delay < CAST('9' AS BIGINT)))");
}

TEST(RowsQueryTest, NegatesWithNot) {
  EXPECT_EQ(Where({{"delay", "not.eq.5"}}), "(NOT (delay = CAST('5' AS BIGINT)))");
  EXPECT_EQ(Where({{"origin", "not.like.S*"}}), "(origin NOT LIKE 'S%')");
  EXPECT_EQ(Where({{"origin", "not.in.(a,b)"}}), "(origin NOT IN ('a', 'b'))");
  EXPECT_EQ(Where({{"origin", "not.is.null"}}), "(origin IS NOT NULL)");
  EXPECT_EQ(Where({{"late", "not.is.true"}}), "(late IS DISTINCT FROM TRUE)");
}

TEST(RowsQueryTest, BuildsLikeInAndIs) {
  EXPECT_EQ(Where({{"origin", "like.S*_O"}}), "(origin LIKE 'S%_O')");
  EXPECT_EQ(Where({{"origin", "ilike.*o*"}}), "(origin ILIKE '%o%')");
  EXPECT_EQ(Where({{"origin", R"(in.(SFO,"a,b","it's"))"}}), "(origin IN ('SFO', 'a,b', 'it''s'))");
  EXPECT_EQ(Where({{"delay", "in.(1,2)"}}),
            "(delay IN (CAST('1' AS BIGINT), CAST('2' AS BIGINT)))");
  EXPECT_EQ(Where({{"delay", "in.()"}}), "FALSE");
  EXPECT_EQ(Where({{"delay", "not.in.()"}}), "TRUE");
  EXPECT_EQ(Where({{"delay", "is.null"}}), "(delay IS NULL)");
  EXPECT_EQ(Where({{"late", "is.false"}}), "(late IS NOT DISTINCT FROM FALSE)");
}

TEST(RowsQueryTest, KeepsRequestTextOutOfTheSql) {
  std::string sql = Sql({{"origin", "eq.x'); DROP TABLE flights; --"}});
  EXPECT_THAT(sql, HasSubstr("(origin = 'x''); DROP TABLE flights; --')"));
}

TEST(RowsQueryTest, RefusesUnknownColumnsSuggestingTheNearest) {
  HttpError filter = BadRequest({{"dealy", "eq.1"}});
  EXPECT_EQ(filter.parameter(), "dealy");
  EXPECT_STREQ(filter.what(), "column \"dealy\" does not exist; did you mean \"delay\"?");
  EXPECT_EQ(BadRequest({{"select", "origin,dya"}}).parameter(), "select");
  EXPECT_EQ(BadRequest({{"order", "orign.desc"}}).parameter(), "order");
  EXPECT_STREQ(BadRequest({{"zzzzzz", "eq.1"}}).what(), "column \"zzzzzz\" does not exist");
}

TEST(RowsQueryTest, RefusesValuesAndOperatorsTheColumnTypeLacks) {
  HttpError number = BadRequest({{"delay", "gt.abc"}});
  EXPECT_EQ(number.parameter(), "delay");
  EXPECT_STREQ(number.what(), "\"abc\" is not a BIGINT value of column \"delay\"");
  EXPECT_EQ(BadRequest({{"day", "eq.2024-13-01"}}).parameter(), "day");
  EXPECT_EQ(BadRequest({{"delay", "in.(1,x)"}}).parameter(), "delay");
  EXPECT_EQ(BadRequest({{"late", "eq.maybe"}}).parameter(), "late");
  EXPECT_THAT(BadRequest({{"delay", "like.1*"}}).what(), HasSubstr("needs a text column"));
  EXPECT_THAT(BadRequest({{"origin", "is.true"}}).what(), HasSubstr("needs a BOOLEAN column"));
  EXPECT_EQ(BadRequest({{"select", "origin,origin"}}).parameter(), "select");
}

TEST(RowsQueryTest, ContinuesAfterTheCursorRowInThePagingOrder) {
  RowsQuery rows = ParseRowsQuery({{"order", "delay.desc,origin.nullsfirst"}});
  std::string cursor = MakeCursor(
      rows, Flights(),
      {Value::Bigint(5), Value::Null(TypeId::kVarchar), Value::Date(0), Value::Boolean(true)});
  EXPECT_EQ(
      cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(Where({{"order", "delay.desc,origin.nullsfirst"}, {"cursor", cursor}}),
            "((((delay < CAST('5' AS BIGINT)) OR "
            "((delay = CAST('5' AS BIGINT)) AND (origin IS NOT NULL))) OR "
            "(((delay = CAST('5' AS BIGINT)) AND (origin IS NULL)) AND "
            "((day > CAST('1970-01-01' AS DATE)) OR (day IS NULL)))) OR "
            "((((delay = CAST('5' AS BIGINT)) AND (origin IS NULL)) AND "
            "(day = CAST('1970-01-01' AS DATE))) AND "
            "((late > CAST('true' AS BOOLEAN)) OR (late IS NULL))))");
}

TEST(RowsQueryTest, WritesNothingAfterANullThatSortsLast) {
  RowsQuery rows = ParseRowsQuery({{"order", "origin"}});
  std::string cursor = MakeCursor(rows, Flights(),
                                  {Value::Null(TypeId::kVarchar), Value::Null(TypeId::kBigint),
                                   Value::Null(TypeId::kDate), Value::Null(TypeId::kBoolean)});
  EXPECT_EQ(Where({{"order", "origin"}, {"cursor", cursor}}), "FALSE");
}

TEST(RowsQueryTest, RefusesBadCursors) {
  RowsQuery rows = ParseRowsQuery({{"order", "delay"}});
  std::string cursor =
      MakeCursor(rows, Flights(),
                 {Value::Bigint(5), Value::Varchar("x"), Value::Date(0), Value::Boolean(false)});
  std::vector<Fields> bad = {
      {{"cursor", "not base64!"}},
      {{"cursor", "AAAA"}},
      {{"cursor", cursor.substr(0, cursor.size() - 3)}},
      {{"order", "delay.desc"}, {"cursor", cursor}},
      {{"cursor", cursor}},
      {{"cursor", std::string(70000, 'A')}},
  };
  for (const Fields& parameters : bad) {
    HttpError error = BadRequest(parameters);
    EXPECT_EQ(error.parameter(), "cursor");
    EXPECT_THAT(error.what(), HasSubstr("cursor is not valid"));
  }
  core::Schema changed({{"origin", TypeId::kVarchar},
                        {"delay", TypeId::kDouble},
                        {"day", TypeId::kDate},
                        {"late", TypeId::kBoolean}});
  rows.cursor = cursor;
  EXPECT_THROW(BuildRowsQuery(rows, "flights", changed, 0), HttpError);
  EXPECT_EQ(BadRequest({{"order", "delay"}, {"cursor", cursor}, {"offset", "1"}}).parameter(),
            "offset");
}

TEST(RowsQueryTest, CursorsKeepValuesExactly) {
  core::Schema schema({{"text", TypeId::kVarchar}, {"x", TypeId::kDouble}});
  RowsQuery rows;
  rows.cursor =
      MakeCursor(rows, schema, {Value::Varchar("\"q\"\\ \n\t\x01 ✓"), Value::Double(0.1)});
  std::string sql = sql::ToSql(*BuildRowsQuery(rows, "t", schema, 0).query);
  EXPECT_THAT(sql, HasSubstr("(text > '\"q\"\\ \n\t\x01 ✓')"));
  EXPECT_THAT(sql, HasSubstr("(x > CAST('0.1' AS DOUBLE))"));
}

TEST(RowsQueryTest, NextCursorIsEmptyOnTheLastPage) {
  RowsQuery rows = ParseRowsQuery({{"select", "delay"}, {"limit", "2"}});
  RowsPlan plan = BuildRowsQuery(rows, "flights", Flights(), 0);
  auto output =
      std::make_shared<core::Schema>(std::vector<core::Field>{{"delay", TypeId::kBigint},
                                                              {"origin", TypeId::kVarchar},
                                                              {"day", TypeId::kDate},
                                                              {"late", TypeId::kBoolean}});
  std::vector<core::Batch> batches;
  batches.emplace_back(output);
  batches.back().AppendRow(
      {Value::Bigint(1), Value::Varchar("a"), Value::Date(1), Value::Boolean(true)});
  EXPECT_EQ(NextCursor(rows, Flights(), plan, batches), "");
  batches.emplace_back(output);
  batches.back().AppendRow(
      {Value::Bigint(2), Value::Varchar("b"), Value::Date(2), Value::Boolean(false)});
  batches.emplace_back(output);
  EXPECT_EQ(
      NextCursor(rows, Flights(), plan, batches),
      MakeCursor(rows, Flights(),
                 {Value::Varchar("b"), Value::Bigint(2), Value::Date(2), Value::Boolean(false)}));
}

}  // namespace
}  // namespace sluice::serve
