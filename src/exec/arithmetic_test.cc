#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "core/datetime.h"
#include "exec/scalar_function.h"
#include "exec/testing/test_expressions.h"
#include "exec/vector_cast.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;
using testing::Call;

Value B(int64_t v) { return Value::Bigint(v); }
Value I(int32_t v) { return Value::Integer(v); }
Value D(double v) { return Value::Double(v); }
Value S(std::string v) { return Value::Varchar(std::move(v)); }
Value Bool(bool v) { return Value::Boolean(v); }

TEST(ArithmeticTest, IntegerOperators) {
  EXPECT_EQ(Call("+", {I(2), I(3)}), I(5));
  EXPECT_EQ(Call("-", {B(2), B(3)}), B(-1));
  EXPECT_EQ(Call("*", {I(4), B(5)}), B(20));
  EXPECT_EQ(Call("/", {I(7), I(2)}), I(3));
  EXPECT_EQ(Call("/", {I(-7), I(2)}), I(-3));
  EXPECT_EQ(Call("%", {I(-7), I(2)}), I(-1));
  EXPECT_EQ(Call("%", {B(INT64_MIN), B(-1)}), B(0));
  EXPECT_EQ(Call("negate", {B(5)}), B(-5));
  EXPECT_EQ(Call("/", {D(1), I(4)}), D(0.25));
}

TEST(ArithmeticTest, OverflowIsDetected) {
  EXPECT_THROW(Call("+", {B(9223372036854775807), B(1)}), DataError);
  EXPECT_THROW(Call("-", {B(INT64_MIN), B(1)}), DataError);
  EXPECT_THROW(Call("*", {I(65536), I(65536)}), DataError);
  EXPECT_THROW(Call("/", {I(INT32_MIN), I(-1)}), DataError);
  EXPECT_THROW(Call("negate", {I(INT32_MIN)}), DataError);
  EXPECT_THROW(Call("abs", {B(INT64_MIN)}), DataError);
  try {
    Call("+", {B(9223372036854775807), B(1)});
  } catch (const DataError& error) {
    EXPECT_STREQ(error.what(), "integer overflow in +: 9223372036854775807 + 1");
  }
}

TEST(ArithmeticTest, DivisionByZero) {
  EXPECT_THROW(Call("/", {I(1), I(0)}), DataError);
  EXPECT_THROW(Call("%", {B(1), B(0)}), DataError);
  EXPECT_THROW(Call("/", {D(1), D(0)}), DataError);
  EXPECT_TRUE(Call("/", {B(1), Value::Null(TypeId::kBigint)}).is_null());
}

TEST(ArithmeticTest, DateArithmetic) {
  Value date = Value::Date(11323);  // 2001-01-01
  EXPECT_EQ(Call("+", {date, I(31)}), Value::Date(11354));
  EXPECT_EQ(Call("+", {B(1), date}), Value::Date(11324));
  EXPECT_EQ(Call("-", {date, I(1)}), Value::Date(11322));
  EXPECT_EQ(Call("-", {date, Value::Date(11300)}), B(23));
  EXPECT_EQ(Call("-", {Value::Timestamp(5000000), Value::Timestamp(1000000)}), B(4000000));
  EXPECT_THROW(Call("+", {date, B(int64_t{1} << 40)}), DataError);
}

TEST(ComparisonTest, EveryTypeAndNulls) {
  EXPECT_EQ(Call("<", {I(1), B(2)}), Bool(true));
  EXPECT_EQ(Call(">=", {D(1.5), I(2)}), Bool(false));
  EXPECT_EQ(Call("=", {S("a long string, the same"), S("a long string, the same")}), Bool(true));
  EXPECT_EQ(Call("<", {S("a long string, abc"), S("a long string, abd")}), Bool(true));
  EXPECT_EQ(Call("<", {S("ab"), S("abc")}), Bool(true));
  EXPECT_EQ(Call("<>", {S("abc"), S("abd")}), Bool(true));
  EXPECT_EQ(Call("<=", {Value::Date(3), Value::Date(3)}), Bool(true));
  EXPECT_EQ(Call(">", {Value::Timestamp(3), Value::Date(0)}), Bool(true));
  EXPECT_EQ(Call("=", {Bool(true), Bool(true)}), Bool(true));
  EXPECT_EQ(Call("=", {D(NAN), D(NAN)}), Bool(true));
  EXPECT_EQ(Call(">", {D(NAN), D(INFINITY)}), Bool(true));
  EXPECT_TRUE(Call("=", {Value::Null(TypeId::kVarchar), S("x")}).is_null());
  Value null_int = Value::Null(TypeId::kInteger);
  EXPECT_EQ(Call("is_distinct_from", {null_int, null_int}), Bool(false));
  EXPECT_EQ(Call("is_distinct_from", {null_int, I(1)}), Bool(true));
  EXPECT_EQ(Call("is_not_distinct_from", {I(1), I(1)}), Bool(true));
  EXPECT_EQ(Call("is_not_distinct_from", {S("x"), Value::Null(TypeId::kVarchar)}), Bool(false));
}

