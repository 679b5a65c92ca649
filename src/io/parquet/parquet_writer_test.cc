#include "io/parquet/parquet_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "base/error.h"
#include "base/test_folder.h"
#include "io/parquet/format/parquet_types.h"
#include "io/parquet/thrift_codec.h"

namespace sluice::io {
namespace {

namespace format = parquet::format;
using core::TypeId;
using core::Value;

class ParquetWriterTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return folder_.Path(name); }
  static std::string ReadBytes(const std::string& path) { return TestFolder::ReadFile(path); }

  // Checks the magic bytes and decodes the footer.
  static format::FileMetaData ReadFooter(const std::string& bytes) {
    EXPECT_EQ(bytes.substr(0, 4), "PAR1");
    EXPECT_EQ(bytes.substr(bytes.size() - 4), "PAR1");
    uint32_t length = 0;
    std::memcpy(&length, bytes.data() + bytes.size() - 8, 4);
    format::FileMetaData metadata;
    const auto* footer = reinterpret_cast<const uint8_t*>(bytes.data() + bytes.size() - 8 - length);
    parquet::DecodeThrift(footer, length, &metadata, "footer");
    return metadata;
  }

  TestFolder folder_;
};

core::SchemaPtr AllTypes() {
  return std::make_shared<core::Schema>(std::vector<core::Field>{{"b", TypeId::kBoolean},
                                                                 {"i", TypeId::kInteger},
                                                                 {"l", TypeId::kBigint},
                                                                 {"d", TypeId::kDouble},
                                                                 {"s", TypeId::kVarchar},
                                                                 {"dt", TypeId::kDate},
                                                                 {"ts", TypeId::kTimestamp}});
}

// Row r of AllTypes(): every seventh row NULL in every column.
std::vector<Value> Row(int r) {
  if (r % 7 == 3) {
    return {Value::Null(TypeId::kBoolean),  Value::Null(TypeId::kInteger),
            Value::Null(TypeId::kBigint),   Value::Null(TypeId::kDouble),
            Value::Null(TypeId::kVarchar),  Value::Null(TypeId::kDate),
            Value::Null(TypeId::kTimestamp)};
  }
  return {Value::Boolean(r % 2 == 0),
          Value::Integer(r - 100),
          Value::Bigint(int64_t{r} * 1000000007),
          Value::Double(r * 0.25),
          Value::Varchar("v" + std::to_string(r % 10)),
          Value::Date(r),
          Value::Timestamp(int64_t{r} * 1000000)};
}

void WriteRows(ParquetWriter& writer, const core::SchemaPtr& schema, int rows) {
  for (int start = 0; start < rows; start += 1000) {
    core::Batch batch(schema);
    for (int r = start; r < std::min(rows, start + 1000); ++r) batch.AppendRow(Row(r));
    writer.Write(batch);
  }
}

