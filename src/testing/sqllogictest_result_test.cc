#include "testing/sqllogictest_result.h"

#include <gtest/gtest.h>

namespace sluice::testing {
namespace {

using core::TypeId;
using core::Value;

TEST(SqlLogicTestResultTest, FormatsIntegers) {
  EXPECT_EQ(FormatValue(Value::Bigint(-42), 'I'), "-42");
  EXPECT_EQ(FormatValue(Value::Boolean(true), 'I'), "1");
  EXPECT_EQ(FormatValue(Value::Boolean(false), 'I'), "0");
  EXPECT_EQ(FormatValue(Value::Double(-2.9), 'I'), "-2");
  EXPECT_EQ(FormatValue(Value::Varchar("12abc"), 'I'), "12");
  EXPECT_EQ(FormatValue(Value::Varchar("abc"), 'I'), "0");
  EXPECT_EQ(FormatValue(Value::Null(TypeId::kInteger), 'I'), "NULL");
}

TEST(SqlLogicTestResultTest, FormatsReals) {
  EXPECT_EQ(FormatValue(Value::Double(2.5), 'R'), "2.500");
  EXPECT_EQ(FormatValue(Value::Double(1.0 / 3), 'R'), "0.333");
  EXPECT_EQ(FormatValue(Value::Integer(7), 'R'), "7.000");
  EXPECT_EQ(FormatValue(Value::Varchar("1.25"), 'R'), "1.250");
  EXPECT_EQ(FormatValue(Value::Null(TypeId::kDouble), 'R'), "NULL");
}

TEST(SqlLogicTestResultTest, FormatsText) {
  EXPECT_EQ(FormatValue(Value::Varchar("abc"), 'T'), "abc");
  EXPECT_EQ(FormatValue(Value::Varchar(""), 'T'), "(empty)");
  EXPECT_EQ(FormatValue(Value::Varchar("a\tb\nc"), 'T'), "a@b@c");
  EXPECT_EQ(FormatValue(Value::Varchar("é"), 'T'), "é");
  EXPECT_EQ(FormatValue(Value::Null(TypeId::kVarchar), 'T'), "NULL");
  EXPECT_EQ(FormatValue(Value::Boolean(true), 'T'), "true");
  EXPECT_EQ(FormatValue(Value::Integer(5), 'T'), "5");
  EXPECT_EQ(FormatValue(Value::Date(0), 'T'), "1970-01-01");
}

TEST(SqlLogicTestResultTest, SortsRowsAndValues) {
  std::vector<std::string> values = {"b", "1", "a", "2", "a", "10"};
  SortValues(values, 2, SortMode::kRowSort);
  EXPECT_EQ(values, (std::vector<std::string>{"a", "10", "a", "2", "b", "1"}));
  SortValues(values, 2, SortMode::kValueSort);
  EXPECT_EQ(values, (std::vector<std::string>{"1", "10", "2", "a", "a", "b"}));
  std::vector<std::string> unchanged = {"b", "a"};
  SortValues(unchanged, 1, SortMode::kNoSort);
  EXPECT_EQ(unchanged, (std::vector<std::string>{"b", "a"}));
}

TEST(SqlLogicTestResultTest, HashesLikeSqlite) {
  // md5("1\n2\n") as computed by sqllogictest's md5_add over each value and "\n".
  EXPECT_EQ(HashValues({"1", "2"}), "2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0");
  EXPECT_EQ(HashValues({}), "0 values hashing to d41d8cd98f00b204e9800998ecf8427e");
}

Record Query(std::string types, SortMode sort_mode, std::vector<std::string> expected) {
  Record record;
  record.kind = RecordKind::kQuery;
  record.types = std::move(types);
  record.sort_mode = sort_mode;
  record.expected = std::move(expected);
  return record;
}

TEST(SqlLogicTestResultTest, ComparesBothLayouts) {
  std::vector<std::string> actual = {"1", "a", "2", "b"};
  EXPECT_FALSE(CompareValues(actual, Query("IT", SortMode::kNoSort, {"1", "a", "2", "b"})));
  EXPECT_FALSE(CompareValues(actual, Query("IT", SortMode::kNoSort, {"1\ta", "2\tb"})));
  EXPECT_FALSE(CompareValues(actual, Query("IT", SortMode::kRowSort, {"2\tb", "1\ta"})));
  EXPECT_EQ(CompareValues(actual, Query("IT", SortMode::kNoSort, {"2\tb", "1\ta"})),
            "value 1: expected [2], got [1]");
  EXPECT_EQ(CompareValues(actual, Query("IT", SortMode::kNoSort, {"1\ta"})),
            "expected 2 values, got 4");
}

TEST(SqlLogicTestResultTest, ComparesHashes) {
  std::vector<std::string> actual = {"1", "2"};
  EXPECT_FALSE(CompareValues(
      actual,
      Query("I", SortMode::kNoSort, {"2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0"})));
  EXPECT_TRUE(CompareValues(
      actual,
      Query("I", SortMode::kNoSort, {"3 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0"})));
}

}  // namespace
}  // namespace sluice::testing
