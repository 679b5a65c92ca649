#include "exec/expression_evaluator.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "exec/testing/test_expressions.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;
using testing::Col;
using testing::Evaluate;
using testing::ExpressionPtr;
using testing::Fn;
using testing::Lit;
using testing::MakeBatch;
using testing::Node;

const Value kNullBool = Value::Null(TypeId::kBoolean);

std::vector<ExpressionPtr> List(ExpressionPtr a, ExpressionPtr b) {
  std::vector<ExpressionPtr> list;
  list.push_back(std::move(a));
  list.push_back(std::move(b));
  return list;
}

std::vector<ExpressionPtr> List(ExpressionPtr a, ExpressionPtr b, ExpressionPtr c) {
  std::vector<ExpressionPtr> list = List(std::move(a), std::move(b));
  list.push_back(std::move(c));
  return list;
}

std::vector<ExpressionPtr> List(ExpressionPtr a) {
  std::vector<ExpressionPtr> list;
  list.push_back(std::move(a));
  return list;
}

core::Batch Numbers() {
  return MakeBatch({TypeId::kBigint, TypeId::kVarchar},
                   {{Value::Bigint(1), Value::Varchar("one")},
                    {Value::Bigint(0), Value::Varchar("zero, a long string here")},
                    {Value::Null(TypeId::kBigint), Value::Null(TypeId::kVarchar)},
                    {Value::Bigint(4), Value::Varchar("four")}});
}

TEST(ExpressionEvaluatorTest, ColumnWithoutSelectionSharesTheBuffer) {
  core::Batch batch = Numbers();
  ExpressionEvaluator evaluator;
  core::Vector result(TypeId::kBoolean);
  evaluator.Evaluate(*Col(0, TypeId::kBigint), batch, result);
  EXPECT_EQ(result.data<int64_t>(), batch.column(0).data<int64_t>());
  EXPECT_EQ(result.size(), 4u);
  EXPECT_TRUE(result.IsNull(2));
}

TEST(ExpressionEvaluatorTest, SelectionIsHonoured) {
  core::Batch batch = Numbers();
  batch.SetSelection({3, 1});
  auto values = Evaluate(*Col(1, TypeId::kVarchar), batch);
  EXPECT_EQ(values, (std::vector<Value>{Value::Varchar("four"),
                                        Value::Varchar("zero, a long string here")}));
  auto sums = Evaluate(*Fn("+", Col(0, TypeId::kBigint), Lit(Value::Integer(10))), batch);
  EXPECT_EQ(sums, (std::vector<Value>{Value::Bigint(14), Value::Bigint(10)}));
}

TEST(ExpressionEvaluatorTest, ConstantsFillEveryRow) {
  core::Batch batch = Numbers();
  auto values = Evaluate(*Lit(Value::Varchar("a constant longer than twelve")), batch);
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[3], Value::Varchar("a constant longer than twelve"));
  auto nulls = Evaluate(*Lit(Value::Null(TypeId::kDate)), batch);
  EXPECT_TRUE(nulls[0].is_null() && nulls[3].is_null());
}

TEST(ExpressionEvaluatorTest, NullPropagatesThroughCalls) {
  core::Batch batch = Numbers();
  auto values =
      Evaluate(*Fn("=", Col(0, TypeId::kBigint), Lit(Value::Null(TypeId::kBigint))), batch);
  for (const Value& value : values) EXPECT_TRUE(value.is_null());
  auto null_equals_null =
      testing::Call("=", {Value::Null(TypeId::kBigint), Value::Null(TypeId::kBigint)});
  EXPECT_TRUE(null_equals_null.is_null());
}

TEST(ExpressionEvaluatorTest, CaseEvaluatesBranchesOnlyOnTheirRows) {
  // CASE WHEN x = 0 THEN 0 ELSE 100 / x END never divides by zero.
  core::Batch batch = Numbers();
  auto expression =
      Node(ExpressionKind::kCase,
           List(Fn("=", Col(0, TypeId::kBigint), Lit(Value::Bigint(0))), Lit(Value::Bigint(0)),
                Fn("/", Lit(Value::Bigint(100)), Col(0, TypeId::kBigint))),
           TypeId::kBigint);
  auto values = Evaluate(*expression, batch);
  EXPECT_EQ(values, (std::vector<Value>{Value::Bigint(100), Value::Bigint(0),
                                        Value::Null(TypeId::kBigint), Value::Bigint(25)}));
  EXPECT_THROW(Evaluate(*Fn("/", Lit(Value::Bigint(100)), Col(0, TypeId::kBigint)), batch),
               DataError);
}

TEST(ExpressionEvaluatorTest, CaseWithoutElseIsNullAndStringsSurvive) {
  core::Batch batch = Numbers();
  batch.SetSelection({1, 2, 3});
  auto expression =
      Node(ExpressionKind::kCase,
           List(Fn(">", Col(0, TypeId::kBigint), Lit(Value::Bigint(2))), Col(1, TypeId::kVarchar)),
           TypeId::kVarchar);
  auto values = Evaluate(*expression, batch);
  EXPECT_EQ(values, (std::vector<Value>{Value::Null(TypeId::kVarchar),
                                        Value::Null(TypeId::kVarchar), Value::Varchar("four")}));
}

