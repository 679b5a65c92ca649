#include "io/parquet/parquet_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/test_folder.h"
#include "core/value.h"
#include "io/open_file.h"
#include "io/parquet/parquet_writer.h"
#include "io/parquet/statistics.h"
#include "io/parquet/value_decoder.h"

namespace sluice::io {
namespace {

std::string DataPath(const std::string& name) {
  return std::string(SLUICE_SOURCE_DIR) + "/test/data/parquet/" + name;
}

size_t CountRows(BatchReader& reader) {
  size_t rows = 0;
  while (auto batch = reader.Next()) rows += batch->num_rows();
  return rows;
}

TEST(ParquetReader, ReadsProjectedColumns) {
  ParquetOptions options;
  options.columns = {"score", "id"};
  auto reader = OpenParquet(DataPath("people.parquet"), options);
  ASSERT_EQ(reader->schema()->num_fields(), 2u);
  EXPECT_EQ(reader->schema()->field(0).name, "score");
  auto batch = reader->Next();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->GetValue(1, 3).GetInt64(), 3);
  EXPECT_EQ(batch->GetValue(0, 3).GetDouble(), 1.5);
}

// Returns every row of `batch` as text, one string per row.
std::vector<std::string> RowTexts(const core::Batch& batch) {
  std::vector<std::string> rows;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    std::string text;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      text += batch.GetValue(c, row).ToString() + "|";
    }
    rows.push_back(std::move(text));
  }
  return rows;
}

TEST(ParquetReader, HandsOutDictionaryCodesWithOrWithoutTheValues) {
  std::vector<std::string> expected;
  auto plain = OpenParquet(DataPath("people.parquet"));
  while (auto batch = plain->Next()) {
    for (auto& row : RowTexts(*batch)) expected.push_back(std::move(row));
  }
  for (bool fill : {true, false}) {
    SCOPED_TRACE(fill ? "values filled" : "values left out");
    auto reader = OpenParquet(DataPath("people.parquet"));
    reader->KeepDictionaryCodes(fill);
    std::map<uint64_t, std::vector<std::string>> by_sequence;
    size_t coded = 0;
    size_t left_out = 0;
    while (auto batch = reader->NextConcurrent()) {
      ASSERT_EQ(batch->codes.size(), batch->batch.num_columns());
      for (size_t c = 0; c < batch->codes.size(); ++c) {
        DictionaryCodes& codes = batch->codes[c];
        if (codes.dictionary == 0) continue;
        ++coded;
        EXPECT_EQ(codes.values_left_out, !fill);
        if (codes.values_left_out) {
          ++left_out;
          FillFromCodes(codes, batch->batch.num_rows(), batch->batch.column(c));
        }
        for (size_t row = 0; row < batch->batch.num_rows(); ++row) {
          if (batch->batch.column(c).IsNull(row)) continue;
          EXPECT_EQ(codes.entries->GetValue(codes.codes[row]).ToString(),
                    batch->batch.GetValue(c, row).ToString());
        }
      }
      by_sequence[batch->sequence] = RowTexts(batch->batch);
    }
    EXPECT_GT(coded, 0u);
    EXPECT_EQ(left_out > 0, !fill);
    std::vector<std::string> rows;
    for (auto& [sequence, texts] : by_sequence) {
      for (auto& row : texts) rows.push_back(std::move(row));
    }
    EXPECT_EQ(rows, expected);
  }
}

// Writes rows 0..rows-1 of (id BIGINT, name VARCHAR) in row groups of `group_rows`.
void WriteNumbered(const std::string& path, int64_t rows, size_t group_rows) {
  auto schema = std::make_shared<core::Schema>(
      std::vector<core::Field>{{"id", core::TypeId::kBigint}, {"name", core::TypeId::kVarchar}});
  ParquetWriteOptions options;
  options.row_group_rows = group_rows;
  auto writer = CreateParquetWriter(path, schema, options);
  for (int64_t from = 0; from < rows; from += 1000) {
    core::Batch batch(schema, 1000);
    for (int64_t id = from; id < std::min(rows, from + 1000); ++id) {
      batch.AppendRow(
          {core::Value::Bigint(id), core::Value::Varchar("n" + std::to_string(id % 97))});
    }
    writer->Write(batch);
  }
  writer->Finish();
}

