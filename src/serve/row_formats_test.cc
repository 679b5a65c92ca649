#include "serve/row_formats.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/datetime.h"
#include "io/batch_reader.h"
#include "io/parquet/parquet_reader.h"
#include "serve/http.h"

namespace sluice::serve {
namespace {

using core::TypeId;
using core::Value;

core::SchemaPtr Schema() {
  return std::make_shared<core::Schema>(std::vector<core::Field>{{"id", TypeId::kInteger},
                                                                 {"name", TypeId::kVarchar},
                                                                 {"score", TypeId::kDouble},
                                                                 {"ok", TypeId::kBoolean},
                                                                 {"day", TypeId::kDate},
                                                                 {"at", TypeId::kTimestamp}});
}

Value Day(const char* text) { return Value::Date(*core::ParseDate(text)); }
Value At(const char* text) { return Value::Timestamp(*core::ParseTimestamp(text)); }

std::vector<std::vector<Value>> Rows() {
  Value null_int = Value::Null(TypeId::kInteger);
  Value null_text = Value::Null(TypeId::kVarchar);
  Value null_double = Value::Null(TypeId::kDouble);
  Value null_bool = Value::Null(TypeId::kBoolean);
  Value null_day = Value::Null(TypeId::kDate);
  Value null_at = Value::Null(TypeId::kTimestamp);
  return {
      {Value::Integer(1), Value::Varchar("plain"), Value::Double(1.5), Value::Boolean(true),
       Day("2024-01-31"), At("2024-01-31 12:00:00.5")},
      {Value::Integer(2), Value::Varchar("say \"hi\", then\nbye"), null_double,
       Value::Boolean(false), null_day, null_at},
      {null_int, Value::Varchar("ünïcødé ✓"), Value::Double(2), null_bool, Day("1969-12-31"),
       At("1970-01-01 00:00:00")},
      {Value::Integer(4), Value::Varchar(""), Value::Double(-0.25), Value::Boolean(true),
       Day("2000-02-29"), null_at},
      {Value::Integer(5), null_text, Value::Double(1e20), Value::Boolean(false), null_day, null_at},
  };
}

// Returns rows [begin, end) of Rows() as one batch.
core::Batch MakeBatch(size_t begin, size_t end) {
  core::Batch batch(Schema());
  std::vector<std::vector<Value>> rows = Rows();
  for (size_t row = begin; row < end; ++row) batch.AppendRow(rows[row]);
  return batch;
}

// Returns the body `format` makes of Rows(), given as two batches and an empty one.
std::string Encode(RowFormat format) {
  auto encoder = RowEncoder::Make(format, Schema());
  std::string body = encoder->Begin();
  body += encoder->Encode(MakeBatch(0, 2));
  body += encoder->Encode(MakeBatch(0, 0));
  body += encoder->Encode(MakeBatch(2, 5));
  return body + encoder->End();
}

TEST(RowFormatsTest, WritesJsonArrays) {
  EXPECT_EQ(
      Encode(RowFormat::kJson),
      "[\n"
      R"({"id":1,"name":"plain","score":1.5,"ok":true,"day":"2024-01-31","at":"2024-01-31 12:00:00.5"},)"
      "\n"
      R"({"id":2,"name":"say \"hi\", then\nbye","score":null,"ok":false,"day":null,"at":null},)"
      "\n"
      R"({"id":null,"name":"ünïcødé ✓","score":2.0,"ok":null,"day":"1969-12-31","at":"1970-01-01 00:00:00"},)"
      "\n"
      R"({"id":4,"name":"","score":-0.25,"ok":true,"day":"2000-02-29","at":null},)"
      "\n"
      R"({"id":5,"name":null,"score":1e+20,"ok":false,"day":null,"at":null})"
      "\n]\n");
  auto encoder = RowEncoder::Make(RowFormat::kJson, Schema());
  EXPECT_EQ(encoder->Begin() + encoder->End(), "[]\n");
}

TEST(RowFormatsTest, WritesNdjson) {
  EXPECT_EQ(
      Encode(RowFormat::kNdjson),
      R"({"id":1,"name":"plain","score":1.5,"ok":true,"day":"2024-01-31","at":"2024-01-31 12:00:00.5"})"
      "\n"
      R"({"id":2,"name":"say \"hi\", then\nbye","score":null,"ok":false,"day":null,"at":null})"
      "\n"
      R"({"id":null,"name":"ünïcødé ✓","score":2.0,"ok":null,"day":"1969-12-31","at":"1970-01-01 00:00:00"})"
      "\n"
      R"({"id":4,"name":"","score":-0.25,"ok":true,"day":"2000-02-29","at":null})"
      "\n"
      R"({"id":5,"name":null,"score":1e+20,"ok":false,"day":null,"at":null})"
      "\n");
}

