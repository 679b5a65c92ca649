#include "io/json/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "base/error.h"
#include "base/test_folder.h"
#include "io/json/json_reader.h"

namespace sluice::io {
namespace {

using core::TypeId;
using core::Value;

class JsonWriterTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return folder_.Path(name); }
  static std::string ReadText(const std::string& path) { return TestFolder::ReadFile(path); }

  TestFolder folder_;
};

core::SchemaPtr Schema() {
  return std::make_shared<core::Schema>(std::vector<core::Field>{{"id", TypeId::kBigint},
                                                                 {"ok", TypeId::kBoolean},
                                                                 {"x", TypeId::kDouble},
                                                                 {"s", TypeId::kVarchar},
                                                                 {"day", TypeId::kDate},
                                                                 {"at", TypeId::kTimestamp}});
}

std::vector<std::vector<Value>> Rows() {
  return {
      {Value::Bigint(1), Value::Boolean(true), Value::Double(0.1), Value::Varchar("plain"),
       Value::Date(19000), Value::Timestamp(1700000000123456)},
      {Value::Bigint(9223372036854775807), Value::Boolean(false), Value::Double(1.0),
       Value::Varchar(""), Value::Date(-1), Value::Timestamp(-1)},
      {Value::Bigint(3), Value::Null(TypeId::kBoolean), Value::Null(TypeId::kDouble),
       Value::Null(TypeId::kVarchar), Value::Null(TypeId::kDate), Value::Null(TypeId::kTimestamp)},
      {Value::Bigint(4), Value::Boolean(true), Value::Double(1e300),
       Value::Varchar("quote \" backslash \\ tab \t newline \n bell \x07 end"), Value::Date(0),
       Value::Timestamp(0)},
      {Value::Bigint(-5), Value::Boolean(false), Value::Double(-2.5e-10),
       Value::Varchar("ünïcødé ✓ 日本 😀"), Value::Date(2932896), Value::Timestamp(1500000)},
  };
}

core::Batch MakeBatch() {
  core::Batch batch(Schema());
  for (const auto& row : Rows()) batch.AppendRow(row);
  return batch;
}

void ExpectRoundTrip(const std::string& path) {
  auto reader = OpenJson(path);
  EXPECT_EQ(*reader->schema(), *Schema());
  std::vector<core::Batch> batches = ReadAll(*reader);
  ASSERT_EQ(batches.size(), 1u);
  auto rows = Rows();
  ASSERT_EQ(batches[0].num_rows(), rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      EXPECT_EQ(batches[0].GetValue(c, r), rows[r][c]) << "row " << r << " column " << c;
    }
  }
}

TEST_F(JsonWriterTest, NdjsonReadsBackWithIdenticalValues) {
  auto writer = JsonWriter::Create(Path("a.ndjson"), Schema());
  writer->Write(MakeBatch());
  EXPECT_EQ(writer->Finish(), 5u);
  std::string text = ReadText(Path("a.ndjson"));
  EXPECT_EQ(text.substr(0, text.find('\n') + 1),
            "{\"id\":1,\"ok\":true,\"x\":0.1,\"s\":\"plain\",\"day\":\"2022-01-08\","
            "\"at\":\"2023-11-14 22:13:20.123456\"}\n");
  EXPECT_NE(text.find("{\"id\":3,\"ok\":null,\"x\":null,\"s\":null,\"day\":null,\"at\":null}\n"),
            std::string::npos);
  EXPECT_NE(text.find("\"x\":1.0,"), std::string::npos);
  EXPECT_NE(text.find(R"("quote \" backslash \\ tab \t newline \n bell \u0007 end")"),
            std::string::npos)
      << text;
  ExpectRoundTrip(Path("a.ndjson"));
}

TEST_F(JsonWriterTest, ArrayReadsBackWithIdenticalValues) {
  JsonWriteOptions options;
  options.array = true;
  auto writer = JsonWriter::Create(Path("a.json"), Schema(), options);
  core::Batch batch = MakeBatch();
  writer->Write(batch);
  writer->Finish();
  std::string text = ReadText(Path("a.json"));
  EXPECT_EQ(text.substr(0, 2), "[\n");
  EXPECT_EQ(text.substr(text.size() - 4), "}\n]\n");
  ExpectRoundTrip(Path("a.json"));
}

TEST_F(JsonWriterTest, EmptyArrayAndNonFiniteDoubles) {
  auto schema = std::make_shared<core::Schema>(std::vector<core::Field>{{"x", TypeId::kDouble}});
  JsonWriteOptions options;
  options.array = true;
  auto empty = JsonWriter::Create(Path("e.json"), schema, options);
  EXPECT_EQ(empty->Finish(), 0u);
  EXPECT_EQ(ReadText(Path("e.json")), "[]\n");
  core::Batch batch(schema);
  batch.AppendRow({Value::Double(std::numeric_limits<double>::infinity())});
  batch.AppendRow({Value::Double(std::nan(""))});
  auto writer = JsonWriter::Create(Path("n.ndjson"), schema);
  writer->Write(batch);
  writer->Finish();
  EXPECT_EQ(ReadText(Path("n.ndjson")), "{\"x\":null}\n{\"x\":null}\n");
}

TEST_F(JsonWriterTest, ErrorsNameThePath) {
  std::string path = Path("missing/a.json");
  try {
    JsonWriter::Create(path, Schema());
    FAIL() << "expected an IoError";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  auto writer = JsonWriter::Create("/dev/full", Schema());
  writer->Write(MakeBatch());
  EXPECT_THROW(writer->Finish(), IoError);
}

}  // namespace
}  // namespace sluice::io