// Returns the ids a reader hands out, in sequence order, checking that sequence numbers run
// from 0 without gaps and that every name matches its id.
std::vector<int64_t> IdsInSequence(BatchReader& reader) {
  std::map<uint64_t, std::vector<int64_t>> by_sequence;
  while (auto batch = reader.NextConcurrent()) {
    std::vector<int64_t>& ids = by_sequence[batch->sequence];
    for (size_t row = 0; row < batch->batch.num_rows(); ++row) {
      int64_t id = batch->batch.GetValue(0, row).GetInt64();
      EXPECT_EQ(batch->batch.GetValue(1, row).ToString(), "n" + std::to_string(id % 97));
      ids.push_back(id);
    }
  }
  std::vector<int64_t> ids;
  uint64_t expected = 0;
  for (auto& [sequence, batch_ids] : by_sequence) {
    EXPECT_EQ(sequence, expected++);
    ids.insert(ids.end(), batch_ids.begin(), batch_ids.end());
  }
  return ids;
}

TEST(ParquetReader, ReadsTheLastRowGroupsInPartsOnSeveralThreads) {
  TestFolder folder;
  std::string path = folder.Path("numbered.parquet");
  // Row groups of 300,000 and 100,000 rows, in pages of 131,072 rows (the writer's default).
  WriteNumbered(path, 400000, 300000);
  for (size_t threads : {1, 2, 3, 8}) {
    SCOPED_TRACE(threads);
    ParquetOptions options;
    options.threads = threads;
    std::vector<int64_t> all(400000);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(IdsInSequence(*OpenParquet(path, options)), all);
    std::vector<int64_t> ordered;
    auto reader = OpenParquet(path, options);
    while (auto batch = reader->Next()) {
      for (size_t row = 0; row < batch->num_rows(); ++row) {
        ordered.push_back(batch->GetValue(0, row).GetInt64());
      }
    }
    EXPECT_EQ(ordered, all);
    // Pages the page index rules out leave ranges of rows, which parts cut further.
    options.predicates = {{"id", ScanPredicate::Op::kGe, core::Value::Bigint(140000)}};
    reader = OpenParquet(path, options);
    std::vector<int64_t> tail(all.begin() + 131072, all.end());
    EXPECT_EQ(IdsInSequence(*reader), tail) << reader->Describe();
  }
}

TEST(ParquetReader, ReadsFoldersOfFilesOnSeveralThreadsAtOnce) {
  TestFolder folder;
  std::vector<int64_t> rows = {5000, 70000, 3000};
  for (size_t k = 0; k < rows.size(); ++k) {
    std::filesystem::create_directories(folder.Path("k=" + std::to_string(k)));
    WriteNumbered(folder.Path("k=" + std::to_string(k) + "/part.parquet"), rows[k], 4096);
  }
  auto reader = OpenFile(folder.path());
  ASSERT_TRUE(reader->concurrent());
  reader->KeepDictionaryCodes(true);
  // Batches numbered over the whole set, file after file; the partition column from the path.
  std::map<uint64_t, std::vector<std::pair<int64_t, int64_t>>> by_sequence;  // (k, id)
  size_t coded = 0;
  while (auto batch = reader->NextConcurrent()) {
    ASSERT_EQ(batch->codes.size(), 3u);
    coded += batch->codes[1].dictionary != 0;
    EXPECT_EQ(batch->codes[2].dictionary, 0u);
    for (size_t row = 0; row < batch->batch.num_rows(); ++row) {
      by_sequence[batch->sequence].emplace_back(batch->batch.GetValue(2, row).GetInt64(),
                                                batch->batch.GetValue(0, row).GetInt64());
    }
  }
  EXPECT_GT(coded, 0u);
  std::vector<std::pair<int64_t, int64_t>> expected, read;
  for (size_t k = 0; k < rows.size(); ++k) {
    for (int64_t id = 0; id < rows[k]; ++id) expected.emplace_back(k, id);
  }
  uint64_t next = 0;
  for (auto& [sequence, pairs] : by_sequence) {
    EXPECT_EQ(sequence, next++);
    read.insert(read.end(), pairs.begin(), pairs.end());
  }
  EXPECT_EQ(read, expected);
  // A share keeps whole files, numbered by file and batch: source order with gaps.
  reader = OpenFile(folder.path());
  ASSERT_TRUE(reader->KeepShare(1, 2));
  std::vector<uint64_t> sequences;
  while (auto batch = reader->NextConcurrent()) {
    EXPECT_EQ(batch->batch.GetValue(2, 0).GetInt64(), 1);
    sequences.push_back(batch->sequence);
  }
  std::sort(sequences.begin(), sequences.end());
  ASSERT_EQ(sequences.size(), 35u);  // 70,000 rows in batches of 2,048 at most
  EXPECT_EQ(sequences.front(), uint64_t{1} << 32);
  // Files read together need one format.
  std::filesystem::create_directories(folder.Path("k=3"));
  folder.Write("k=3/part.csv", "id,name\n1,n1\n");
  reader = OpenFile(folder.path());
  try {
    while (reader->NextConcurrent()) {
    }
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_NE(std::string(error.what()).find("one format"), std::string::npos) << error.what();
  }
}

