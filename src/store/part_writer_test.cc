#include "store/part_writer.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "store/test_rows.h"

namespace sluice::store {
namespace {

using core::Value;

TEST(PartWriterTest, WritersShareThePartsOfOneCommit) {
  TestFolder folder;
  std::vector<core::Batch> rows = TestRows(0, 5 * 2048);
  std::vector<WrittenPart> all;
  for (int rank = 0; rank < 2; ++rank) {
    catalog::TableProfiler profile(*TestSchema());
    std::vector<WrittenPart> mine =
        WriteParts(folder.path(), TestSchema(), rows, 2048, io::ParquetCompression::kZstd,
                   {rank, 2}, rank == 0 ? &profile : nullptr);
    for (const WrittenPart& part : mine) {
      EXPECT_EQ(part.index % 2, static_cast<size_t>(rank));
      EXPECT_EQ(part.file_name,
                "part-" + std::to_string(rank) + "-" + std::to_string(part.index) + ".parquet");
      all.push_back(part);
    }
    // The writer that records the version profiles every row, not only its own parts'.
    if (rank == 0) {
      EXPECT_EQ(profile.rows(), 5 * 2048);
    }
  }
  EXPECT_EQ(all.size(), 5u);
}

TEST(PartWriterTest, PartsCrossToAnotherProcessBitForBit) {
  WrittenPart part;
  part.index = 7;
  part.file_name = "part-3-7.parquet";
  part.summary.num_rows = 12;
  part.summary.file_bytes = 3456;
  part.summary.columns = {
      {1, Value::Integer(-5), Value::Integer(9)},
      {0, Value::Double(0.1), Value::Double(std::numeric_limits<double>::infinity())},
      {2, Value::Varchar("a:b"), Value::Varchar(std::string("12:\0x", 5))},
      {0, Value::Date(-3), Value::Timestamp(1700000000123456)},
      {12, Value::Null(core::TypeId::kBigint), Value::Null(core::TypeId::kVarchar)},
      {0, Value::Boolean(false), Value::Boolean(true)}};
  std::vector<WrittenPart> back = DecodeParts(EncodeParts({part, part}));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].index, 7u);
  EXPECT_EQ(back[1].file_name, part.file_name);
  EXPECT_EQ(back[1].summary.num_rows, 12);
  EXPECT_EQ(back[1].summary.file_bytes, 3456);
  ASSERT_EQ(back[1].summary.columns.size(), part.summary.columns.size());
  for (size_t c = 0; c < part.summary.columns.size(); ++c) {
    const io::ParquetColumnSummary& want = part.summary.columns[c];
    const io::ParquetColumnSummary& got = back[1].summary.columns[c];
    EXPECT_EQ(got.null_count, want.null_count) << c;
    for (auto [a, b] : {std::pair{want.min, got.min}, std::pair{want.max, got.max}}) {
      EXPECT_EQ(a.type(), b.type()) << c;
      EXPECT_EQ(a.is_null(), b.is_null()) << c;
      EXPECT_EQ(a.ToString(), b.ToString()) << c;
    }
  }
  EXPECT_EQ(back[1].summary.columns[1].min.GetDouble(), 0.1);
  EXPECT_TRUE(DecodeParts("").empty());
  std::string bytes = EncodeParts({part});
  for (size_t size = 1; size < bytes.size(); size += 7) {
    EXPECT_THROW(DecodeParts(bytes.substr(0, size)), InternalError) << size;
  }
}

}  // namespace
}  // namespace sluice::store
