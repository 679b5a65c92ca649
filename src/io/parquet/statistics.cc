#include "io/parquet/statistics.h"

#include <cmath>
#include <cstring>

#include "base/error.h"
#include "core/datetime.h"

namespace sluice::io::parquet {
namespace {

using core::TypeId;
using core::Value;
using format::Type;

constexpr int64_t kMicrosPerDay = 86'400'000'000;

template <typename T>
std::optional<T> Load(const std::string& bytes) {
  if (bytes.size() != sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

int64_t FloorDivide(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

std::optional<Value> DecodeInt32(const ColumnDescriptor& column, const std::string& bytes) {
  auto value = Load<int32_t>(bytes);
  if (!value) return std::nullopt;
  switch (column.conversion) {
    case Conversion::kNone:
      return column.type == TypeId::kDate ? Value::Date(*value) : Value::Integer(*value);
    case Conversion::kUint32:
      return Value::Bigint(static_cast<uint32_t>(*value));
    case Conversion::kDecimal:
      return Value::Double(*value / std::pow(10.0, column.scale));
    default:
      return std::nullopt;
  }
}

std::optional<Value> DecodeInt64(const ColumnDescriptor& column, const std::string& bytes) {
  auto value = Load<int64_t>(bytes);
  if (!value) return std::nullopt;
  switch (column.conversion) {
    case Conversion::kNone:
      return column.type == TypeId::kTimestamp ? Value::Timestamp(*value) : Value::Bigint(*value);
    case Conversion::kMillisToMicros:
      return Value::Timestamp(*value * 1000);
    case Conversion::kNanosToMicros:
      return Value::Timestamp(FloorDivide(*value, 1000));
    case Conversion::kUint64:
      if (*value < 0) return std::nullopt;
      return Value::Bigint(*value);
    case Conversion::kDecimal:
      return Value::Double(static_cast<double>(*value) / std::pow(10.0, column.scale));
    default:
      return std::nullopt;
  }
}

std::optional<Value> DecodeFloating(double value) {
  if (std::isnan(value)) return std::nullopt;
  return Value::Double(value);
}

std::optional<Value> DecodeBytes(const ColumnDescriptor& column, const std::string& bytes) {
  if (column.conversion == Conversion::kNone && column.type == TypeId::kVarchar) {
    return Value::Varchar(bytes);
  }
  if (column.conversion != Conversion::kDecimal || bytes.empty() || bytes.size() > 16) {
    return std::nullopt;
  }
  __int128 result = (static_cast<uint8_t>(bytes[0]) & 0x80) ? -1 : 0;
  for (char byte : bytes) result = (result << 8) | static_cast<uint8_t>(byte);
  return Value::Double(static_cast<double>(result) / std::pow(10.0, column.scale));
}

bool IsInteger(TypeId type) { return type == TypeId::kInteger || type == TypeId::kBigint; }

// Returns a timestamp in microseconds for DATE, TIMESTAMP and timestamp text.
std::optional<int64_t> AsMicros(const Value& value) {
  if (value.type() == TypeId::kDate) return value.GetInt64() * kMicrosPerDay;
  if (value.type() == TypeId::kTimestamp) return value.GetInt64();
  if (value.type() == TypeId::kVarchar) return core::ParseTimestamp(value.GetString());
  return std::nullopt;
}

template <typename T>
int Sign(const T& left, const T& right) {
  return left < right ? -1 : (right < left ? 1 : 0);
}

// Is what Compare() returns for values it cannot compare without the engine's casts.
constexpr int kIncomparable = 2;

// Compares a statistic with a predicate's constant: -1, 0, 1, or kIncomparable.
int Compare(const Value& bound, const Value& constant) {
  TypeId left = bound.type();
  TypeId right = constant.type();
  if (IsInteger(left) && IsInteger(right)) return Sign(bound.GetInt64(), constant.GetInt64());
  if (core::IsNumeric(left) && core::IsNumeric(right)) {
    double a = left == TypeId::kDouble ? bound.GetDouble() : static_cast<double>(bound.GetInt64());
    double b =
        right == TypeId::kDouble ? constant.GetDouble() : static_cast<double>(constant.GetInt64());
    if (std::isnan(a) || std::isnan(b)) return kIncomparable;
    return Sign(a, b);
  }
  if (left == TypeId::kVarchar && right == TypeId::kVarchar) {
    int order = bound.GetString().compare(constant.GetString());
    return order < 0 ? -1 : (order > 0 ? 1 : 0);
  }
  if (left == TypeId::kBoolean && right == TypeId::kBoolean) {
    return Sign(bound.GetInt64(), constant.GetInt64());
  }
  if (left == TypeId::kDate || left == TypeId::kTimestamp) {
    auto a = AsMicros(bound);
    auto b = AsMicros(constant);
    if (a && b) return Sign(*a, *b);
  }
  return kIncomparable;
}

// Returns false when the bounds prove `op` fails for every value in [min, max].
bool BoundsMayMatch(ScanPredicate::Op op, const Value& constant, const ValueRange& range) {
  int min = range.min ? Compare(*range.min, constant) : kIncomparable;
  int max = range.max ? Compare(*range.max, constant) : kIncomparable;
  bool min_known = min != kIncomparable;
  bool max_known = max != kIncomparable;
  switch (op) {
    case ScanPredicate::Op::kEq:
      return !(min_known && min > 0) && !(max_known && max < 0);
    case ScanPredicate::Op::kLt:
      return !(min_known && min >= 0);
    case ScanPredicate::Op::kLe:
      return !(min_known && min > 0);
    case ScanPredicate::Op::kGt:
      return !(max_known && max <= 0);
    case ScanPredicate::Op::kGe:
      return !(max_known && max < 0);
    default:
      return true;
  }
}

}  // namespace

std::optional<core::Value> DecodeBound(const ColumnDescriptor& column, const std::string& bytes) {
  if (column.shape != Shape::kFlat) return std::nullopt;
  switch (column.physical) {
    case Type::BOOLEAN:
      if (bytes.size() != 1) return std::nullopt;
      return Value::Boolean(bytes[0] != 0);
    case Type::INT32:
      return DecodeInt32(column, bytes);
    case Type::INT64:
      return DecodeInt64(column, bytes);
    case Type::FLOAT: {
      auto value = Load<float>(bytes);
      return value ? DecodeFloating(*value) : std::nullopt;
    }
    case Type::DOUBLE: {
      auto value = Load<double>(bytes);
      return value ? DecodeFloating(*value) : std::nullopt;
    }
    case Type::BYTE_ARRAY:
    case Type::FIXED_LEN_BYTE_ARRAY:
      return DecodeBytes(column, bytes);
    default:
      return std::nullopt;
  }
}

ValueRange RangeOf(const ColumnDescriptor& column, const format::Statistics& statistics,
                   int64_t num_values) {
  ValueRange range;
  range.num_values = num_values;
  if (statistics.__isset.null_count) range.null_count = statistics.null_count;
  // The deprecated fields were written in signed byte order by old writers: not for strings
  // and unsigned integers.
  bool legacy_ok =
      column.physical != Type::BYTE_ARRAY && column.physical != Type::FIXED_LEN_BYTE_ARRAY &&
      column.conversion != Conversion::kUint32 && column.conversion != Conversion::kUint64;
  if (statistics.__isset.min_value) {
    range.min = DecodeBound(column, statistics.min_value);
  } else if (statistics.__isset.min && legacy_ok) {
    range.min = DecodeBound(column, statistics.min);
  }
  if (statistics.__isset.max_value) {
    range.max = DecodeBound(column, statistics.max_value);
  } else if (statistics.__isset.max && legacy_ok) {
    range.max = DecodeBound(column, statistics.max);
  }
  return range;
}

bool MayMatch(const ScanPredicate& predicate, const ValueRange& range) {
  bool all_null =
      range.null_count && range.num_values >= 0 && *range.null_count == range.num_values;
  switch (predicate.op) {
    case ScanPredicate::Op::kIsNull:
      return !(range.null_count && *range.null_count == 0);
    case ScanPredicate::Op::kIsNotNull:
      return !all_null;
    default:
      if (all_null || predicate.value.is_null()) return false;
      return BoundsMayMatch(predicate.op, predicate.value, range);
  }
}

RowRanges Intersect(const RowRanges& left, const RowRanges& right) {
  RowRanges result;
  size_t i = 0;
  size_t j = 0;
  while (i < left.size() && j < right.size()) {
    int64_t begin = std::max(left[i].first, right[j].first);
    int64_t end = std::min(left[i].second, right[j].second);
    if (begin < end) result.emplace_back(begin, end);
    if (left[i].second < right[j].second) {
      ++i;
    } else {
      ++j;
    }
  }
  return result;
}

RowRanges PagesThatMayMatch(const ColumnDescriptor& column, const ScanPredicate& predicate,
                            const format::ColumnIndex& column_index,
                            const format::OffsetIndex& offset_index, int64_t num_rows) {
  const auto& pages = offset_index.page_locations;
  size_t count = pages.size();
  bool consistent = column_index.null_pages.size() == count &&
                    column_index.min_values.size() == count &&
                    column_index.max_values.size() == count &&
                    (column_index.null_counts.empty() || column_index.null_counts.size() == count);
  if (!consistent || count == 0 || column.shape != Shape::kFlat) return {{0, num_rows}};
  RowRanges ranges;
  for (size_t i = 0; i < count; ++i) {
    int64_t begin = pages[i].first_row_index;
    int64_t end = i + 1 < count ? pages[i + 1].first_row_index : num_rows;
    if (begin < 0 || end > num_rows || begin > end) return {{0, num_rows}};
    ValueRange range;
    range.num_values = end - begin;
    if (!column_index.null_counts.empty()) range.null_count = column_index.null_counts[i];
    if (column_index.null_pages[i]) {
      range.null_count = range.num_values;
    } else {
      range.min = DecodeBound(column, column_index.min_values[i]);
      range.max = DecodeBound(column, column_index.max_values[i]);
    }
    if (!MayMatch(predicate, range)) continue;
    if (!ranges.empty() && ranges.back().second == begin) {
      ranges.back().second = end;
    } else {
      ranges.emplace_back(begin, end);
    }
  }
  return ranges;
}

}  // namespace sluice::io::parquet
