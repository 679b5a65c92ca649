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

TEST(ModelStatementParserTest, ParsesCreateModelWithOptions) {
  auto statement = ParseStatement(
      "CREATE OR REPLACE MODEL delay_model\n"
      "OPTIONS (model_type = 'boosted_tree_regressor', input_label_cols = ['delay'],\n"
      "         max_tree_depth = HPARAM_CANDIDATES([4, 6]), learn_rate = HPARAM_RANGE(0.01, 0.3))\n"
      "AS SELECT origin, distance, delay FROM flights");
  const auto& create = statement->As<CreateModelStatement>();
  EXPECT_TRUE(create.or_replace);
  EXPECT_EQ(create.name, QualifiedName{"delay_model"});
  ASSERT_EQ(create.options.size(), 4u);
  EXPECT_EQ(create.options[1].name, "input_label_cols");
  EXPECT_EQ(create.options[1].value->kind, ExprKind::kList);
  EXPECT_EQ(create.options[3].location.line, 3);
  EXPECT_EQ(create.options[3].value->As<FunctionExpr>().name.back(), "hparam_range");
  ASSERT_NE(create.query, nullptr);
  EXPECT_EQ(ToSql(*statement),
            "CREATE OR REPLACE MODEL delay_model OPTIONS (model_type = 'boosted_tree_regressor', "
            "input_label_cols = ['delay'], max_tree_depth = hparam_candidates([4, 6]), "
            "learn_rate = hparam_range(0.01, 0.3)) AS SELECT origin, distance, delay FROM flights");
  EXPECT_EQ(ToSql(*ParseStatement(ToSql(*statement))), ToSql(*statement));
}

TEST(ModelStatementParserTest, ParsesTransformAndParenthesizedQuery) {
  EXPECT_EQ(Canonical("create model if not exists m transform (x * 2 as x2, y) "
                      "options (model_type = 'linear_reg') as (select x, y from t)"),
            "CREATE MODEL IF NOT EXISTS m TRANSFORM ((x * 2) AS x2, y) "
            "OPTIONS (model_type = 'linear_reg') AS SELECT x, y FROM t");
  EXPECT_EQ(Canonical("CREATE MODEL m AS SELECT 1 AS y"), "CREATE MODEL m AS SELECT 1 AS y");
}

TEST(ModelStatementParserTest, RejectsBadCreateModel) {
  EXPECT_EQ(ErrorOf("CREATE MODEL m OPTIONS (a = 1, a = 2) AS SELECT 1"),
            "syntax error at line 1, column 32: option a is given twice");
  EXPECT_EQ(ErrorOf("CREATE MODEL m OPTIONS (model_type 'x') AS SELECT 1"),
            "syntax error at line 1, column 36: expected '=', found ''x''");
  EXPECT_EQ(ErrorOf("CREATE MODEL m OPTIONS (a = 1)"),
            "syntax error at line 1, column 31: expected AS, found end of input");
}

TEST(ModelStatementParserTest, ParsesModelTableFunctions) {
  EXPECT_EQ(Canonical("select * from ml.predict(model m, (select * from t limit 10))"),
            "SELECT * FROM ML.PREDICT(MODEL m, (SELECT * FROM t LIMIT 10))");
  EXPECT_EQ(Canonical("SELECT * FROM ML.PREDICT(MODEL m, TABLE t, STRUCT(0.6 AS threshold)) p"),
            "SELECT * FROM ML.PREDICT(MODEL m, TABLE t, STRUCT(0.6 AS threshold)) AS p");
  EXPECT_EQ(Canonical("SELECT * FROM ML.EVALUATE(MODEL m)"), "SELECT * FROM ML.EVALUATE(MODEL m)");
  EXPECT_EQ(Canonical("SELECT * FROM ML.CONFUSION_MATRIX(MODEL m, STRUCT(0.3 AS threshold))"),
            "SELECT * FROM ML.CONFUSION_MATRIX(MODEL m, STRUCT(0.3 AS threshold))");
  auto statement = ParseStatement("SELECT * FROM ml.weights(MODEL s.m) JOIN x USING (feature)");
  const auto& select = statement->As<SelectStatement>().query->As<SelectNode>();
  const auto& ref = select.from->As<JoinRef>().left->As<ModelFunctionRef>();
  EXPECT_EQ(ref.function, "weights");
  EXPECT_EQ(ref.model, (QualifiedName{"s", "m"}));
  EXPECT_TRUE(ref.table.empty());
  EXPECT_EQ(ref.query, nullptr);
  // Other ml.* calls stay table functions.
  EXPECT_EQ(ParseStatement("SELECT * FROM ml.f(1)")
                ->As<SelectStatement>()
                .query->As<SelectNode>()
                .from->kind,
            TableRefKind::kTableFunction);
  EXPECT_EQ(ErrorOf("SELECT * FROM ML.PREDICT(MODEL m, 3)"),
            "syntax error at line 1, column 35: expected ')', found '3'");
}

TEST(ModelStatementParserTest, ParsesDropModel) {
  EXPECT_EQ(Canonical("drop model if exists m"), "DROP MODEL IF EXISTS m");
  EXPECT_EQ(ParseStatement("DROP MODEL m")->As<DropStatement>().object_type, ObjectType::kModel);
}

}  // namespace
}  // namespace sluice::sql