TEST(ParquetReader, SkipsRowGroupsThatStatisticsRuleOut) {
  ParquetOptions options;
  options.predicates = {{"id", ScanPredicate::Op::kGt, core::Value::Bigint(5000)}};
  auto reader = OpenParquet(DataPath("people.parquet"), options);
  EXPECT_EQ(CountRows(*reader), 1904u);  // the last row group only
  EXPECT_NE(reader->Describe().find("2 of 3 skipped"), std::string::npos) << reader->Describe();
  options.predicates = {{"city", ScanPredicate::Op::kEq, core::Value::Varchar("Zurich")}};
  EXPECT_EQ(CountRows(*OpenParquet(DataPath("people.parquet"), options)), 0u);
  options.predicates = {
      {"age", ScanPredicate::Op::kIsNull, core::Value::Null(core::TypeId::kBigint)}};
  EXPECT_EQ(CountRows(*OpenParquet(DataPath("people.parquet"), options)), 6000u);
}

TEST(ParquetReader, NamesUnknownColumns) {
  ParquetOptions options;
  options.columns = {"nope"};
  EXPECT_THROW(OpenParquet(DataPath("people.parquet"), options), UserError);
}

TEST(ParquetReader, RejectsFilesThatAreNotParquet) {
  EXPECT_THROW(OpenParquet(DataPath("truncated.parquet")), DataError);
  EXPECT_THROW(OpenParquet(DataPath("not_parquet.parquet")), DataError);
  EXPECT_THROW(OpenParquet(DataPath("no_such_file.parquet")), IoError);
}

// Overwrites bytes in the middle of a copy of people.parquet: every read either works or fails
// with a DataError naming the file; it never crashes.
TEST(ParquetReader, ReportsCorruptPagesAsDataErrors) {
  std::ifstream in(DataPath("people.parquet"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto path = std::filesystem::temp_directory_path() / "sluice_corrupt_test.parquet";
  size_t errors = 0;
  for (size_t offset = 4; offset < bytes.size() / 2; offset += 97) {
    std::string corrupt = bytes;
    for (size_t i = 0; i < 8 && offset + i < corrupt.size(); ++i) corrupt[offset + i] ^= 0x5A;
    std::ofstream(path, std::ios::binary) << corrupt;
    try {
      CountRows(*OpenParquet(path.string()));
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
      ++errors;
    }
  }
  std::filesystem::remove(path);
  EXPECT_GT(errors, 0u);
}

TEST(ParquetValues, ConvertsInt96Timestamps) {
  // 2001-01-01 00:00:01.5 is Julian day 2451911 plus 1.5 s of nanoseconds.
  uint8_t bytes[12];
  int64_t nanos = 1'500'000'000;
  int32_t day = 2451911;
  std::memcpy(bytes, &nanos, 8);
  std::memcpy(bytes + 8, &day, 4);
  parquet::ColumnDescriptor column;
  column.physical = parquet::format::Type::INT96;
  column.conversion = parquet::Conversion::kInt96;
  parquet::PhysicalValues values;
  values.bytes = {core::StringRef(reinterpret_cast<const char*>(bytes), 12)};
  std::vector<int64_t> out;
  parquet::ConvertValues(column, values, nullptr, &out, "t");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], 978307201'500000);
}

TEST(ParquetValues, ConvertsDecimalsTimesAndHalfFloats) {
  parquet::ColumnDescriptor decimal;
  decimal.physical = parquet::format::Type::FIXED_LEN_BYTE_ARRAY;
  decimal.conversion = parquet::Conversion::kDecimal;
  decimal.scale = 2;
  const char negative[] = {'\xff', '\xfe'};  // -2 → -0.02
  parquet::PhysicalValues values;
  values.bytes = {core::StringRef(negative, 2)};
  std::vector<double> doubles;
  parquet::ConvertValues(decimal, values, nullptr, &doubles, "t");
  EXPECT_DOUBLE_EQ(doubles[0], -0.02);

  parquet::ColumnDescriptor half = decimal;
  half.conversion = parquet::Conversion::kFloat16;
  const char one_and_half[] = {'\x00', '\x3e'};  // 0x3e00 = 1.5
  values.bytes = {core::StringRef(one_and_half, 2)};
  parquet::ConvertValues(half, values, nullptr, &doubles, "t");
  EXPECT_EQ(doubles[0], 1.5);

  parquet::ColumnDescriptor time;
  time.physical = parquet::format::Type::INT64;
  time.conversion = parquet::Conversion::kTime;
  time.scale = 9;
  values.int64s = {(13 * 3600 + 5 * 60 + 7) * 1'000'000'000LL + 250'000'000};
  core::StringHeap heap;
  std::vector<core::StringRef> texts;
  parquet::ConvertValues(time, values, &heap, &texts, "t");
  EXPECT_EQ(texts[0].view(), "13:05:07.25");
}

TEST(ParquetValues, RejectsUnsignedValuesBeyondBigint) {
  parquet::ColumnDescriptor column;
  column.physical = parquet::format::Type::INT64;
  column.conversion = parquet::Conversion::kUint64;
  parquet::PhysicalValues values;
  values.int64s = {5, -1};
  std::vector<int64_t> out;
  EXPECT_THROW(parquet::ConvertValues(column, values, nullptr, &out, "t"), DataError);
}

}  // namespace
}  // namespace sluice::io

