#include "testing/sqllogictest_parser.h"

#include <gtest/gtest.h>

namespace sluice::testing {
namespace {

TEST(SqlLogicTestParserTest, ReadsStatementsAndComments) {
  std::vector<Record> records = ParseSqlLogicTest(
      "# a comment\n"
      "statement ok\n"
      "CREATE TABLE t (a INTEGER,\n"
      "  b VARCHAR)\n"
      "\n"
      "statement error\n"
      "SELECT x\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind, RecordKind::kStatement);
  EXPECT_FALSE(records[0].expect_error);
  EXPECT_EQ(records[0].line, 2);
  EXPECT_EQ(records[0].sql, "CREATE TABLE t (a INTEGER,\n  b VARCHAR)");
  EXPECT_TRUE(records[1].expect_error);
  EXPECT_FALSE(records[1].expected_error.has_value());
  EXPECT_EQ(records[1].line, 6);
}

TEST(SqlLogicTestParserTest, ReadsExpectedErrorMessage) {
  std::vector<Record> records =
      ParseSqlLogicTest("statement error\nSELECT 1/0\n----\ndivision by zero\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].sql, "SELECT 1/0");
  EXPECT_EQ(records[0].expected_error, "division by zero");
}

TEST(SqlLogicTestParserTest, ReadsQueryHeaderAndResults) {
  std::vector<Record> records = ParseSqlLogicTest(
      "query IT rowsort label-1\r\n"
      "SELECT a, b\r\n"
      "FROM t\r\n"
      "----\r\n"
      "1\r\n"
      "x\r\n");
  ASSERT_EQ(records.size(), 1u);
  const Record& query = records[0];
  EXPECT_EQ(query.kind, RecordKind::kQuery);
  EXPECT_EQ(query.types, "IT");
  EXPECT_EQ(query.sort_mode, SortMode::kRowSort);
  EXPECT_EQ(query.label, "label-1");
  EXPECT_EQ(query.sql, "SELECT a, b\nFROM t");
  EXPECT_EQ(query.expected, (std::vector<std::string>{"1", "x"}));
}

TEST(SqlLogicTestParserTest, ReadsConditionsAndDirectives) {
  std::vector<Record> records = ParseSqlLogicTest(
      "hash-threshold 8\n\n"
      "skipif mysql\nonlyif sluice\nquery I valuesort\nSELECT 1\n----\n1\n\n"
      "onlyif postgresql\nstatement ok\nSELECT 2\n\n"
      "mode output_result\n\n"
      "require parquet\n\n"
      "halt\n");
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].kind, RecordKind::kHashThreshold);
  EXPECT_EQ(records[0].argument, "8");
  EXPECT_EQ(records[1].conditions.size(), 2u);
  EXPECT_EQ(records[1].line, 5);
  EXPECT_EQ(records[1].sort_mode, SortMode::kValueSort);
  EXPECT_TRUE(RecordApplies(records[1], "sluice"));
  EXPECT_FALSE(RecordApplies(records[1], "mysql"));
  EXPECT_FALSE(RecordApplies(records[2], "sluice"));
  EXPECT_EQ(records[3].kind, RecordKind::kRequire);
  EXPECT_EQ(records[3].argument, "parquet");
  EXPECT_EQ(records[4].kind, RecordKind::kHalt);
}

TEST(SqlLogicTestParserTest, MarksMalformedRecordsInvalid) {
  std::vector<Record> records = ParseSqlLogicTest(
      "query X\nSELECT 1\n\n"
      "query I sideways\nSELECT 1\n\n"
      "statement maybe\nSELECT 1\n\n"
      "load 'x.db'\n\n"
      "statement ok\nSELECT 1\n----\n1\n");
  ASSERT_EQ(records.size(), 5u);
  for (const Record& record : records) {
    EXPECT_EQ(record.kind, RecordKind::kInvalid) << record.line;
    EXPECT_FALSE(record.error.empty());
  }
}

TEST(SqlLogicTestParserTest, ExpandsLoops) {
  std::vector<Record> records = ParseSqlLogicTest(
      "loop i 0 2\n\n"
      "foreach t INTEGER BIGINT\n\n"
      "query I\nSELECT ${i}::${t}\n----\n${i}\n\n"
      "endloop\n\n"
      "endloop\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].sql, "SELECT 0::INTEGER");
  EXPECT_EQ(records[1].sql, "SELECT 0::BIGINT");
  EXPECT_EQ(records[3].sql, "SELECT 1::BIGINT");
  EXPECT_EQ(records[3].expected, (std::vector<std::string>{"1"}));
}

}  // namespace
}  // namespace sluice::testing
