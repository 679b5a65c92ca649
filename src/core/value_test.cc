#include "core/value.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::core {
namespace {

TEST(ValueTest, CastsFollowPostgres) {
  EXPECT_EQ(Value::Varchar("42").CastTo(TypeId::kBigint), Value::Bigint(42));
  EXPECT_EQ(Value::Varchar("2.5").CastTo(TypeId::kDouble), Value::Double(2.5));
  EXPECT_EQ(Value::Double(2.5).CastTo(TypeId::kInteger), Value::Integer(2));  // round half even
  EXPECT_EQ(Value::Double(3.5).CastTo(TypeId::kBigint), Value::Bigint(4));
  EXPECT_EQ(Value::Varchar("t").CastTo(TypeId::kBoolean), Value::Boolean(true));
  EXPECT_EQ(Value::Varchar("2001-01-01").CastTo(TypeId::kDate), Value::Date(11323));
  EXPECT_EQ(Value::Date(1).CastTo(TypeId::kTimestamp), Value::Timestamp(86400000000LL));
  EXPECT_EQ(Value::Timestamp(-1).CastTo(TypeId::kDate), Value::Date(-1));
  EXPECT_TRUE(Value::Null(TypeId::kVarchar).CastTo(TypeId::kBigint).is_null());
}

TEST(ValueTest, BadCastsThrowDataErrors) {
  EXPECT_THROW(Value::Varchar("abc").CastTo(TypeId::kBigint), DataError);
  EXPECT_THROW(Value::Bigint(1LL << 40).CastTo(TypeId::kInteger), DataError);
  EXPECT_THROW(Value::Varchar("2001-02-30").CastTo(TypeId::kDate), DataError);
  EXPECT_THROW(Value::Date(0).CastTo(TypeId::kBigint), DataError);
}

TEST(ValueTest, PrintsCanonically) {
  EXPECT_EQ(Value::Double(0.1).ToString(), "0.1");
  EXPECT_EQ(Value::Double(1e300).ToString(), "1e+300");
  EXPECT_EQ(Value::Boolean(false).ToString(), "false");
  EXPECT_EQ(Value::Null(TypeId::kDate).ToString(), "NULL");
  EXPECT_EQ(Value::Timestamp(978332100000000).ToString(), "2001-01-01 06:55:00");
}

}  // namespace
}  // namespace sluice::core
