#include "io/csv/csv_writer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/error.h"
#include "base/test_folder.h"
#include "io/csv/csv_reader.h"

namespace sluice::io {
namespace {

using core::TypeId;
using core::Value;

class CsvWriterTest : public ::testing::Test {
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
      {Value::Bigint(-9223372036854775807 - 1), Value::Boolean(false), Value::Double(1.0),
       Value::Varchar(""), Value::Date(-1), Value::Timestamp(-1)},
      {Value::Bigint(3), Value::Null(TypeId::kBoolean), Value::Null(TypeId::kDouble),
       Value::Null(TypeId::kVarchar), Value::Null(TypeId::kDate), Value::Null(TypeId::kTimestamp)},
      {Value::Bigint(4), Value::Boolean(true), Value::Double(1e300),
       Value::Varchar("a,b \"quoted\"\nnext line"), Value::Date(0), Value::Timestamp(0)},
      {Value::Bigint(5), Value::Boolean(false), Value::Double(-2.5e-10),
       Value::Varchar(" leading and trailing "), Value::Date(2932896), Value::Timestamp(1500000)},
      {Value::Bigint(6), Value::Boolean(true), Value::Double(123456789.125),
       Value::Varchar("ünïcødé ✓ 日本"), Value::Date(1), Value::Timestamp(86400000000)},
  };
}

core::Batch MakeBatch() {
  core::Batch batch(Schema());
  for (const auto& row : Rows()) batch.AppendRow(row);
  return batch;
}

TEST_F(CsvWriterTest, ReadsBackWithIdenticalValues) {
  auto writer = CsvWriter::Create(Path("a.csv"), Schema());
  writer->Write(MakeBatch());
  EXPECT_EQ(writer->Finish(), 6u);

  auto reader = CsvReader::Open(Path("a.csv"));
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

TEST_F(CsvWriterTest, QuotesOnlyWhatNeedsIt) {
  auto writer = CsvWriter::Create(Path("q.csv"), Schema());
  writer->Write(MakeBatch());
  writer->Finish();
  std::string text = ReadText(Path("q.csv"));
  EXPECT_EQ(text.substr(0, text.find('\n', text.find('\n') + 1) + 1),
            "id,ok,x,s,day,at\n"
            "1,true,0.1,plain,2022-01-08,2023-11-14 22:13:20.123456\n");
  EXPECT_NE(text.find("\n3,,,,,\n"), std::string::npos) << text;  // NULL: empty, unquoted
  EXPECT_NE(text.find(",1.0,\"\",1969-12-31,1969-12-31 23:59:59.999999\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\"a,b \"\"quoted\"\"\nnext line\""), std::string::npos) << text;
}

TEST_F(CsvWriterTest, DelimiterAndNoHeader) {
  CsvWriteOptions options;
  options.delimiter = '\t';
  options.header = false;
  auto schema = std::make_shared<core::Schema>(
      std::vector<core::Field>{{"a", TypeId::kInteger}, {"b", TypeId::kVarchar}});
  core::Batch batch(schema);
  batch.AppendRow({Value::Integer(7), Value::Varchar("x\ty")});
  batch.AppendRow({Value::Integer(8), Value::Varchar("x,y")});
  auto writer = CsvWriter::Create(Path("t.tsv"), schema, options);
  writer->Write(batch);
  writer->Finish();
  EXPECT_EQ(ReadText(Path("t.tsv")), "7\t\"x\ty\"\n8\tx,y\n");
}

TEST_F(CsvWriterTest, SelectionIsHonoured) {
  core::Batch batch = MakeBatch();
  batch.SetSelection({0, 5});
  auto writer = CsvWriter::Create(Path("s.csv"), Schema());
  writer->Write(batch);
  EXPECT_EQ(writer->Finish(), 2u);
  auto reader = CsvReader::Open(Path("s.csv"));
  std::vector<core::Batch> batches = ReadAll(*reader);
  ASSERT_EQ(batches.at(0).num_rows(), 2u);
  EXPECT_EQ(batches[0].GetValue(0, 1), Value::Bigint(6));
}

TEST_F(CsvWriterTest, ErrorsNameThePath) {
  std::string path = Path("missing/dir/a.csv");
  try {
    CsvWriter::Create(path, Schema());
    FAIL() << "expected an IoError";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  auto writer = CsvWriter::Create("/dev/full", Schema());
  writer->Write(MakeBatch());
  EXPECT_THROW(writer->Finish(), IoError);
  CsvWriteOptions bad;
  bad.delimiter = '"';
  EXPECT_THROW(CsvWriter::Create(Path("b.csv"), Schema(), bad), UserError);
  EXPECT_FALSE(std::filesystem::exists(Path("b.csv")));
}

TEST_F(CsvWriterTest, UnfinishedFileIsRemoved) {
  {
    auto writer = CsvWriter::Create(Path("u.csv"), Schema());
    writer->Write(MakeBatch());
  }
  EXPECT_FALSE(std::filesystem::exists(Path("u.csv")));
}

}  // namespace
}  // namespace sluice::io
