#include "io/json/record_scanner.h"

#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::io {
namespace {

using ::testing::HasSubstr;

// Returns the texts of every record of `input`.
std::vector<std::string> Records(std::string_view input, JsonFormat format) {
  RecordScanner scanner(input, format, "t.json");
  std::vector<RecordSpan> spans;
  while (scanner.Next(1 << 20, 1 << 20, spans)) {
  }
  std::vector<std::string> texts;
  for (const RecordSpan& span : spans) texts.emplace_back(input.substr(span.offset, span.size));
  return texts;
}

std::string ScanError(std::string_view input, JsonFormat format) {
  try {
    Records(input, format);
  } catch (const DataError& error) {
    return error.what();
  }
  return "no error";
}

TEST(RecordScannerTest, DetectsTheFormat) {
  EXPECT_EQ(DetectJsonFormat(" \n [{}]"), JsonFormat::kArray);
  EXPECT_EQ(DetectJsonFormat("\xEF\xBB\xBF[]"), JsonFormat::kArray);
  EXPECT_EQ(DetectJsonFormat("{\"a\":[1]}"), JsonFormat::kLines);
  EXPECT_EQ(DetectJsonFormat(""), JsonFormat::kLines);
}

TEST(RecordScannerTest, SplitsLinesAndSkipsBlankOnes) {
  EXPECT_THAT(Records("{\"a\":1}\r\n\n  {\"a\":2}  \n\t\n{\"a\":3}", JsonFormat::kLines),
              ::testing::ElementsAre("{\"a\":1}", "{\"a\":2}", "{\"a\":3}"));
  EXPECT_TRUE(Records(" \n\n", JsonFormat::kLines).empty());
  // Pretty-printed documents, one after another, each spread over several lines.
  EXPECT_THAT(Records("{\n  \"a\": 1,\n  \"b\": [1,\n 2]\n}\n{\n\"a\": \"}\"\n}\n{\"a\":3}",
                      JsonFormat::kLines),
              ::testing::ElementsAre("{\n  \"a\": 1,\n  \"b\": [1,\n 2]\n}", "{\n\"a\": \"}\"\n}",
                                     "{\"a\":3}"));
}

TEST(RecordScannerTest, SplitsArrayElementsAtTopLevelCommas) {
  std::string input = R"( [ {"a":[1,2],"b":{"c":"],}"}} ,
    {"s":"quote \" and \\"}, {"t":"\\\"]"} ] )";
  EXPECT_THAT(Records(input, JsonFormat::kArray),
              ::testing::ElementsAre(R"({"a":[1,2],"b":{"c":"],}"}})", R"({"s":"quote \" and \\"})",
                                     R"({"t":"\\\"]"})"));
  EXPECT_TRUE(Records("[ ]", JsonFormat::kArray).empty());
  EXPECT_TRUE(Records("  ", JsonFormat::kArray).empty());
}

TEST(RecordScannerTest, StopsAtTheRecordLimit) {
  std::string input = "[{},{},{},{},{}]";
  RecordScanner scanner(input, JsonFormat::kArray, "t.json");
  std::vector<RecordSpan> spans;
  ASSERT_TRUE(scanner.Next(1 << 20, 2, spans));
  EXPECT_EQ(spans.size(), 2u);
  ASSERT_TRUE(scanner.Next(1, 100, spans));  // One byte: still one record.
  EXPECT_EQ(spans.size(), 3u);
  ASSERT_TRUE(scanner.Next(1 << 20, 100, spans));
  EXPECT_EQ(spans.size(), 5u);
  EXPECT_FALSE(scanner.Next(1 << 20, 100, spans));
}

TEST(RecordScannerTest, ReportsStructuralErrorsWithTheirPlace) {
  EXPECT_THAT(ScanError("[{\"a\":1},\n{\"a\":2}", JsonFormat::kArray),
              HasSubstr("t.json:2:1: unexpected end of input"));
  EXPECT_THAT(ScanError("[{\"a\":\"x}]", JsonFormat::kArray), HasSubstr("unexpected end"));
  EXPECT_THAT(ScanError("[{}] x", JsonFormat::kArray),
              HasSubstr("t.json:1:6: trailing characters after the JSON array"));
  EXPECT_THAT(ScanError("[{},,{}]", JsonFormat::kArray),
              HasSubstr("t.json:1:5: expected a JSON value"));
  EXPECT_THAT(ScanError("[{},\n ]", JsonFormat::kArray),
              HasSubstr("t.json:2:2: expected a JSON value"));
  EXPECT_THAT(ScanError("[{}}", JsonFormat::kArray), HasSubstr("t.json:1:4: unexpected character"));
  EXPECT_THAT(ScanError("{}", JsonFormat::kArray), HasSubstr("expected '['"));
}

TEST(RecordScannerTest, LocatesOffsets) {
  EXPECT_EQ(LocateOffset("f", "ab\ncd\nef", 0), "f:1:1");
  EXPECT_EQ(LocateOffset("f", "ab\ncd\nef", 4), "f:2:2");
  EXPECT_EQ(LocateOffset("f", "ab\ncd\nef", 6), "f:3:1");
  EXPECT_EQ(LocateOffset("f", "ab", std::numeric_limits<uint64_t>::max()), "f:1:3");
}

}  // namespace
}  // namespace sluice::io