TEST(ExpressionEvaluatorTest, AndOrFollowThreeValuedLogic) {
  std::vector<Value> truth = {Value::Boolean(true), Value::Boolean(false), kNullBool};
  std::vector<std::vector<Value>> rows;
  for (const Value& a : truth) {
    for (const Value& b : truth) rows.push_back({a, b});
  }
  core::Batch batch = MakeBatch({TypeId::kBoolean, TypeId::kBoolean}, rows);
  auto ands = Evaluate(
      *Node(ExpressionKind::kAnd, List(Col(0, TypeId::kBoolean), Col(1, TypeId::kBoolean))), batch);
  auto ors = Evaluate(
      *Node(ExpressionKind::kOr, List(Col(0, TypeId::kBoolean), Col(1, TypeId::kBoolean))), batch);
  Value t = Value::Boolean(true), f = Value::Boolean(false), n = kNullBool;
  EXPECT_EQ(ands, (std::vector<Value>{t, f, n, f, f, f, n, f, n}));
  EXPECT_EQ(ors, (std::vector<Value>{t, t, t, t, f, n, t, n, n}));
}

TEST(ExpressionEvaluatorTest, AndSkipsRowsAlreadyFalse) {
  // x <> 0 AND 10 / x > 1 must not divide by zero on the row where x = 0.
  core::Batch batch = Numbers();
  auto expression = Node(
      ExpressionKind::kAnd,
      List(Fn("<>", Col(0, TypeId::kBigint), Lit(Value::Bigint(0))),
           Fn(">", Fn("/", Lit(Value::Bigint(10)), Col(0, TypeId::kBigint)), Lit(Value::Bigint(1))),
           Fn("<", Col(0, TypeId::kBigint), Lit(Value::Bigint(3)))));
  auto values = Evaluate(*expression, batch);
  EXPECT_EQ(values, (std::vector<Value>{Value::Boolean(true), Value::Boolean(false), kNullBool,
                                        Value::Boolean(false)}));
}

TEST(ExpressionEvaluatorTest, NotAndIsNull) {
  core::Batch batch = MakeBatch({TypeId::kBoolean}, {{Value::Boolean(true)}, {kNullBool}});
  auto negated = Evaluate(*Node(ExpressionKind::kNot, List(Col(0, TypeId::kBoolean))), batch);
  EXPECT_EQ(negated, (std::vector<Value>{Value::Boolean(false), kNullBool}));
  auto is_null = Evaluate(*Node(ExpressionKind::kIsNull, List(Col(0, TypeId::kBoolean))), batch);
  EXPECT_EQ(is_null, (std::vector<Value>{Value::Boolean(false), Value::Boolean(true)}));
}

TEST(ExpressionEvaluatorTest, SelectReturnsPhysicalPositionsOfTrueRows) {
  core::Batch batch = Numbers();
  ExpressionEvaluator evaluator;
  auto predicate = Fn(">=", Col(0, TypeId::kBigint), Lit(Value::Bigint(1)));
  EXPECT_EQ(evaluator.Select(*predicate, batch), (core::SelectionVector{0, 3}));
  batch.SetSelection({3, 2, 1});
  EXPECT_EQ(evaluator.Select(*predicate, batch), (core::SelectionVector{3}));
}

TEST(ExpressionEvaluatorTest, FullBatchesAndReuseAcrossCalls) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 2048; ++i) rows.push_back({Value::Bigint(i), Value::Bigint(2048 - i)});
  core::Batch batch = MakeBatch({TypeId::kBigint, TypeId::kBigint}, rows);
  ExpressionEvaluator evaluator;
  auto expression =
      Fn("<", Fn("*", Col(0, TypeId::kBigint), Lit(Value::Bigint(3))), Col(1, TypeId::kBigint));
  for (int round = 0; round < 3; ++round) {
    core::Vector result(TypeId::kBoolean);
    evaluator.Evaluate(*expression, batch, result);
    ASSERT_EQ(result.size(), 2048u);
    for (size_t i = 0; i < 2048; ++i) {
      ASSERT_EQ(result.data<uint8_t>()[i] != 0, int64_t(i) * 3 < 2048 - int64_t(i)) << i;
    }
    EXPECT_EQ(evaluator.Select(*expression, batch).size(), 512u);
  }
}

TEST(ExpressionEvaluatorTest, ErrorsFromNullRowsAreIgnored) {
  // The NULL row holds garbage (maybe zero) but must not raise division by zero.
  core::Batch batch =
      MakeBatch({TypeId::kBigint}, {{Value::Bigint(2)}, {Value::Null(TypeId::kBigint)}});
  batch.column(0).data<int64_t>()[1] = 0;
  auto values = Evaluate(*Fn("/", Lit(Value::Bigint(8)), Col(0, TypeId::kBigint)), batch);
  EXPECT_EQ(values, (std::vector<Value>{Value::Bigint(4), Value::Null(TypeId::kBigint)}));
}

TEST(ExpressionEvaluatorTest, CastNodes) {
  core::Batch batch =
      MakeBatch({TypeId::kVarchar}, {{Value::Varchar("42")}, {Value::Varchar("x")}});
  batch.SetSelection({0});
  auto values = Evaluate(*Expression::Cast(Col(0, TypeId::kVarchar), TypeId::kInteger), batch);
  EXPECT_EQ(values, (std::vector<Value>{Value::Integer(42)}));
  batch.SetSelection({0, 1});
  EXPECT_THROW(Evaluate(*Expression::Cast(Col(0, TypeId::kVarchar), TypeId::kInteger), batch),
               DataError);
}

TEST(ExpressionEvaluatorTest, ToStringReadsLikeSql) {
  auto expression = Node(ExpressionKind::kCase,
                         List(Fn("=", Col(0, TypeId::kBigint), Lit(Value::Integer(0))),
                              Lit(Value::Varchar("it's")), Fn("lower", Col(1, TypeId::kVarchar))),
                         TypeId::kVarchar);
  EXPECT_EQ(expression->ToString(),
            "CASE WHEN (#0 = CAST(0 AS BIGINT)) THEN 'it''s' ELSE lower(#1) END");
}

}  // namespace
}  // namespace sluice::exec
