#include "io/postgres/pg_copy_decoder.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include "base/error.h"
#include "io/postgres/pg_oids.h"

namespace sluice::io::postgres {
namespace {

constexpr std::string_view kSignature("PGCOPY\n\377\r\n\0", 11);
constexpr int32_t kPgEpochDays = 10957;  // 2000-01-01, PostgreSQL's epoch, in Unix days
constexpr int64_t kPgEpochMicros = int64_t{kPgEpochDays} * 86'400'000'000;

// Reads a big-endian (network order) integer.
template <typename T>
T Load(const char* data) {
  std::make_unsigned_t<T> bits;
  std::memcpy(&bits, data, sizeof(T));
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) bits = __builtin_bswap16(bits);
    if constexpr (sizeof(T) == 4) bits = __builtin_bswap32(bits);
    if constexpr (sizeof(T) == 8) bits = __builtin_bswap64(bits);
  }
  return static_cast<T>(bits);
}

// Returns the numeric's value as the nearest double (PostgreSQL sends base-10000 digits), or
// nothing when the bytes are not a numeric.
std::optional<double> NumericToDouble(const char* data, int32_t size) {
  if (size < 8) return std::nullopt;
  auto count = Load<int16_t>(data);
  auto weight = Load<int16_t>(data + 2);
  auto sign = Load<uint16_t>(data + 4);
  if (sign == 0xC000) return std::numeric_limits<double>::quiet_NaN();
  if (sign == 0xD000) return std::numeric_limits<double>::infinity();
  if (sign == 0xF000) return -std::numeric_limits<double>::infinity();
  if (count < 0 || size != 8 + 2 * count || (sign != 0 && sign != 0x4000)) return std::nullopt;
  auto digit = [data](int i) { return Load<uint16_t>(data + 8 + 2 * i); };
  uint64_t mantissa = 0;
  for (int i = 0; i < count; ++i) {
    if (digit(i) > 9999) return std::nullopt;
    if (i < 4) mantissa = mantissa * 10000 + digit(i);
  }
  int exponent = 4 * (weight - count + 1);
  double value = 0;
  if (count <= 4 && mantissa < (uint64_t{1} << 53) && exponent >= -22 && exponent <= 22) {
    // Both operands are exact doubles, so one rounding gives the nearest double.
    static constexpr double kPowers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    double base = static_cast<double>(mantissa);
    value = exponent >= 0 ? base * kPowers[exponent] : base / kPowers[-exponent];
  } else {
    std::string text;
    for (int i = 0; i < count; ++i) text += fmt::format("{:04}", digit(i));
    text += "e" + std::to_string(exponent);
    auto parsed = fast_float::from_chars(text.data(), text.data() + text.size(), value);
    if (parsed.ec == std::errc::result_out_of_range) {
      value = exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    }
  }
  return sign == 0x4000 ? -value : value;
}

std::string UuidText(const char* data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    auto byte = static_cast<unsigned char>(data[i]);
    text += kHex[byte >> 4];
    text += kHex[byte & 15];
  }
  return text;
}

// Returns the size a fixed-width wire type has, or -1 for variable-width ones.
int32_t FixedSize(uint32_t oid) {
  switch (oid) {
    case kBoolOid:
      return 1;
    case kInt2Oid:
      return 2;
    case kInt4Oid:
    case kOidOid:
    case kFloat4Oid:
    case kDateOid:
      return 4;
    case kInt8Oid:
    case kFloat8Oid:
    case kTimestampOid:
    case kTimestampTzOid:
      return 8;
    case kUuidOid:
      return 16;
    default:
      return -1;
  }
}

// Returns true when the row of `count` fields at `position` lies wholly within `bytes`.
bool RowComplete(std::string_view bytes, size_t position, int16_t count) {
  size_t end = position + 2;
  for (int16_t i = 0; i < count; ++i) {
    if (end + 4 > bytes.size()) return false;
    auto size = Load<int32_t>(bytes.data() + end);
    end += 4 + (size > 0 ? static_cast<size_t>(size) : 0);
  }
  return end <= bytes.size();
}

}  // namespace

PgCopyDecoder::PgCopyDecoder(std::vector<PgColumn> columns) : columns_(std::move(columns)) {}

