#include "io/postgres/pg_copy_decoder.h"

#include <string>

#include <gtest/gtest.h>

#include "base/error.h"
#include "io/postgres/pg_oids.h"

namespace sluice::io::postgres {
namespace {

using core::TypeId;

// Builds binary COPY bytes in network byte order.
class CopyBytes {
 public:
  CopyBytes& Header() {
    bytes_.append("PGCOPY\n\377\r\n\0", 11);
    return Int32(0).Int32(0);
  }
  CopyBytes& Int16(int16_t value) { return Big(static_cast<uint16_t>(value), 2); }
  CopyBytes& Int32(int32_t value) { return Big(static_cast<uint32_t>(value), 4); }
  CopyBytes& Int64(int64_t value) { return Big(static_cast<uint64_t>(value), 8); }
  CopyBytes& Field(const std::string& value) {
    Int32(static_cast<int32_t>(value.size()));
    bytes_ += value;
    return *this;
  }
  CopyBytes& Null() { return Int32(-1); }
  // Returns the bytes of a value written with `build` (to use as a field).
  template <typename Build>
  static std::string Value(Build build) {
    CopyBytes bytes;
    build(bytes);
    return bytes.bytes_;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  CopyBytes& Big(uint64_t value, int size) {
    for (int i = size - 1; i >= 0; --i) bytes_ += static_cast<char>((value >> (8 * i)) & 0xff);
    return *this;
  }
  std::string bytes_;
};

PgColumn Column(std::string name, uint32_t oid, TypeId type) {
  PgColumn column;
  column.name = std::move(name);
  column.wire_oid = oid;
  column.type_name = "t";
  column.type = type;
  return column;
}

std::vector<PgColumn> Columns() {
  return {Column("n", kNumericOid, TypeId::kDouble), Column("d", kDateOid, TypeId::kDate),
          Column("ts", kTimestampOid, TypeId::kTimestamp), Column("s", kTextOid, TypeId::kVarchar),
          Column("i", kInt2Oid, TypeId::kInteger)};
}

// 12345.678 as PostgreSQL sends it: digits 1, 2345, 6780; weight 1; scale 3.
std::string Numeric12345678() {
  return CopyBytes::Value(
      [](CopyBytes& b) { b.Int16(3).Int16(1).Int16(0).Int16(3).Int16(1).Int16(2345).Int16(6780); });
}

std::string Decode(PgCopyDecoder& decoder, const std::string& bytes, size_t split) {
  core::Batch batch(SchemaOf(Columns()));
  size_t rows = 0;
  std::string pending = bytes.substr(0, split);
  size_t used = decoder.Decode(pending, batch, &rows);
  pending = pending.substr(used) + bytes.substr(split);
  used = decoder.Decode(pending, batch, &rows);
  EXPECT_EQ(used, pending.size());
  batch.SetNumRows(rows);
  return batch.ToString();
}

TEST(PgCopyDecoderTest, DecodesRowsCutAnywhere) {
  CopyBytes copy;
  copy.Header().Int16(5).Field(Numeric12345678());
  copy.Field(CopyBytes::Value([](CopyBytes& b) { b.Int32(-10957); }));  // 1970-01-01
  copy.Field(CopyBytes::Value([](CopyBytes& b) { b.Int64(1'500'000); }));
  copy.Field("héllo").Field(CopyBytes::Value([](CopyBytes& b) { b.Int16(-7); }));
  copy.Int16(5).Null().Null().Null().Null().Null().Int16(-1);
  for (size_t split = 0; split <= copy.bytes().size(); ++split) {
    PgCopyDecoder decoder(Columns());
    EXPECT_EQ(Decode(decoder, copy.bytes(), split),
              "12345.678|1970-01-01|2000-01-01 00:00:01.5|héllo|-7\nNULL|NULL|NULL|NULL|NULL\n")
        << "split at " << split;
    EXPECT_TRUE(decoder.finished());
  }
}

TEST(PgCopyDecoderTest, RejectsMalformedData) {
  core::Batch batch(SchemaOf(Columns()));
  size_t rows = 0;
  PgCopyDecoder bad_signature(Columns());
  EXPECT_THROW(bad_signature.Decode(std::string(19, 'x'), batch, &rows), DataError);
  PgCopyDecoder wrong_count(Columns());
  EXPECT_THROW(
      wrong_count.Decode(CopyBytes().Header().Int16(2).Null().Null().bytes(), batch, &rows),
      DataError);
  PgCopyDecoder bad_numeric(Columns());
  std::string digits_too_big =
      CopyBytes::Value([](CopyBytes& b) { b.Int16(1).Int16(0).Int16(0).Int16(0).Int16(-1); });
  CopyBytes row;
  row.Header().Int16(5).Field(digits_too_big).Null().Null().Null().Null();
  try {
    bad_numeric.Decode(row.bytes(), batch, &rows);
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_STREQ(error.what(), "PostgreSQL sent a malformed numeric for column \"n\"");
  }
  PgCopyDecoder short_int(Columns());
  CopyBytes short_row;
  short_row.Header().Int16(5).Null().Null().Null().Null().Field("x");
  EXPECT_THROW(short_int.Decode(short_row.bytes(), batch, &rows), DataError);
}

}  // namespace
}  // namespace sluice::io::postgres
