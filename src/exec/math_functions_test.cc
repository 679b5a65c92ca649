#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "exec/testing/test_expressions.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;
using testing::Call;

Value I(int32_t v) { return Value::Integer(v); }
Value B(int64_t v) { return Value::Bigint(v); }
Value D(double v) { return Value::Double(v); }

TEST(MathFunctionsTest, Rounding) {
  EXPECT_EQ(Call("round", {D(2.5)}), D(3));
  EXPECT_EQ(Call("round", {D(-2.5)}), D(-3));
  EXPECT_EQ(Call("round", {D(3.14159), I(2)}), D(3.14));
  EXPECT_EQ(Call("round", {D(1234.5), I(-2)}), D(1200));
  EXPECT_EQ(Call("round", {B(7)}), B(7));
  EXPECT_EQ(Call("floor", {D(-1.5)}), D(-2));
  EXPECT_EQ(Call("ceil", {D(-1.5)}), D(-1));
  EXPECT_EQ(Call("ceiling", {D(1.2)}), D(2));
  EXPECT_EQ(Call("trunc", {D(-1.7)}), D(-1));
}

TEST(MathFunctionsTest, Functions) {
  EXPECT_EQ(Call("abs", {I(-3)}), I(3));
  EXPECT_EQ(Call("abs", {D(-0.5)}), D(0.5));
  EXPECT_EQ(Call("sign", {B(-9)}), B(-1));
  EXPECT_EQ(Call("sign", {D(0)}), D(0));
  EXPECT_EQ(Call("sqrt", {I(16)}), D(4));
  EXPECT_THROW(Call("sqrt", {D(-1)}), DataError);
  EXPECT_EQ(Call("pow", {I(2), I(10)}), D(1024));
  EXPECT_THROW(Call("power", {D(-8), D(1.0 / 3.0)}), DataError);
  EXPECT_THROW(Call("power", {D(0), D(-1)}), DataError);
  EXPECT_EQ(Call("exp", {D(0)}), D(1));
  EXPECT_EQ(Call("ln", {D(1)}), D(0));
  EXPECT_THROW(Call("ln", {D(0)}), DataError);
  EXPECT_THROW(Call("log10", {D(-1)}), DataError);
  EXPECT_EQ(Call("log", {D(1000)}), D(3));
  EXPECT_EQ(Call("log", {D(2), D(8)}), D(3));
  EXPECT_EQ(Call("pi", {}), D(M_PI));
  double random = Call("random", {}).GetDouble();
  EXPECT_TRUE(random >= 0 && random < 1);
}

TEST(MathFunctionsTest, GreatestAndLeastIgnoreNulls) {
  EXPECT_EQ(Call("greatest", {I(1), B(5), I(3)}), B(5));
  EXPECT_EQ(Call("least", {D(1.5), Value::Null(TypeId::kDouble), D(-2)}), D(-2));
  EXPECT_EQ(Call("greatest", {Value::Varchar("apple"), Value::Varchar("banana, long text")}),
            Value::Varchar("banana, long text"));
  EXPECT_TRUE(Call("least", {Value::Null(TypeId::kDate), Value::Null(TypeId::kDate)}).is_null());
}

}  // namespace
}  // namespace sluice::exec
