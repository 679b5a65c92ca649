#include "io/csv/csv_tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::io::csv {
namespace {

// Returns every row of `text` as fields joined by '|', and the issues as "offset:message".
std::vector<std::string> Split(std::string_view text, size_t columns, CsvDialect dialect = {},
                               std::vector<std::string>* issues = nullptr) {
  CsvTokenizer tokenizer(text, dialect, columns);
  FieldTable table;
  table.Reset(text, columns);
  std::vector<RowIssue> found;
  std::vector<std::string> rows;
  size_t position = 0;
  while (position < text.size()) {
    tokenizer.Fill(&position, text.size(), &table, &found);
    for (size_t row = 0; row < table.num_rows(); ++row) {
      std::string line;
      for (size_t column = 0; column < columns; ++column) {
        if (column > 0) line += '|';
        line += table.Field(row, column);
      }
      rows.push_back(line);
    }
  }
  for (const RowIssue& issue : found) {
    if (issues != nullptr) issues->push_back(std::to_string(issue.offset) + ":" + issue.message);
  }
  return rows;
}

TEST(CsvTokenizerTest, SplitsQuotedFieldsAsRfc4180) {
  EXPECT_THAT(Split("a,\"b,c\",\"d\"\"e\"\n1,\"x\ny\",3\n", 3),
              testing::ElementsAre("a|\"b,c\"|\"d\"\"e\"", "1|\"x\ny\"|3"));
}

TEST(CsvTokenizerTest, HandlesCrlfBlankLinesAndMissingFinalNewline) {
  EXPECT_THAT(Split("a,b\r\n\r\n1,\r\n\n2,3", 2), testing::ElementsAre("a|b", "1|", "2|3"));
}

TEST(CsvTokenizerTest, SkipsCommentLines) {
  CsvDialect dialect;
  dialect.comment = '#';
  EXPECT_THAT(Split("#x,y,z\na,b\n# c\n#\n1,2\n#end", 2, dialect),
              testing::ElementsAre("a|b", "1|2"));
}

TEST(CsvTokenizerTest, HonoursBackslashEscapes) {
  CsvDialect dialect;
  dialect.escape = '\\';
  EXPECT_THAT(Split("\"a\\\"b\",c\n\"\\\\\",d\n", 2, dialect),
              testing::ElementsAre("\"a\\\"b\"|c", "\"\\\\\"|d"));
}

TEST(CsvTokenizerTest, ReportsRaggedRowsAndUnterminatedQuotes) {
  std::vector<std::string> issues;
  EXPECT_THAT(Split("a,b\n1\n2,3,4\n5,6\n\"open,7\n", 2, {}, &issues),
              testing::ElementsAre("a|b", "5|6"));
  EXPECT_THAT(issues,
              testing::ElementsAre("4:expected 2 fields, found 1", "6:expected 2 fields, found 3",
                                   "16:unterminated quote"));
}

TEST(CsvTokenizerTest, FillsAtMostOneVectorOfRowsPerCall) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + ",x\n";
  CsvTokenizer tokenizer(text, {}, 2);
  FieldTable table;
  table.Reset(text, 2);
  std::vector<RowIssue> issues;
  size_t position = 0;
  tokenizer.Fill(&position, text.size(), &table, &issues);
  EXPECT_EQ(table.num_rows(), 2048u);
  EXPECT_EQ(table.Field(2047, 0), "2047");
  tokenizer.Fill(&position, text.size(), &table, &issues);
  EXPECT_EQ(table.Field(0, 0), "2048");
  EXPECT_EQ(table.RowOffset(0), text.find("\n2048,") + 1);
}

TEST(CsvTokenizerTest, FindsRecordStartsFromQuoteParity) {
  std::string_view text = "a,b\n\"x\ny\",1\nc,d\n";
  EXPECT_EQ(CountQuotes(text, 0, 6, '"'), 1u);
  EXPECT_EQ(FindRecordStart(text, 4, false, '"'), 4u);
  EXPECT_EQ(FindRecordStart(text, 6, true, '"'), 12u);
  EXPECT_EQ(FindRecordStart(text, 13, false, '"'), text.size());
  CsvDialect dialect;
  EXPECT_EQ(WalkToRecordStart(text, 0, 6, dialect), 12u);
  dialect.comment = '#';
  EXPECT_EQ(WalkToRecordStart("#\"\na\nb\n", 0, 1, dialect), 3u);
}

}  // namespace
}  // namespace sluice::io::csv