TEST(RowFormatsTest, WritesCsvWithAHeader) {
  EXPECT_EQ(Encode(RowFormat::kCsv),
            "id,name,score,ok,day,at\n"
            "1,plain,1.5,true,2024-01-31,2024-01-31 12:00:00.5\n"
            "2,\"say \"\"hi\"\", then\nbye\",,false,,\n"
            ",ünïcødé ✓,2.0,,1969-12-31,1970-01-01 00:00:00\n"
            "4,\"\",-0.25,true,2000-02-29,\n"
            "5,,1e+20,false,,\n");
}

TEST(RowFormatsTest, WritesOnlySelectedRows) {
  core::Batch batch = MakeBatch(0, 5);
  batch.SetSelection({3, 0});
  auto encoder = RowEncoder::Make(RowFormat::kCsv, Schema());
  EXPECT_EQ(encoder->Encode(batch),
            "4,\"\",-0.25,true,2000-02-29,\n"
            "1,plain,1.5,true,2024-01-31,2024-01-31 12:00:00.5\n");
}

TEST(RowFormatsTest, WritesParquetThatReadsBackAsTheSameRows) {
  std::string bytes = Encode(RowFormat::kParquet);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 4), "PAR1");
  auto reader = io::OpenParquetBuffer(bytes, "rows.parquet");
  EXPECT_EQ(*reader->schema(), *Schema());
  std::vector<std::vector<Value>> read;
  for (const core::Batch& batch : io::ReadAll(*reader)) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      read.emplace_back();
      for (size_t c = 0; c < batch.num_columns(); ++c)
        read.back().push_back(batch.GetValue(c, row));
    }
  }
  EXPECT_EQ(read, Rows());
}

TEST(RowFormatsTest, WritesAnEmptyParquetFile) {
  auto encoder = RowEncoder::Make(RowFormat::kParquet, Schema());
  std::string bytes = encoder->Begin() + encoder->End();
  auto reader = io::OpenParquetBuffer(bytes, "empty.parquet");
  EXPECT_EQ(*reader->schema(), *Schema());
  size_t rows = 0;
  for (const core::Batch& batch : io::ReadAll(*reader)) rows += batch.num_rows();
  EXPECT_EQ(rows, 0u);
}

TEST(RowFormatsTest, PrefersTheFormatParameter) {
  EXPECT_EQ(ChooseRowFormat("csv", "application/json"), RowFormat::kCsv);
  EXPECT_EQ(ChooseRowFormat("PARQUET", ""), RowFormat::kParquet);
  EXPECT_EQ(ChooseRowFormat("ndjson", "text/html"), RowFormat::kNdjson);
  EXPECT_EQ(ChooseRowFormat("json", ""), RowFormat::kJson);
  try {
    ChooseRowFormat("xml", "");
    ADD_FAILURE() << "no error";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.parameter(), "format");
  }
}

TEST(RowFormatsTest, NegotiatesAcceptWithQValues) {
  EXPECT_EQ(ChooseRowFormat("", ""), RowFormat::kJson);
  EXPECT_EQ(ChooseRowFormat("", "*/*"), RowFormat::kJson);
  EXPECT_EQ(ChooseRowFormat("", "text/csv"), RowFormat::kCsv);
  EXPECT_EQ(ChooseRowFormat("", "Text/CSV; charset=utf-8"), RowFormat::kCsv);
  EXPECT_EQ(ChooseRowFormat("", "application/x-ndjson"), RowFormat::kNdjson);
  EXPECT_EQ(ChooseRowFormat("", "application/vnd.apache.parquet"), RowFormat::kParquet);
  EXPECT_EQ(ChooseRowFormat("", "text/csv;q=0.5, application/json;q=0.9"), RowFormat::kJson);
  EXPECT_EQ(ChooseRowFormat("", "application/json;q=0.2, text/csv"), RowFormat::kCsv);
  EXPECT_EQ(ChooseRowFormat("", "text/csv, application/json"), RowFormat::kCsv);
  EXPECT_EQ(ChooseRowFormat("", "text/html,application/xhtml+xml,*/*;q=0.8"), RowFormat::kJson);
  EXPECT_EQ(ChooseRowFormat("", "text/*"), RowFormat::kCsv);
  EXPECT_EQ(ChooseRowFormat("", "application/json;q=0, */*"), RowFormat::kNdjson);
}

TEST(RowFormatsTest, RefusesAnAcceptNothingMatches) {
  for (const char* accept : {"text/html", "text/csv;q=0", "image/png, text/plain;q=0.5"}) {
    try {
      ChooseRowFormat("", accept);
      ADD_FAILURE() << "no error for " << accept;
    } catch (const HttpError& error) {
      EXPECT_EQ(error.status(), 406) << accept;
    }
  }
}

TEST(RowFormatsTest, NamesContentTypes) {
  EXPECT_STREQ(ContentType(RowFormat::kJson), "application/json");
  EXPECT_STREQ(ContentType(RowFormat::kNdjson), "application/x-ndjson");
  EXPECT_STREQ(ContentType(RowFormat::kCsv), "text/csv; charset=utf-8");
  EXPECT_STREQ(ContentType(RowFormat::kParquet), "application/vnd.apache.parquet");
}

}  // namespace
}  // namespace sluice::serve
