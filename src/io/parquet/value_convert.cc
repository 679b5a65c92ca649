// Converts physical Parquet values to Sluice's types: ConvertValues() of value_decoder.h.
#include <cmath>
#include <cstring>
#include <string>

#include "base/error.h"
#include "io/parquet/value_decoder.h"

namespace sluice::io::parquet {
namespace {

using format::Type;

constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int64_t kJulianDayOfEpoch = 2'440'588;

double PowerOfTen(int32_t exponent) { return std::pow(10.0, exponent); }

int64_t FloorDivide(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

int64_t Int96ToMicros(const core::StringRef& value) {
  const char* bytes = value.data();
  int64_t nanos = 0;
  int32_t day = 0;
  std::memcpy(&nanos, bytes, 8);
  std::memcpy(&day, bytes + 8, 4);
  return (int64_t{day} - kJulianDayOfEpoch) * kMicrosPerDay + FloorDivide(nanos, 1000);
}

// Reads a big-endian two's-complement integer of any length as a double.
double BigEndianToDouble(const core::StringRef& value) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(value.data());
  size_t size = value.size();
  if (size == 0) return 0;
  if (size <= 16) {
    __int128 result = (bytes[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < size; ++i) result = (result << 8) | bytes[i];
    return static_cast<double>(result);
  }
  double result = static_cast<int8_t>(bytes[0]);
  for (size_t i = 1; i < size; ++i) result = result * 256.0 + bytes[i];
  return result;
}

double HalfToDouble(const core::StringRef& value) {
  uint16_t bits = 0;
  std::memcpy(&bits, value.data(), 2);
  int exponent = (bits >> 10) & 0x1f;
  int mantissa = bits & 0x3ff;
  double sign = (bits & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa == 0 ? sign * INFINITY : NAN;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

std::string UuidText(const core::StringRef& value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  const auto* bytes = reinterpret_cast<const uint8_t*>(value.data());
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 15];
  }
  return text;
}

// Formats a time of day given in units of 10^-digits seconds as 'HH:MM:SS[.ffffff]'.
std::string TimeText(int64_t value, int32_t digits) {
  int64_t micros = digits == 3 ? value * 1000 : digits == 9 ? FloorDivide(value, 1000) : value;
  if (micros < 0 || micros > kMicrosPerDay) return std::to_string(micros);
  int64_t seconds = micros / 1'000'000;
  int64_t fraction = micros % 1'000'000;
  std::string text =
      fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (fraction != 0) {
    std::string digits_text = fmt::format("{:06}", fraction);
    while (digits_text.back() == '0') digits_text.pop_back();
    text += '.' + digits_text;
  }
  return text;
}

template <typename In, typename Out, typename F>
void Map(const std::vector<In>& in, std::vector<Out>* out, F f) {
  out->resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) (*out)[i] = f(in[i]);
}

[[noreturn]] void ThrowConversion(const ColumnDescriptor& column, std::string_view what) {
  Throw<DataError>("{}: cannot convert physical type {} of column '{}'", what,
                   format::to_string(column.physical), column.name);
}

void ToInt64(const ColumnDescriptor& column, PhysicalValues& values, std::vector<int64_t>* out,
             std::string_view what) {
  switch (column.conversion) {
    case Conversion::kUint32:
      return Map(values.int32s, out, [](int32_t v) { return int64_t{static_cast<uint32_t>(v)}; });
    case Conversion::kInt96:
      return Map(values.bytes, out, Int96ToMicros);
    case Conversion::kMillisToMicros:
      return Map(values.int64s, out, [](int64_t v) { return v * 1000; });
    case Conversion::kNanosToMicros:
      return Map(values.int64s, out, [](int64_t v) { return FloorDivide(v, 1000); });
    case Conversion::kUint64:
      for (int64_t value : values.int64s) {
        if (value < 0) {
          Throw<DataError>("{}: unsigned value {} does not fit in BIGINT", what,
                           static_cast<uint64_t>(value));
        }
      }
      [[fallthrough]];
    case Conversion::kNone:
      if (column.physical != Type::INT64) ThrowConversion(column, what);
      out->swap(values.int64s);
      return;
    default:
      ThrowConversion(column, what);
  }
}

void ToDouble(const ColumnDescriptor& column, PhysicalValues& values, std::vector<double>* out,
              std::string_view what) {
  double divisor = PowerOfTen(column.scale);
  switch (column.conversion) {
    case Conversion::kFloatToDouble:
      return Map(values.floats, out, [](float v) { return static_cast<double>(v); });
    case Conversion::kFloat16:
      return Map(values.bytes, out, HalfToDouble);
    case Conversion::kDecimal:
      if (column.physical == Type::INT32) {
        return Map(values.int32s, out, [&](int32_t v) { return static_cast<double>(v) / divisor; });
      }
      if (column.physical == Type::INT64) {
        return Map(values.int64s, out, [&](int64_t v) { return static_cast<double>(v) / divisor; });
      }
      return Map(values.bytes, out,
                 [&](const core::StringRef& v) { return BigEndianToDouble(v) / divisor; });
    case Conversion::kNone:
      if (column.physical != Type::DOUBLE) ThrowConversion(column, what);
      out->swap(values.doubles);
      return;
    default:
      ThrowConversion(column, what);
  }
}

void ToString(const ColumnDescriptor& column, PhysicalValues& values, core::StringHeap* heap,
              std::vector<core::StringRef>* out, std::string_view what) {
  switch (column.conversion) {
    case Conversion::kUuid:
      return Map(values.bytes, out,
                 [&](const core::StringRef& v) { return heap->Add(UuidText(v)); });
    case Conversion::kTime:
      if (column.physical == Type::INT32) {
        return Map(values.int32s, out,
                   [&](int32_t v) { return heap->Add(TimeText(v, column.scale)); });
      }
      return Map(values.int64s, out,
                 [&](int64_t v) { return heap->Add(TimeText(v, column.scale)); });
    case Conversion::kNone:
      out->swap(values.bytes);
      return;
    default:
      ThrowConversion(column, what);
  }
}

}  // namespace

template <>
void ConvertValues<uint8_t>(const ColumnDescriptor&, PhysicalValues& values, core::StringHeap*,
                            std::vector<uint8_t>* out, std::string_view) {
  out->swap(values.booleans);
}

template <>
void ConvertValues<int32_t>(const ColumnDescriptor& column, PhysicalValues& values,
                            core::StringHeap*, std::vector<int32_t>* out, std::string_view what) {
  if (column.physical != Type::INT32) ThrowConversion(column, what);
  out->swap(values.int32s);
}

template <>
void ConvertValues<int64_t>(const ColumnDescriptor& column, PhysicalValues& values,
                            core::StringHeap*, std::vector<int64_t>* out, std::string_view what) {
  ToInt64(column, values, out, what);
}

template <>
void ConvertValues<double>(const ColumnDescriptor& column, PhysicalValues& values,
                           core::StringHeap*, std::vector<double>* out, std::string_view what) {
  ToDouble(column, values, out, what);
}

template <>
void ConvertValues<core::StringRef>(const ColumnDescriptor& column, PhysicalValues& values,
                                    core::StringHeap* heap, std::vector<core::StringRef>* out,
                                    std::string_view what) {
  ToString(column, values, heap, out, what);
}

}  // namespace sluice::io::parquet