TEST_F(ParquetWriterTest, WritesRowGroupsSchemaAndStatistics) {
  ParquetWriteOptions options;
  options.row_group_rows = 2000;
  auto writer = CreateParquetWriter(Path("a.parquet"), AllTypes(), options);
  WriteRows(*writer, AllTypes(), 5000);
  ParquetFileSummary summary = writer->Finish();

  std::string bytes = ReadBytes(Path("a.parquet"));
  EXPECT_EQ(summary.file_bytes, static_cast<int64_t>(bytes.size()));
  format::FileMetaData metadata = ReadFooter(bytes);
  EXPECT_EQ(metadata.num_rows, 5000);
  EXPECT_EQ(metadata.created_by.substr(0, 15), "sluice version ");
  ASSERT_EQ(metadata.row_groups.size(), 3u);
  EXPECT_EQ(metadata.row_groups[0].num_rows, 2000);
  EXPECT_EQ(metadata.row_groups[2].num_rows, 1000);
  ASSERT_EQ(metadata.schema.size(), 8u);
  EXPECT_EQ(metadata.schema[0].num_children, 7);
  EXPECT_EQ(metadata.schema[2].type, format::Type::INT32);
  EXPECT_EQ(metadata.schema[5].converted_type, format::ConvertedType::UTF8);
  EXPECT_EQ(metadata.schema[6].converted_type, format::ConvertedType::DATE);
  EXPECT_TRUE(metadata.schema[7].logicalType.TIMESTAMP.isAdjustedToUTC);
  EXPECT_EQ(metadata.schema[7].repetition_type, format::FieldRepetitionType::OPTIONAL);
  EXPECT_EQ(metadata.column_orders.size(), 7u);

  // Column i of the first row group holds -100 .. 1899.
  const format::ColumnMetaData& integers = metadata.row_groups[0].columns[1].meta_data;
  int32_t min = 0;
  int32_t max = 0;
  std::memcpy(&min, integers.statistics.min_value.data(), 4);
  std::memcpy(&max, integers.statistics.max_value.data(), 4);
  EXPECT_EQ(min, -100);
  EXPECT_EQ(max, 1899);
  EXPECT_EQ(integers.statistics.min, integers.statistics.min_value);  // legacy, signed order
  EXPECT_EQ(integers.statistics.null_count, 286);                     // rows 3, 10, ... 1998
  const format::Statistics& strings = metadata.row_groups[0].columns[4].meta_data.statistics;
  EXPECT_EQ(strings.min_value, "v0");
  EXPECT_EQ(strings.max_value, "v9");
  EXPECT_FALSE(strings.__isset.min);  // no legacy statistics for unsigned order

  EXPECT_EQ(summary.num_rows, 5000);
  ASSERT_EQ(summary.columns.size(), 7u);
  EXPECT_EQ(summary.columns[1].null_count, 714);
  EXPECT_EQ(summary.columns[1].min, Value::Integer(-100));
  EXPECT_EQ(summary.columns[1].max, Value::Integer(4899));
  EXPECT_EQ(summary.columns[4].max, Value::Varchar("v9"));
  EXPECT_EQ(summary.columns[6].max, Value::Timestamp(int64_t{4999} * 1000000));
  EXPECT_EQ(summary.columns[0].min, Value::Boolean(false));
}

TEST_F(ParquetWriterTest, PagesAreWhereTheOffsetIndexSays) {
  ParquetWriteOptions options;
  options.compression = ParquetCompression::kSnappy;
  auto writer = CreateParquetWriter(Path("p.parquet"), AllTypes(), options);
  WriteRows(*writer, AllTypes(), 300000);
  writer->Finish();
  std::string bytes = ReadBytes(Path("p.parquet"));
  format::FileMetaData metadata = ReadFooter(bytes);
  for (const format::ColumnChunk& column : metadata.row_groups[0].columns) {
    format::OffsetIndex index;
    ASSERT_TRUE(column.__isset.offset_index_offset);
    parquet::DecodeThrift(
        reinterpret_cast<const uint8_t*>(bytes.data()) + column.offset_index_offset,
        column.offset_index_length, &index, "offset index");
    int64_t rows = 0;
    for (const format::PageLocation& page : index.page_locations) {
      EXPECT_EQ(page.first_row_index, rows);
      format::PageHeader header;
      size_t header_bytes = parquet::DecodeThrift(
          reinterpret_cast<const uint8_t*>(bytes.data()) + page.offset,
          static_cast<size_t>(page.compressed_page_size), &header, "page header");
      EXPECT_EQ(header.type, format::PageType::DATA_PAGE);
      EXPECT_EQ(header_bytes + header.compressed_page_size,
                static_cast<size_t>(page.compressed_page_size));
      EXPECT_LE(header.uncompressed_page_size, (1 << 20) + 64);
      rows += header.data_page_header.num_values;
    }
    EXPECT_EQ(rows, 300000);
    EXPECT_EQ(column.meta_data.data_page_offset, index.page_locations[0].offset);
  }
  // Doubles: 300000 values, one page of 1 MiB holds 131072 of them at most.
  format::OffsetIndex doubles;
  const format::ColumnChunk& d = metadata.row_groups[0].columns[3];
  parquet::DecodeThrift(reinterpret_cast<const uint8_t*>(bytes.data()) + d.offset_index_offset,
                        d.offset_index_length, &doubles, "offset index");
  EXPECT_GE(doubles.page_locations.size(), 3u);
}