size_t PgCopyDecoder::DecodeHeader(std::string_view bytes) {
  if (bytes.size() < kSignature.size() + 8) return 0;
  if (bytes.substr(0, kSignature.size()) != kSignature) {
    Throw<DataError>("PostgreSQL COPY data does not start with the binary signature");
  }
  auto extension = Load<uint32_t>(bytes.data() + kSignature.size() + 4);
  size_t size = kSignature.size() + 8 + extension;
  if (bytes.size() < size) return 0;
  header_done_ = true;
  return size;
}

size_t PgCopyDecoder::Decode(std::string_view bytes, core::Batch& batch, size_t* rows) {
  size_t position = 0;
  if (!header_done_) {
    position = DecodeHeader(bytes);
    if (!header_done_) return 0;
  }
  const char* data = bytes.data();
  size_t capacity = core::kVectorSize;
  while (!finished_ && *rows < capacity && position + 2 <= bytes.size()) {
    auto count = Load<int16_t>(data + position);
    if (count == -1) {
      finished_ = true;
      return position + 2;
    }
    if (count < 0 || static_cast<size_t>(count) != columns_.size()) {
      Throw<DataError>("PostgreSQL sent a row of {} fields; {} were asked for", count,
                       columns_.size());
    }
    if (!RowComplete(bytes, position, count)) break;
    size_t field = position + 2;
    for (size_t c = 0; c < columns_.size(); ++c) {
      auto size = Load<int32_t>(data + field);
      field += 4;
      if (size < 0) {
        batch.column(c).SetNull(*rows);
        continue;
      }
      DecodeField(c, data + field, size, batch.column(c), *rows);
      field += static_cast<size_t>(size);
    }
    ++*rows;
    position = field;
  }
  return position;
}

void PgCopyDecoder::DecodeField(size_t column, const char* data, int32_t size, core::Vector& vector,
                                size_t row) const {
  const PgColumn& pg = columns_[column];
  int32_t expected = FixedSize(pg.wire_oid);
  if (expected >= 0 && size != expected) {
    Throw<DataError>("PostgreSQL sent a {}-byte value for column \"{}\" of type {}", size, pg.name,
                     pg.type_name);
  }
  switch (pg.wire_oid) {
    case kBoolOid:
      vector.data<uint8_t>()[row] = data[0] != 0;
      return;
    case kInt2Oid:
      vector.data<int32_t>()[row] = Load<int16_t>(data);
      return;
    case kInt4Oid:
      vector.data<int32_t>()[row] = Load<int32_t>(data);
      return;
    case kOidOid:
      vector.data<int64_t>()[row] = Load<uint32_t>(data);
      return;
    case kInt8Oid:
      vector.data<int64_t>()[row] = Load<int64_t>(data);
      return;
    case kFloat4Oid:
      vector.data<double>()[row] = std::bit_cast<float>(Load<uint32_t>(data));
      return;
    case kFloat8Oid:
      vector.data<double>()[row] = std::bit_cast<double>(Load<uint64_t>(data));
      return;
    case kNumericOid: {
      std::optional<double> value = NumericToDouble(data, size);
      if (!value)
        Throw<DataError>("PostgreSQL sent a malformed numeric for column \"{}\"", pg.name);
      vector.data<double>()[row] = *value;
      return;
    }
    case kUuidOid:
      vector.SetString(row, UuidText(data));
      return;
    case kJsonbOid:  // a version byte (1), then the text
      vector.SetString(row, std::string_view(data, size).substr(size > 0 ? 1 : 0));
      return;
    case kDateOid: {
      auto days = Load<int32_t>(data);
      if (days == std::numeric_limits<int32_t>::max() ||
          days == std::numeric_limits<int32_t>::min()) {
        Throw<DataError>("column \"{}\" holds an infinite date, which Sluice cannot represent",
                         pg.name);
      }
      vector.data<int32_t>()[row] = days + kPgEpochDays;
      return;
    }
    case kTimestampOid:
    case kTimestampTzOid: {
      auto micros = Load<int64_t>(data);
      if (micros == std::numeric_limits<int64_t>::max() ||
          micros == std::numeric_limits<int64_t>::min()) {
        Throw<DataError>("column \"{}\" holds an infinite timestamp, which Sluice cannot represent",
                         pg.name);
      }
      if (__builtin_add_overflow(micros, kPgEpochMicros, &vector.data<int64_t>()[row])) {
        Throw<DataError>("column \"{}\" holds a timestamp out of Sluice's range", pg.name);
      }
      return;
    }
    default:  // text, varchar, bpchar, name, "char", json, xml, enums: the bytes as they are
      vector.SetString(row, std::string_view(data, size));
      return;
  }
}

}  // namespace sluice::io::postgres
