#include "io/json/json_reader.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "core/datetime.h"

namespace sluice::io {
namespace {

using core::TypeId;
using ::testing::HasSubstr;

const std::string kSourceDir = SLUICE_SOURCE_DIR;
const std::string kVegaDir = kSourceDir + "/node_modules/vega-datasets/data/";

// Returns the schema, then every row as `a|b|c`.
std::string Render(BatchReader& reader) {
  std::string text = reader.schema()->ToString() + "\n";
  for (const core::Batch& batch : ReadAll(reader)) text += batch.ToString();
  return text;
}

std::string Read(std::string json, const JsonOptions& options = {}) {
  return Render(*OpenJsonBuffer(std::move(json), "test.json", options));
}

// Returns the message of the UserError that reading `json` throws.
std::string ReadError(std::string json, const JsonOptions& options = {}) {
  try {
    Read(std::move(json), options);
  } catch (const DataError& error) {
    return std::string("DataError: ") + error.what();
  } catch (const UserError& error) {
    return std::string("UserError: ") + error.what();
  }
  return "no error";
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing test file " << path;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

size_t CountRows(BatchReader& reader) {
  size_t rows = 0;
  while (auto batch = reader.Next()) {
    EXPECT_LE(batch->num_rows(), core::kVectorSize);
    rows += batch->num_rows();
  }
  return rows;
}

TEST(JsonReaderTest, ReadsLinesWithTheUnionOfKeys) {
  EXPECT_EQ(Read("{\"a\":1,\"b\":\"x\"}\n{\"b\":\"y\",\"c\":true}\n\n{\"a\":null}\n"),
            "a BIGINT, b VARCHAR, c BOOLEAN\n"
            "1|x|NULL\n"
            "NULL|y|true\n"
            "NULL|NULL|NULL\n");
}

TEST(JsonReaderTest, ReadsCompactAndPrettyArraysAlike) {
  std::string expected = "a BIGINT, b DOUBLE\n1|2.5\n3|NULL\n";
  EXPECT_EQ(Read(R"([{"a":1,"b":2.5},{"a":3}])"), expected);
  EXPECT_EQ(Read("[\n  {\n    \"a\": 1,\n    \"b\": 2.5\n  },\n  {\n    \"a\": 3\n  }\n]\n"),
            expected);
  EXPECT_EQ(Read("\xEF\xBB\xBF{\"a\":1,\"b\":2.5}\n{\"a\":3}"), expected);
}

TEST(JsonReaderTest, WidensConflictingTypes) {
  EXPECT_EQ(Read("{\"v\":true}\n{\"v\":2}"), "v BIGINT\n1\n2\n");
  EXPECT_EQ(Read("{\"v\":1}\n{\"v\":2.5}\n{\"v\":false}"), "v DOUBLE\n1\n2.5\n0\n");
  EXPECT_EQ(Read("{\"v\":1}\n{\"v\":\"x\"}\n{\"v\":1.5}\n{\"v\":true}\n{\"v\":null}"),
            "v VARCHAR\n1\nx\n1.5\ntrue\nNULL\n");
  EXPECT_EQ(Read("{\"v\":null}\n{\"v\":null}"), "v VARCHAR\nNULL\nNULL\n");
}

TEST(JsonReaderTest, InfersDatesAndTimestamps) {
  EXPECT_EQ(
      Read("{\"d\":\"1970-01-01\",\"t\":\"2001/01/01 06:55\",\"m\":\"2001-02-03\"}\n"
           "{\"d\":\"1982-12-31\",\"t\":\"2001-01-02T10:00:00Z\",\"m\":\"2001-02-03 10:11\"}"),
      "d DATE, t TIMESTAMP, m TIMESTAMP\n"
      "1970-01-01|2001-01-01 06:55:00|2001-02-03 00:00:00\n"
      "1982-12-31|2001-01-02 10:00:00|2001-02-03 10:11:00\n");
  EXPECT_EQ(Read("{\"d\":\"1970-01-01\"}\n{\"d\":\"soon\"}"), "d VARCHAR\n1970-01-01\nsoon\n");
  EXPECT_EQ(Read("{\"d\":\"1970-01-01\"}\n{\"d\":7}"), "d VARCHAR\n1970-01-01\n7\n");
}

TEST(JsonReaderTest, ReadsIntegersBeyondInt64AsDoubles) {
  EXPECT_EQ(Read("{\"v\":9223372036854775808}\n{\"v\":1}"), "v DOUBLE\n9.223372036854776e+18\n1\n");
  EXPECT_EQ(Read("{\"v\":123456789012345678901234567890,\"s\":\"12345678901234567890123\"}"),
            "v DOUBLE, s VARCHAR\n1.2345678901234568e+29|12345678901234567890123\n");
}

TEST(JsonReaderTest, KeepsArraysAsJsonText) {
  EXPECT_EQ(Read("{\"a\":[1, 2, {\"b\" : null}],\"c\":[]}"),
            "a VARCHAR, c VARCHAR\n[1,2,{\"b\":null}]|[]\n");
}

TEST(JsonReaderTest, FlattensNestedObjects) {
  std::string json =
      "{\"id\":1,\"p\":{\"x\":1.5,\"q\":{\"r\":\"deep\"}}}\n{\"id\":2,\"p\":{\"y\":true}}";
  EXPECT_EQ(Read(json),
            "id BIGINT, p.x DOUBLE, p.q.r VARCHAR, p.y BOOLEAN\n"
            "1|1.5|deep|NULL\n"
            "2|NULL|NULL|true\n");
}

TEST(JsonReaderTest, KeepsNestedObjectsAsJsonText) {
  JsonOptions options;
  options.nested = NestedMode::kJsonString;
  std::string json = "{\"id\":1,\"p\":{\"x\": 1.5, \"q\": {\"r\":\"deep\"}}}\n{\"id\":2,\"p\":{}}";
  EXPECT_EQ(Read(json, options),
            "id BIGINT, p VARCHAR\n1|{\"x\":1.5,\"q\":{\"r\":\"deep\"}}\n2|{}\n");
}

TEST(JsonReaderTest, ProjectsColumnsInTheAskedOrder) {
  JsonOptions options;
  options.columns = {"p.y", "id"};
  std::string json = "{\"id\":1,\"p\":{\"x\":1.5,\"y\":\"a\"},\"z\":[1]}\n{\"id\":2,\"w\":\"new\"}";
  EXPECT_EQ(Read(json, options), "p.y VARCHAR, id BIGINT\na|1\nNULL|2\n");
  options.columns = {"id", "nope"};
  EXPECT_THAT(ReadError(json, options),
              HasSubstr("UserError: unknown column in the projection: 'nope'"));
}

TEST(JsonReaderTest, AppliesForcedTypes) {
  JsonOptions options;
  options.column_types = {{"a", TypeId::kVarchar},
                          {"b", TypeId::kBigint},
                          {"p", TypeId::kVarchar},
                          {"extra", TypeId::kDouble}};
  EXPECT_EQ(Read("{\"a\":1,\"b\":\"12\",\"p\":{\"q\":1}}\n{\"a\":2.5,\"b\":3}", options),
            "a VARCHAR, b BIGINT, p VARCHAR, extra DOUBLE\n"
            "1|12|{\"q\":1}|NULL\n"
            "2.5|3|NULL|NULL\n");
  EXPECT_THAT(ReadError("{\"b\":1}\n{\"b\":\"abc\"}", options),
              HasSubstr("test.json:2:1: cannot convert a value to the forced type BIGINT in column "
                        "'b': \"abc\" (record 2)"));
}

TEST(JsonReaderTest, KeepsDuplicateKeysLastValue) {
  EXPECT_EQ(Read("{\"a\":null,\"a\":1}\n{\"a\":2,\"a\":null}"), "a BIGINT\n1\nNULL\n");
}

// A file whose last record alone holds a string in an integer column.
std::string LateStringLines(size_t records) {
  std::string json;
  for (size_t i = 0; i + 1 < records; ++i) json += fmt::format("{{\"id\":{},\"v\":{}}}\n", i, i);
  json += fmt::format("{{\"id\":{},\"v\":\"late\"}}\n", records - 1);
  return json;
}

TEST(JsonReaderTest, WidensValuesBeyondTheSampleBeforeTheFirstBatch) {
  auto reader = OpenJsonBuffer(LateStringLines(30000), "late.json");
  EXPECT_EQ(reader->schema()->ToString(), "id BIGINT, v VARCHAR");
  std::vector<core::Batch> batches = ReadAll(*reader);
  size_t rows = 0;
  for (const auto& batch : batches) rows += batch.num_rows();
  EXPECT_EQ(rows, 30000u);
  EXPECT_EQ(batches.front().GetValue(1, 5).ToString(), "5");
  EXPECT_EQ(batches.back().GetValue(1, batches.back().num_rows() - 1).ToString(), "late");
}

TEST(JsonReaderTest, FailsOnValuesBeyondTheSampleAfterTheFirstBatch) {
  JsonOptions options;
  options.sample_rows = 10;
  options.window_bytes = 4096;
  EXPECT_THAT(ReadError(LateStringLines(3000), options),
              HasSubstr("test.json:3000:1: value does not fit the type BIGINT inferred from the "
                        "first 10 records: column 'v', value \"late\" (record 3000); hint: read "
                        "with sample_rows = 0"));
  options.sample_rows = 0;
  EXPECT_THAT(Read(LateStringLines(3000), options), HasSubstr("id BIGINT, v VARCHAR\n"));
}

TEST(JsonReaderTest, AddsKeysFirstSeenAfterTheSample) {
  JsonOptions options;
  options.sample_rows = 1;
  EXPECT_EQ(Read("{\"a\":1}\n{\"a\":2,\"b\":\"x\"}\n{\"n\":null}", options),
            "a BIGINT, b VARCHAR\n1|NULL\n2|x\nNULL|NULL\n");
  options.window_bytes = 16;
  EXPECT_THAT(ReadError("{\"a\":1}\n{\"a\":2}\n{\"a\":2,\"b\":\"x\"}", options),
              HasSubstr("test.json:3:1: key not seen in the first 1 records: column 'b'"));
}

TEST(JsonReaderTest, TypesColumnsThatWereNullInTheSample) {
  JsonOptions options;
  options.sample_rows = 1;
  EXPECT_EQ(Read("{\"a\":null}\n{\"a\":2}", options), "a BIGINT\nNULL\n2\n");
  options.window_bytes = 8;  // The value comes after the first window: it is kept as text.
  EXPECT_EQ(Read("{\"a\":null}\n{\"a\":2}", options), "a VARCHAR\nNULL\n2\n");
}

TEST(JsonReaderTest, ReadsEmptyInputsAsNoRows) {
  EXPECT_EQ(Read(""), "\n");
  EXPECT_EQ(Read(" \n\n"), "\n");
  EXPECT_EQ(Read("[]"), "\n");
  EXPECT_EQ(Read(" [ \n ] \n"), "\n");
  auto reader = OpenJsonBuffer("{}\n{}\n", "test.json");
  EXPECT_EQ(reader->schema()->num_fields(), 0u);
  EXPECT_EQ(CountRows(*reader), 2u);
}

TEST(JsonReaderTest, ReportsMalformedRecordsWithTheirPlace) {
  EXPECT_THAT(ReadError("{\"a\":1}\n{\"a\":2}\n{\"a\":"),
              HasSubstr("DataError: test.json:3:1: invalid JSON: "));
  EXPECT_THAT(ReadError("{\"a\":1}\n\n{\"a\":tru}\n"), HasSubstr("test.json:3:1: invalid JSON"));
  EXPECT_THAT(ReadError("{\"a\":1}\n{\"a\":1}{\"a\":2}\n"),
              HasSubstr("test.json:2:1: invalid JSON"));
  EXPECT_THAT(ReadError("{\"a\":1},{\"a\":2}\n"), HasSubstr("test.json:1:1: invalid JSON"));
  EXPECT_THAT(ReadError("{\"a\":1}\n[1]\n"),
              HasSubstr("test.json:2:1: expected a JSON object, found a array (record 2)"));
  EXPECT_THAT(ReadError("[{\"a\":1},\n 7]"),
              HasSubstr("test.json:2:2: expected a JSON object, found a number (record 2)"));
  EXPECT_THAT(ReadError("[{\"a\":1}] {}"), HasSubstr("test.json:1:11: trailing characters"));
  EXPECT_THAT(ReadError("[{\"a\":1},\n{\"a\":2}"), HasSubstr("test.json:2:1: unexpected end"));
  EXPECT_THAT(ReadError("{\"a\":\"\xff\"}"), HasSubstr("test.json:1:1: invalid JSON: "));
  EXPECT_THAT(ReadError("{\"a\":1}\n{\"a\":\"\xc3\"}"), HasSubstr("test.json:2:1: invalid JSON"));
  EXPECT_THAT(ReadError("[{\"a\":1} {\"a\":2}]"), HasSubstr("test.json:1:2: invalid JSON"));
  JsonOptions lines;
  lines.format = JsonFormat::kLines;
  EXPECT_THAT(ReadError("[{\"a\":1}]", lines), HasSubstr("test.json:1:1: expected a JSON object"));
  JsonOptions array;
  array.format = JsonFormat::kArray;
  EXPECT_THAT(ReadError("{\"a\":1}", array), HasSubstr("test.json:1:1: expected '['"));
}

TEST(JsonReaderTest, ReadsManyWindowsInParallelInOrder) {
  std::string json = "[";
  const size_t records = 50000;
  for (size_t i = 0; i < records; ++i) {
    json += fmt::format("{}{{\"id\":{},\"s\":\"value number {}\"}}", i ? "," : "", i, i);
  }
  json += "]";
  JsonOptions options;
  options.threads = 2;
  options.window_bytes = 100'000;
  auto reader = OpenJsonBuffer(json, "many.json", options);
  int64_t expected = 0;
  size_t batches = 0;
  while (auto batch = reader->Next()) {
    ++batches;
    ASSERT_LE(batch->num_rows(), core::kVectorSize);
    for (size_t row = 0; row < batch->num_rows(); ++row, ++expected) {
      ASSERT_EQ(batch->column(0).data<int64_t>()[row], expected);
      ASSERT_EQ(batch->column(1).GetString(row), fmt::format("value number {}", expected));
    }
  }
  EXPECT_EQ(expected, static_cast<int64_t>(records));
  EXPECT_GT(batches, records / core::kVectorSize);
}

class JsonFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("sluice_json_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::filesystem::path dir_;
  const std::string json_ = "[{\"a\":1,\"b\":\"x\"},\n{\"a\":2,\"b\":\"y\"}]\n";
  const std::string expected_ = "a BIGINT, b VARCHAR\n1|x\n2|y\n";
};

TEST_F(JsonFileTest, ReadsPlainGzipAndZstdFiles) {
  EXPECT_EQ(Render(*OpenJson(Write("plain.json", json_))), expected_);

  uLongf gzip_size = compressBound(json_.size()) + 64;
  std::string gzip(gzip_size, '\0');
  z_stream stream{};
  ASSERT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(json_.data()));
  stream.avail_in = json_.size();
  stream.next_out = reinterpret_cast<Bytef*>(gzip.data());
  stream.avail_out = gzip.size();
  ASSERT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  gzip.resize(stream.total_out);
  deflateEnd(&stream);
  EXPECT_EQ(Render(*OpenJson(Write("data.json.gz", gzip))), expected_);

  std::string zstd(ZSTD_compressBound(json_.size()), '\0');
  size_t zstd_size = ZSTD_compress(zstd.data(), zstd.size(), json_.data(), json_.size(), 3);
  ASSERT_FALSE(ZSTD_isError(zstd_size));
  zstd.resize(zstd_size);
  EXPECT_EQ(Render(*OpenJson(Write("data.json.zst", zstd))), expected_);
}

TEST_F(JsonFileTest, FailsOnMissingFiles) {
  EXPECT_THROW(OpenJson((dir_ / "missing.json").string()), IoError);
}

TEST(JsonGoldenTest, MatchesGoldenFiles) {
  for (std::string name : {"lines", "pretty_array", "widening", "nested"}) {
    SCOPED_TRACE(name);
    std::string base = kSourceDir + "/test/data/json/" + name;
    std::string path = base + (name == "lines" || name == "widening" ? ".jsonl" : ".json");
    EXPECT_EQ(Render(*OpenJson(path)), ReadFile(base + ".expected"));
  }
}

TEST(JsonGoldenTest, ReportsCorruptGoldenFiles) {
  std::string dir = kSourceDir + "/test/data/json/";
  EXPECT_THROW(
      {
        try {
          OpenJson(dir + "corrupt_truncated.json");
        } catch (const DataError& error) {
          EXPECT_THAT(error.what(), HasSubstr("corrupt_truncated.json:7:3: unexpected end"));
          throw;
        }
      },
      DataError);
  EXPECT_THROW(
      {
        try {
          ReadAll(*OpenJson(dir + "corrupt_record.jsonl"));
        } catch (const DataError& error) {
          EXPECT_THAT(error.what(), HasSubstr("corrupt_record.jsonl:3:1: invalid JSON"));
          throw;
        }
      },
      DataError);
}

TEST(JsonVegaTest, ReadsFlights200k) {
  std::string path = kVegaDir + "flights-200k.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing: run `npm ci`";
  JsonOptions options;
  options.threads = 2;
  auto reader = OpenJson(path, options);
  EXPECT_EQ(reader->schema()->ToString(), "delay BIGINT, distance BIGINT, time DOUBLE");
  // Counted independently: python3 -c "import json; print(len(json.load(open(p))))".
  EXPECT_EQ(CountRows(*reader), 200000u);
}

TEST(JsonVegaTest, ReadsFlights2k) {
  std::string path = kVegaDir + "flights-2k.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing: run `npm ci`";
  auto reader = OpenJson(path);
  EXPECT_EQ(reader->schema()->ToString(),
            "date TIMESTAMP, delay BIGINT, distance BIGINT, origin VARCHAR, destination VARCHAR");
  auto batches = ReadAll(*reader);
  ASSERT_FALSE(batches.empty());
  EXPECT_EQ(batches[0].GetValue(0, 0).ToString(), "2001-01-01 06:55:00");
  EXPECT_EQ(batches[0].GetValue(3, 0).ToString(), "LAX");
  size_t rows = 0;
  for (const auto& batch : batches) rows += batch.num_rows();
  EXPECT_EQ(rows, 2000u);
}

TEST(JsonVegaTest, ReadsCars) {
  std::string path = kVegaDir + "cars.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing: run `npm ci`";
  auto reader = OpenJson(path);
  EXPECT_EQ(reader->schema()->ToString(),
            "Name VARCHAR, Miles_per_Gallon DOUBLE, Cylinders BIGINT, Displacement DOUBLE, "
            "Horsepower BIGINT, Weight_in_lbs BIGINT, Acceleration DOUBLE, Year DATE, "
            "Origin VARCHAR");
  size_t rows = 0;
  size_t null_mpg = 0;
  for (const auto& batch : ReadAll(*reader)) {
    rows += batch.num_rows();
    null_mpg += batch.num_rows() - batch.column(1).validity().CountValid(batch.num_rows());
  }
  EXPECT_EQ(rows, 406u);
  EXPECT_EQ(null_mpg, 8u);
}

TEST(JsonVegaTest, ReadsPenguinsKeepingColumnNames) {
  std::string path = kVegaDir + "penguins.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing: run `npm ci`";
  auto reader = OpenJson(path);
  EXPECT_EQ(reader->schema()->ToString(),
            "Species VARCHAR, Island VARCHAR, Beak Length (mm) DOUBLE, Beak Depth (mm) DOUBLE, "
            "Flipper Length (mm) BIGINT, Body Mass (g) BIGINT, Sex VARCHAR");
  EXPECT_EQ(CountRows(*reader), 344u);
}

}  // namespace
}  // namespace sluice::io