TEST_F(ParquetWriterTest, DictionaryWhereItPays) {
  auto schema = std::make_shared<core::Schema>(
      std::vector<core::Field>{{"few", TypeId::kVarchar}, {"many", TypeId::kDouble}});
  auto write = [&](const std::string& path, bool dictionary) {
    ParquetWriteOptions options;
    options.dictionary = dictionary;
    auto writer = CreateParquetWriter(path, schema, options);
    for (int i = 0; i < 100; ++i) {
      core::Batch batch(schema, 2048);
      for (int r = 0; r < 2048; ++r) {
        batch.AppendRow({Value::Varchar(r % 3 ? "abc" : "a long enough string"),
                         Value::Double((i * 2048 + r) * 1.0001)});
      }
      writer->Write(batch);
    }
    writer->Finish();
    return ReadFooter(ReadBytes(path));
  };
  auto has = [](const format::ColumnMetaData& meta, format::Encoding::type encoding) {
    return std::find(meta.encodings.begin(), meta.encodings.end(), encoding) !=
           meta.encodings.end();
  };
  format::FileMetaData with = write(Path("d.parquet"), true);
  const format::ColumnMetaData& few = with.row_groups[0].columns[0].meta_data;
  EXPECT_TRUE(has(few, format::Encoding::RLE_DICTIONARY));
  EXPECT_TRUE(few.__isset.dictionary_page_offset);
  EXPECT_FALSE(has(with.row_groups[0].columns[1].meta_data, format::Encoding::RLE_DICTIONARY));
  format::FileMetaData without = write(Path("p.parquet"), false);
  EXPECT_FALSE(has(without.row_groups[0].columns[0].meta_data, format::Encoding::RLE_DICTIONARY));
  EXPECT_FALSE(without.row_groups[0].columns[0].meta_data.__isset.dictionary_page_offset);
}

TEST_F(ParquetWriterTest, EmptyFileHasAFooterAndNoRowGroups) {
  auto writer = CreateParquetWriter(Path("e.parquet"), AllTypes());
  ParquetFileSummary summary = writer->Finish();
  EXPECT_EQ(summary.num_rows, 0);
  EXPECT_TRUE(summary.columns[2].min.is_null());
  format::FileMetaData metadata = ReadFooter(ReadBytes(Path("e.parquet")));
  EXPECT_EQ(metadata.num_rows, 0);
  EXPECT_TRUE(metadata.row_groups.empty());
}

TEST_F(ParquetWriterTest, MissingDirectoryIsAnIoErrorNamingThePath) {
  std::string path = Path("no/such/dir/x.parquet");
  try {
    CreateParquetWriter(path, AllTypes());
    FAIL() << "expected an IoError";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
}

TEST_F(ParquetWriterTest, FullDiskIsAnIoError) {
  ASSERT_TRUE(std::filesystem::exists("/dev/full"));
  try {
    auto writer = CreateParquetWriter("/dev/full", AllTypes());
    WriteRows(*writer, AllTypes(), 10);
    writer->Finish();
    FAIL() << "expected an IoError";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find("/dev/full"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(std::filesystem::exists("/dev/full"));
}

TEST_F(ParquetWriterTest, UnfinishedFileIsRemoved) {
  {
    auto writer = CreateParquetWriter(Path("u.parquet"), AllTypes());
    WriteRows(*writer, AllTypes(), 10);
    EXPECT_TRUE(std::filesystem::exists(Path("u.parquet")));
  }
  EXPECT_FALSE(std::filesystem::exists(Path("u.parquet")));
}

TEST_F(ParquetWriterTest, SelectionVectorsAreHonoured) {
  auto schema = std::make_shared<core::Schema>(std::vector<core::Field>{{"x", TypeId::kBigint}});
  core::Batch batch(schema, 10);
  for (int r = 0; r < 10; ++r) batch.AppendRow({Value::Bigint(r)});
  batch.SetSelection({2, 5, 7});
  auto writer = CreateParquetWriter(Path("s.parquet"), schema);
  writer->Write(batch);
  ParquetFileSummary summary = writer->Finish();
  EXPECT_EQ(summary.num_rows, 3);
  EXPECT_EQ(summary.columns[0].min, Value::Bigint(2));
  EXPECT_EQ(summary.columns[0].max, Value::Bigint(7));
}

}  // namespace
}  // namespace sluice::io