TEST(ResolveTest, PicksTheCheapestOverload) {
  const auto& registry = ScalarFunctionRegistry::BuiltIn();
  using Types = std::vector<std::optional<TypeId>>;
  Types int_bigint = {TypeId::kInteger, TypeId::kBigint};
  EXPECT_EQ(registry.Resolve("+", int_bigint)->result, TypeId::kBigint);
  Types int_int = {TypeId::kInteger, TypeId::kInteger};
  EXPECT_EQ(registry.Resolve("+", int_int)->result, TypeId::kInteger);
  Types int_double = {TypeId::kInteger, TypeId::kDouble};
  EXPECT_EQ(registry.Resolve("*", int_double)->result, TypeId::kDouble);
  Types null_date = {std::nullopt, TypeId::kDate};
  EXPECT_EQ(registry.Resolve("-", null_date)->result, TypeId::kBigint);
  Types text_int = {TypeId::kVarchar, TypeId::kInteger};
  EXPECT_EQ(registry.Resolve("+", text_int), nullptr);
  Types three = {TypeId::kInteger, TypeId::kBigint, std::nullopt};
  EXPECT_EQ(registry.Resolve("coalesce", three)->arguments[0], TypeId::kBigint);
  EXPECT_EQ(registry.Resolve("nope", three), nullptr);
  EXPECT_TRUE(registry.Contains("regexp_replace"));
  EXPECT_EQ(ImplicitCastCost(TypeId::kDate, TypeId::kTimestamp), 1);
  EXPECT_EQ(ImplicitCastCost(TypeId::kDouble, TypeId::kBigint), std::nullopt);
}

Value Cast(Value value, TypeId target) {
  core::Vector source(value.type(), 4);
  source.set_size(1);
  source.SetValue(0, value);
  core::Vector result(target, 4);
  result.set_size(1);
  CastVector(source, 1, result);
  Value vectorized = result.GetValue(0);
  EXPECT_EQ(vectorized, value.CastTo(target)) << "core::Value disagrees for " << value.ToString();
  return vectorized;
}

TEST(VectorCastTest, TextToValues) {
  EXPECT_EQ(Cast(S("42"), TypeId::kInteger), I(42));
  EXPECT_EQ(Cast(S("-9000000000"), TypeId::kBigint), B(-9000000000));
  EXPECT_EQ(Cast(S("2.5"), TypeId::kDouble), D(2.5));
  EXPECT_EQ(Cast(S("2001-01-01"), TypeId::kDate), Value::Date(11323));
  EXPECT_EQ(Cast(S("2001-01-01 10:00:00"), TypeId::kTimestamp),
            Value::Timestamp(11323 * core::kMicrosPerDay + 36000LL * 1000000));
  EXPECT_EQ(Cast(S("Yes"), TypeId::kBoolean), Bool(true));
  EXPECT_EQ(Cast(Value::Null(TypeId::kVarchar), TypeId::kDate), Value::Null(TypeId::kDate));
}

TEST(VectorCastTest, BadTextNamesValueAndType) {
  try {
    Cast(S("12x"), TypeId::kInteger);
    FAIL();
  } catch (const DataError& error) {
    EXPECT_STREQ(error.what(), "cannot cast '12x' to INTEGER");
  }
  EXPECT_THROW(Cast(S("3000000000"), TypeId::kInteger), DataError);
  EXPECT_THROW(Cast(S("2001-02-30"), TypeId::kDate), DataError);
  EXPECT_THROW(Cast(S("maybe"), TypeId::kBoolean), DataError);
}

TEST(VectorCastTest, NumbersAndDates) {
  EXPECT_EQ(Cast(D(2.5), TypeId::kBigint), B(2));  // rint, as PostgreSQL's float8 to int8
  EXPECT_EQ(Cast(D(-3.7), TypeId::kInteger), I(-4));
  EXPECT_THROW(Cast(D(1e19), TypeId::kBigint), DataError);
  EXPECT_THROW(Cast(D(NAN), TypeId::kInteger), DataError);
  EXPECT_THROW(Cast(B(3000000000), TypeId::kInteger), DataError);
  EXPECT_EQ(Cast(I(7), TypeId::kDouble), D(7));
  EXPECT_EQ(Cast(Bool(true), TypeId::kInteger), I(1));
  EXPECT_EQ(Cast(Value::Date(1), TypeId::kTimestamp), Value::Timestamp(core::kMicrosPerDay));
  EXPECT_EQ(Cast(Value::Timestamp(-1), TypeId::kDate), Value::Date(-1));
  EXPECT_FALSE(CanCast(TypeId::kDate, TypeId::kInteger));
}

TEST(VectorCastTest, ValuesToTextMatchValueToString) {
  for (Value value :
       {D(0.1), D(1e300), D(-0.0), D(NAN), D(INFINITY), B(INT64_MIN), I(-5), Bool(false),
        Value::Date(-800000), Value::Date(11323), Value::Timestamp(978307200123456)}) {
    EXPECT_EQ(Cast(value, TypeId::kVarchar), S(value.ToString()));
  }
}

}  // namespace
}  // namespace sluice::exec