namespace sluice::io::parquet {
namespace {

TEST(PageIndex, KeepsOnlyPagesWhoseBoundsMayMatch) {
  ColumnDescriptor column;
  column.physical = format::Type::INT64;
  column.type = core::TypeId::kBigint;
  auto bound = [](int64_t value) { return std::string(reinterpret_cast<char*>(&value), 8); };
  format::ColumnIndex column_index;
  column_index.null_pages = {false, false, true, false};
  column_index.min_values = {bound(0), bound(100), "", bound(300)};
  column_index.max_values = {bound(99), bound(199), "", bound(399)};
  format::OffsetIndex offset_index;
  for (int64_t first : {0, 100, 200, 300}) {
    format::PageLocation location;
    location.first_row_index = first;
    offset_index.page_locations.push_back(location);
  }
  ScanPredicate above{"x", ScanPredicate::Op::kGe, core::Value::Bigint(150)};
  EXPECT_EQ(PagesThatMayMatch(column, above, column_index, offset_index, 400),
            (RowRanges{{100, 200}, {300, 400}}));
  ScanPredicate nulls{"x", ScanPredicate::Op::kIsNull, core::Value::Null(core::TypeId::kBigint)};
  column_index.null_counts = {0, 0, 100, 0};
  EXPECT_EQ(PagesThatMayMatch(column, nulls, column_index, offset_index, 400),
            (RowRanges{{200, 300}}));
  EXPECT_EQ(Intersect({{0, 50}, {100, 200}}, {{40, 120}, {150, 160}}),
            (RowRanges{{40, 50}, {100, 120}, {150, 160}}));
}

TEST(Statistics, ComparesAcrossNumericAndDateTypes) {
  ValueRange range;
  range.min = core::Value::Integer(10);
  range.max = core::Value::Integer(20);
  range.null_count = 0;
  range.num_values = 5;
  EXPECT_FALSE(MayMatch({"x", ScanPredicate::Op::kLt, core::Value::Double(9.5)}, range));
  EXPECT_TRUE(MayMatch({"x", ScanPredicate::Op::kLt, core::Value::Double(10.5)}, range));
  EXPECT_FALSE(MayMatch({"x", ScanPredicate::Op::kEq, core::Value::Bigint(21)}, range));
  EXPECT_TRUE(MayMatch({"x", ScanPredicate::Op::kEq, core::Value::Varchar("15")}, range));
  range.min = core::Value::Date(100);
  range.max = core::Value::Date(200);
  EXPECT_FALSE(MayMatch({"d", ScanPredicate::Op::kGt, core::Value::Varchar("1971-01-01")}, range));
  EXPECT_TRUE(MayMatch({"d", ScanPredicate::Op::kGt, core::Value::Timestamp(0)}, range));
}

}  // namespace
}  // namespace sluice::io::parquet
