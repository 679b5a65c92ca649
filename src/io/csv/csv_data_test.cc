// Golden files from test/data/csv and real data from the vega-datasets npm package.

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "io/csv/csv_reader.h"

namespace sluice::io {
namespace {

using testing::HasSubstr;
using testing::ThrowsMessage;

std::string TestData(const std::string& name) {
  return std::string(SLUICE_SOURCE_DIR) + "/test/data/csv/" + name;
}

std::string VegaData(const std::string& name) {
  return std::string(SLUICE_SOURCE_DIR) + "/node_modules/vega-datasets/data/" + name;
}

std::string Dump(const std::string& path, const CsvOptions& options = {}) {
  auto reader = OpenCsv(path, options);
  std::string text = reader->schema()->ToString() + "\n";
  for (const core::Batch& batch : ReadAll(*reader)) text += batch.ToString();
  return text;
}

// Returns the number of lines in a file (what `wc -l` prints); fails the test when it is missing.
size_t CountLines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "missing " << path << ": run `npm ci` in the repository root";
  size_t lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;
  return lines;
}

const char kBasic[] =
    "id BIGINT, name VARCHAR, score DOUBLE, active BOOLEAN, born DATE, seen TIMESTAMP\n"
    "1|alice|3.5|true|2012-01-01|2001-01-01 06:55:00\n"
    "2|bob, jr.|4|false|2012-02-29|2001-01-02 07:00:30\n"
    "3|say \"hi\"|NULL|true|NULL|2001-01-03 08:00:00\n"
    "4|multi\nline|-125|false|1999-12-31|NULL\n";

TEST(CsvDataTest, ReadsTheBasicGoldenFile) { EXPECT_EQ(Dump(TestData("basic.csv")), kBasic); }

TEST(CsvDataTest, ReadsGzipAndZstdInput) {
  EXPECT_EQ(Dump(TestData("basic.csv.gz")), kBasic);
  EXPECT_EQ(Dump(TestData("basic.csv.zst")), kBasic);
}

TEST(CsvDataTest, ReadsCrlfWithBomAndBlankLinesAtTheEnd) {
  EXPECT_EQ(Dump(TestData("crlf_bom.csv")), "a BIGINT, b VARCHAR, c VARCHAR\n1|x|2,5\n2|y;z|3\n");
}

TEST(CsvDataTest, KeepsLeadingZerosAsText) {
  EXPECT_EQ(Dump(TestData("tabs.tsv")),
            "zip VARCHAR, city VARCHAR\n00501|Holtsville\n10001|New York\n");
}

TEST(CsvDataTest, SkipsRowsAndCommentsAndReadsNullStrings) {
  CsvOptions options;
  options.skip_rows = 1;
  options.comment = '#';
  options.null_strings = {"", "NA"};
  EXPECT_EQ(Dump(TestData("comment_nulls.csv"), options),
            "k BIGINT, v VARCHAR\n1|NULL\n2|NULL\n3|NA\n");
}

TEST(CsvDataTest, NamesEmptyAndDuplicateHeaders) {
  EXPECT_EQ(Dump(TestData("dup_names.csv")),
            "a BIGINT, a_1 BIGINT, column2 BIGINT, b BIGINT\n1|2|3|4\n5|6|7|8\n");
}

TEST(CsvDataTest, ReadsAHeaderOnlyFileAsNoRows) {
  CsvOptions options;
  options.header = true;
  EXPECT_EQ(Dump(TestData("header_only.csv")), "x VARCHAR, y VARCHAR, z VARCHAR\n");
  EXPECT_EQ(Dump(TestData("header_only.csv"), options), "x VARCHAR, y VARCHAR, z VARCHAR\n");
}

TEST(CsvDataTest, ReportsCorruptFilesWithFileAndLine) {
  auto fails = [](const std::string& name, const std::string& message) {
    std::string path = TestData(name);
    EXPECT_THAT([&] { Dump(path); }, ThrowsMessage<DataError>(HasSubstr(path + ":" + message)))
        << name;
  };
  fails("unterminated.csv", "2:3: unterminated quote");
  fails("ragged.csv", "3:1: expected 3 fields, found 2");
  fails("too_many.csv", "3:1: expected 3 fields, found 4");
  fails("empty.csv", "1: the file has no rows");
  fails("bad_utf8.csv", "3:1: invalid UTF-8 in column 'name'");
  EXPECT_THROW(Dump(TestData("junk.csv")), DataError);
  EXPECT_THROW(Dump(TestData("missing.csv")), IoError);
}

TEST(CsvDataTest, ReadsVegaAirports) {
  std::string path = VegaData("airports.csv");
  ASSERT_EQ(CountLines(path), 3377u);
  auto reader = OpenCsv(path);
  const core::Schema& schema = *reader->schema();
  EXPECT_EQ(schema.ToString(),
            "iata VARCHAR, name VARCHAR, city VARCHAR, state VARCHAR, country VARCHAR, "
            "latitude DOUBLE, longitude DOUBLE");
  size_t rows = 0;
  for (const core::Batch& batch : ReadAll(*reader)) rows += batch.num_rows();
  EXPECT_EQ(rows, 3376u);
}

TEST(CsvDataTest, ReadsVegaSeattleWeather) {
  std::string path = VegaData("seattle-weather.csv");
  ASSERT_EQ(CountLines(path), 1462u);
  auto reader = OpenCsv(path);
  EXPECT_EQ(reader->schema()->ToString(),
            "date DATE, precipitation DOUBLE, temp_max DOUBLE, temp_min DOUBLE, wind DOUBLE, "
            "weather VARCHAR");
  auto batches = ReadAll(*reader);
  EXPECT_EQ(batches[0].GetValue(0, 0).ToString(), "2012-01-01");
  size_t rows = 0;
  for (const core::Batch& batch : batches) rows += batch.num_rows();
  EXPECT_EQ(rows, 1461u);
}

TEST(CsvDataTest, ReadsVegaZipcodesWithLeadingZeros) {
  std::string path = VegaData("zipcodes.csv");
  size_t lines = CountLines(path);
  ASSERT_GT(lines, 1u);
  auto reader = OpenCsv(path);
  ASSERT_TRUE(reader->schema()->FindField("zip_code"));
  size_t zip = *reader->schema()->FindField("zip_code");
  EXPECT_EQ(reader->schema()->field(zip).type, core::TypeId::kVarchar);
  size_t rows = 0;
  bool leading_zero = false;
  for (const core::Batch& batch : ReadAll(*reader)) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      std::string code = batch.GetValue(zip, row).ToString();
      EXPECT_EQ(code.size(), 5u) << code;
      leading_zero |= code[0] == '0';
    }
    rows += batch.num_rows();
  }
  EXPECT_EQ(rows, lines - 1);
  EXPECT_TRUE(leading_zero);
}

}  // namespace
}  // namespace sluice::io
