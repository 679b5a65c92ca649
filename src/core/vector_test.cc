#include "core/vector.h"

#include <gtest/gtest.h>

#include "core/value.h"

namespace sluice::core {
namespace {

TEST(VectorTest, AllValidUntilANullIsSet) {
  Vector vector(TypeId::kBigint);
  vector.set_size(3);
  EXPECT_TRUE(vector.validity().all_valid());
  vector.SetNull(1);
  EXPECT_FALSE(vector.IsNull(0));
  EXPECT_TRUE(vector.IsNull(1));
  EXPECT_EQ(vector.validity().CountValid(3), 2u);
  vector.validity().SetValid(1);
  EXPECT_FALSE(vector.IsNull(1));
}

// Returns a value of every type.
std::vector<Value> ValuesOfEveryType() {
  return {Value::Boolean(true),
          Value::Integer(-7),
          Value::Bigint(1LL << 40),
          Value::Double(2.5),
          Value::Varchar("a long string beyond twelve"),
          Value::Date(11323),
          Value::Timestamp(978332100000000)};
}

TEST(VectorTest, ValuesRoundTripThroughEveryType) {
  for (const Value& value : ValuesOfEveryType()) {
    Vector vector(value.type(), 4);
    vector.set_size(2);
    vector.SetValue(0, value);
    vector.SetValue(1, Value::Null(value.type()));
    EXPECT_EQ(vector.GetValue(0), value) << value.ToString();
    EXPECT_TRUE(vector.GetValue(1).is_null());
  }
}

TEST(VectorTest, FillRepeatsOneValueOfEveryType) {
  std::vector<Value> values = ValuesOfEveryType();
  values.push_back(Value::Null(TypeId::kBigint));
  for (const Value& value : values) {
    Vector vector(value.type(), 100);
    vector.SetNull(3);  // a bitmap that Fill must set valid again
    vector.Fill(100, value);
    vector.set_size(100);
    for (size_t row : {0, 3, 50, 99}) EXPECT_EQ(vector.GetValue(row), value) << value.ToString();
  }
  Vector cast(TypeId::kDouble, 5);
  cast.Fill(5, Value::Integer(3));
  cast.set_size(5);
  EXPECT_EQ(cast.GetValue(4), Value::Double(3));
}

TEST(VectorTest, SetValueCasts) {
  Vector vector(TypeId::kDouble, 1);
  vector.set_size(1);
  vector.SetValue(0, Value::Integer(3));
  EXPECT_EQ(vector.GetValue(0), Value::Double(3));
}

TEST(VectorTest, CopyFromKeepsSourceStringsAlive) {
  Vector target(TypeId::kVarchar, 4);
  {
    Vector source(TypeId::kVarchar, 2);
    source.set_size(2);
    source.SetString(0, "first string, long enough for the heap");
    source.SetNull(1);
    target.set_size(3);
    target.CopyFrom(source, 0, 1, 2);
  }
  EXPECT_EQ(target.GetString(1), "first string, long enough for the heap");
  EXPECT_TRUE(target.IsNull(2));
}

TEST(VectorTest, ReserveKeepsValuesAndNulls) {
  Vector vector(TypeId::kInteger, 2);
  vector.set_size(2);
  vector.SetValue(0, Value::Integer(5));
  vector.SetNull(1);
  vector.Reserve(5000);
  EXPECT_EQ(vector.capacity(), 5000u);
  EXPECT_EQ(vector.GetValue(0), Value::Integer(5));
  EXPECT_TRUE(vector.IsNull(1));
  vector.set_size(5000);
  vector.SetNull(4999);
  EXPECT_TRUE(vector.IsNull(4999));
  EXPECT_FALSE(vector.IsNull(4998));
}

}  // namespace
}  // namespace sluice::core
