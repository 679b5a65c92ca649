#include "io/csv/csv_reader.h"

#include <cstdio>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::io {
namespace {

using testing::HasSubstr;
using testing::ThrowsMessage;

// Returns the schema, then every row, of everything `reader` returns.
std::string Dump(BatchReader& reader) {
  std::string text = reader.schema()->ToString() + "\n";
  for (const core::Batch& batch : ReadAll(reader)) text += batch.ToString();
  return text;
}

// Returns the value at `row` counted over all batches.
std::string ValueAt(const std::vector<core::Batch>& batches, size_t column, size_t row) {
  for (const core::Batch& batch : batches) {
    if (row < batch.num_rows()) return batch.GetValue(column, row).ToString();
    row -= batch.num_rows();
  }
  return "<none>";
}

std::string DumpText(const std::string& csv, const CsvOptions& options = {},
                     const CsvReaderLimits& limits = {}) {
  auto reader = CsvReader::OpenBuffer(csv, "mem.csv", options, limits);
  return Dump(*reader);
}

TEST(CsvReaderTest, InfersTypesAndDetectsTheHeader) {
  EXPECT_EQ(DumpText("id,zip,price,ok,day,at\n"
                     "1,00501,2.5,true,2012-01-01,2001/01/01 06:55\n"
                     "2,10001,3,FALSE,2012-01-02,2001-01-01 07:00:01\n"),
            "id BIGINT, zip VARCHAR, price DOUBLE, ok BOOLEAN, day DATE, at TIMESTAMP\n"
            "1|00501|2.5|true|2012-01-01|2001-01-01 06:55:00\n"
            "2|10001|3|false|2012-01-02|2001-01-01 07:00:01\n");
}

TEST(CsvReaderTest, ReadsTheFirstRowAsDataWhenItFitsTheTypes) {
  EXPECT_EQ(DumpText("1,2\n3,4\n"), "column0 BIGINT, column1 BIGINT\n1|2\n3|4\n");
  CsvOptions options;
  options.header = true;
  EXPECT_EQ(DumpText("1,2\n3,4\n", options), "1 BIGINT, 2 BIGINT\n3|4\n");
  EXPECT_EQ(DumpText("name,city\nann,paris\n"), "name VARCHAR, city VARCHAR\nann|paris\n");
}

TEST(CsvReaderTest, SniffsTheDelimiter) {
  EXPECT_EQ(DumpText("a;b\n\"1;2\";3,5\nx;y\n"), "a VARCHAR, b VARCHAR\n1;2|3,5\nx|y\n");
  EXPECT_EQ(DumpText("a|b|c\n1|2|3\n"), "a BIGINT, b BIGINT, c BIGINT\n1|2|3\n");
  EXPECT_EQ(DumpText("a\tb, c\n1\t2\n"), "a BIGINT, b, c BIGINT\n1|2\n");
  CsvOptions options;
  options.delimiter = ';';
  EXPECT_EQ(DumpText("a,b;c\n1,2;3\n", options), "a,b VARCHAR, c BIGINT\n1,2|3\n");
}

TEST(CsvReaderTest, WidensIntegersThatOverflowToDouble) {
  EXPECT_EQ(DumpText("v\n1\n99999999999999999999\n"), "v DOUBLE\n1\n1e+20\n");
}

TEST(CsvReaderTest, ReadsNullStringsOnlyUnquoted) {
  CsvOptions options;
  options.null_strings = {"", "NA"};
  EXPECT_EQ(DumpText("a,b\n1,NA\nNA,\"NA\"\n,\"\"\n", options),
            "a BIGINT, b VARCHAR\n1|NULL\nNULL|NA\nNULL|\n");
}

TEST(CsvReaderTest, HonoursQuoteAndEscapeOptions) {
  CsvOptions options;
  options.quote = '\'';
  options.escape = '\\';
  EXPECT_EQ(DumpText("a,b\n'x,\\'y',1\n'p\nq',2\n", options),
            "a VARCHAR, b BIGINT\nx,'y|1\np\nq|2\n");
}

TEST(CsvReaderTest, WidensAndStartsOverWhenALaterValueDoesNotFit) {
  std::string csv = "a,b,c\n";
  for (int i = 0; i < 3000; ++i) {
    std::string b = i == 1500 ? "1.5" : std::to_string(i);
    std::string c = i == 2500 ? "x" : std::to_string(i);
    csv += std::to_string(i) + "," + b + "," + c + "\n";
  }
  CsvOptions options;
  options.sample_rows = 10;
  CsvReaderLimits limits;
  limits.spread_samples = false;
  limits.range_bytes = 1000;
  auto reader = CsvReader::OpenBuffer(csv, "mem.csv", options, limits);
  EXPECT_EQ(reader->schema()->ToString(), "a BIGINT, b DOUBLE, c VARCHAR");
  std::vector<core::Batch> batches = ReadAll(*reader);
  size_t rows = 0;
  for (const core::Batch& batch : batches) rows += batch.num_rows();
  EXPECT_EQ(rows, 3000u);
  EXPECT_EQ(reader->rows_read(), 3000u);
  EXPECT_EQ(ValueAt(batches, 1, 1500), "1.5");
  EXPECT_EQ(ValueAt(batches, 1, 1501), "1501");
  EXPECT_EQ(ValueAt(batches, 2, 2500), "x");
  EXPECT_EQ(ValueAt(batches, 2, 2048), "2048");
}

TEST(CsvReaderTest, FailsWhenAMisfitComesAfterBatchesWereReturned) {
  std::string csv = "a\n";
  for (int i = 0; i < 3000; ++i)
    csv += (i == 2900 ? std::string("oops") : std::to_string(i)) + "\n";
  CsvOptions options;
  options.sample_rows = 10;
  CsvReaderLimits limits;
  limits.spread_samples = false;
  limits.range_bytes = 100;
  limits.window_bytes = 1000;
  auto reader = CsvReader::OpenBuffer(csv, "mem.csv", options, limits);
  EXPECT_THAT([&] { ReadAll(*reader); },
              ThrowsMessage<DataError>(
                  AllOf(HasSubstr("mem.csv:2902:1: value does not fit in column 'a' (BIGINT): "
                                  "'oops'"),
                        HasSubstr("sample_rows = 0"))));
  options.sample_rows = 0;
  EXPECT_THAT(DumpText(csv, options, limits), HasSubstr("a VARCHAR\n0\n"));
}

TEST(CsvReaderTest, FailsOnValuesThatDoNotFitAForcedType) {
  CsvOptions options;
  options.column_types = {{"b", core::TypeId::kInteger}};
  EXPECT_EQ(DumpText("a,b\nx,1\n", options), "a VARCHAR, b INTEGER\nx|1\n");
  EXPECT_THAT([&] { DumpText("a,b\nx,1\ny,2.5\n", options); },
              ThrowsMessage<DataError>(
                  HasSubstr("mem.csv:3:3: value does not fit in column 'b' (INTEGER): '2.5'")));
  options.column_types = {{"nope", core::TypeId::kInteger}};
  EXPECT_THROW(DumpText("a,b\nx,1\n", options), UserError);
}

TEST(CsvReaderTest, CollectsRejectedRows) {
  CsvOptions options;
  options.collect_rejects = true;
  options.column_types = {{"b", core::TypeId::kBigint}};
  auto csv = std::string("a,b\nx,1\ny\nz,2,3\nw,bad\n\"v\nv\",4\nu,\xff\n");
  auto reader = CsvReader::OpenBuffer(csv, "mem.csv", options);
  EXPECT_EQ(Dump(*reader), "a VARCHAR, b BIGINT\nx|1\nv\nv|4\n");
  ASSERT_EQ(reader->rejects().size(), 4u);
  EXPECT_EQ(reader->rejects()[0].line, 3u);
  EXPECT_EQ(reader->rejects()[0].message, "expected 2 fields, found 1");
  EXPECT_EQ(reader->rejects()[1].line, 4u);
  EXPECT_EQ(reader->rejects()[2].line, 5u);
  EXPECT_THAT(reader->rejects()[2].message, HasSubstr("'bad'"));
  EXPECT_EQ(reader->rejects()[3].line, 8u);
  EXPECT_EQ(reader->rows_read(), 2u);
}

TEST(CsvReaderTest, ProjectsColumnsInTheAskedOrder) {
  CsvOptions options;
  options.columns = {"c", "A"};
  EXPECT_EQ(DumpText("a,b,c\n1,x,2.5\n2,y,3\n", options), "c DOUBLE, a BIGINT\n2.5|1\n3|2\n");
  options.columns = {"d"};
  EXPECT_THAT([&] { DumpText("a,b,c\n1,x,2.5\n", options); },
              ThrowsMessage<UserError>(HasSubstr("no column 'd'")));
}

TEST(CsvReaderTest, ProjectionSkipsBadValuesOfOtherColumns) {
  CsvOptions options;
  options.columns = {"a"};
  options.column_types = {{"b", core::TypeId::kBigint}};
  EXPECT_EQ(DumpText("a,b\n1,2\n3,x\n", options), "a BIGINT\n1\n3\n");
}

// Makes a CSV whose quoted fields hold delimiters, doubled quotes and line breaks.
std::string TrickyCsv(size_t rows, char escape) {
  std::string csv = "id,text,n\n";
  for (size_t i = 0; i < rows; ++i) {
    std::string quote = escape == '"' ? "\"\"" : "\\\"";
    std::string text = "\"line " + std::to_string(i) + "\n" + quote + "x" + quote + ",\n\n,y\"";
    if (i % 3 == 0) text = "plain" + std::to_string(i);
    if (i % 7 == 0) text = "\"\"";
    csv += std::to_string(i) + "," + text + "," + std::to_string(i * 3 % 11) + "\r\n";
  }
  return csv;
}

TEST(CsvReaderTest, ParallelRangesMatchASingleRange) {
  for (char escape : {'"', '\\'}) {
    std::string csv = TrickyCsv(500, escape);
    CsvOptions options;
    options.escape = escape;
    options.threads = 1;
    CsvReaderLimits whole;
    std::string expected = DumpText(csv, options, whole);
    EXPECT_THAT(expected,
                HasSubstr("id BIGINT, text VARCHAR, n BIGINT\n0||0\n1|line 1\n\"x\",\n\n,y|3\n"));
    options.threads = 0;
    for (size_t range : {1, 7, 64, 1000}) {
      CsvReaderLimits tiny;
      tiny.range_bytes = range;
      tiny.window_bytes = range * 5;
      EXPECT_EQ(DumpText(csv, options, tiny), expected) << "range " << range;
    }
  }
}

TEST(CsvReaderTest, SharesOfByteRangesTogetherReadTheWholeFile) {
  for (char escape : {'"', '\\'}) {
    std::string csv = TrickyCsv(500, escape);
    CsvOptions options;
    options.escape = escape;
    std::string expected = DumpText(csv, options);
    CsvReaderLimits tiny;
    tiny.range_bytes = 64;
    tiny.window_bytes = 64 * 5;
    for (int size : {2, 3, 7}) {
      // Every rank's batches, put back in sequence order, are the whole file's.
      std::map<uint64_t, std::string> by_sequence;
      std::string text;
      for (int rank = 0; rank < size; ++rank) {
        auto reader = CsvReader::OpenBuffer(csv, "mem.csv", options, tiny);
        text = reader->schema()->ToString() + "\n";
        ASSERT_TRUE(reader->KeepShare(rank, size));
        EXPECT_EQ(reader->Describe(), fmt::format("byte ranges of rank {} of {}", rank, size));
        while (auto batch = reader->Next()) {
          uint64_t sequence = *reader->LastSequence();
          EXPECT_EQ((sequence >> 32) % size, static_cast<uint64_t>(rank));
          EXPECT_TRUE(by_sequence.emplace(sequence, batch->ToString()).second);
        }
      }
      for (const auto& [sequence, rows] : by_sequence) text += rows;
      EXPECT_EQ(text, expected) << size << " ranks, escape " << escape;
    }
  }
  // A file of fewer ranges than ranks is not shared.
  auto small = CsvReader::OpenBuffer("a\n1\n", "mem.csv");
  EXPECT_FALSE(small->KeepShare(0, 2));
  EXPECT_FALSE(small->LastSequence().has_value());
}

TEST(CsvReaderTest, ParallelRangesWithCommentsMatchASingleRange) {
  std::string csv = "a,b\n";
  for (int i = 0; i < 300; ++i) {
    csv += std::to_string(i) + ",\"q\n" + std::to_string(i) + "\"\n";
    if (i % 5 == 0) csv += "# a comment with a \" quote\n";
  }
  CsvOptions options;
  options.comment = '#';
  std::string expected = DumpText(csv, options);
  CsvReaderLimits tiny;
  tiny.range_bytes = 13;
  tiny.window_bytes = 100;
  EXPECT_EQ(DumpText(csv, options, tiny), expected);
  EXPECT_THAT(expected, HasSubstr("299|q\n299\n"));
}

TEST(CsvReaderTest, ReportsMalformedInputWithFileAndLine) {
  EXPECT_THAT([] { DumpText("a,b\n1,2\n3,\"open\n4,5\n"); },
              ThrowsMessage<DataError>(HasSubstr("mem.csv:3:3: unterminated quote")));
  EXPECT_THAT([] { DumpText("a,b\n1,2\n3\n"); },
              ThrowsMessage<DataError>(HasSubstr("mem.csv:3:1: expected 2 fields, found 1")));
  EXPECT_THAT([] { DumpText(""); }, ThrowsMessage<DataError>(HasSubstr("mem.csv:1: ")));
  EXPECT_THAT([] { DumpText("\n\r\n"); }, ThrowsMessage<DataError>(HasSubstr("mem.csv:3: ")));
  EXPECT_THAT([] { DumpText("a\n\"x\xff\"\n"); },
              ThrowsMessage<DataError>(HasSubstr("mem.csv:2:1: invalid UTF-8 in column 'a'")));
}

TEST(CsvReaderTest, RejectsBadOptions) {
  CsvOptions options;
  options.delimiter = '"';
  EXPECT_THROW(DumpText("a\n", options), UserError);
  options.delimiter = '\n';
  EXPECT_THROW(DumpText("a\n", options), UserError);
}

TEST(CsvReaderTest, WidensForAValueOnTheLastLineOfAMillionLines) {
  std::string path = testing::TempDir() + "/sluice_csv_million.csv";
  {
    std::ofstream out(path);
    out << "n,k\n";
    for (int i = 0; i < 1'000'000; ++i) out << i << "," << i % 7 << "\n";
    out << "1.5,3\n";
  }
  for (bool spread : {true, false}) {
    CsvReaderLimits limits;
    limits.spread_samples = spread;
    auto reader = CsvReader::Open(path, {}, limits);
    EXPECT_EQ(reader->schema()->ToString(), "n DOUBLE, k BIGINT");
    std::vector<core::Batch> batches = ReadAll(*reader);
    EXPECT_EQ(reader->rows_read(), 1'000'001u);
    EXPECT_EQ(ValueAt(batches, 0, 1'000'000), "1.5");
    EXPECT_EQ(ValueAt(batches, 0, 777'777), "777777");
    EXPECT_EQ(ValueAt(batches, 1, 777'776), "6");
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace sluice::io
