#include "core/value.h"

#include <charconv>
#include <cmath>
#include <limits>

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include "base/error.h"
#include "core/datetime.h"

namespace sluice::core {
namespace {

int64_t ParseInteger(const std::string& text, TypeId target) {
  int64_t result;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
  if (error != std::errc() || end != text.data() + text.size()) {
    double as_double;
    auto [double_end, double_error] =
        fast_float::from_chars(text.data(), text.data() + text.size(), as_double);
    if (double_error == std::errc() && double_end == text.data() + text.size() &&
        std::nearbyint(as_double) == as_double && std::fabs(as_double) < 9.2e18) {
      return static_cast<int64_t>(as_double);
    }
    Throw<DataError>("cannot cast '{}' to {}", text, TypeName(target));
  }
  return result;
}

int64_t CheckedInteger(double value, TypeId target) {
  double rounded = std::nearbyint(value);
  bool fits = target == TypeId::kInteger
                  ? (rounded >= -2147483648.0 && rounded <= 2147483647.0)
                  : (rounded >= -9.223372036854775808e18 && rounded < 9.223372036854775808e18);
  if (!fits || std::isnan(value)) {
    Throw<DataError>("value {} is out of range for {}", FormatDouble(value), TypeName(target));
  }
  return static_cast<int64_t>(rounded);
}

}  // namespace

Value Value::Null(TypeId type) { return Value(type, true); }
Value Value::Boolean(bool value) {
  Value result(TypeId::kBoolean, false);
  result.integer_ = value;
  return result;
}
Value Value::Integer(int32_t value) {
  Value result(TypeId::kInteger, false);
  result.integer_ = value;
  return result;
}
Value Value::Bigint(int64_t value) {
  Value result(TypeId::kBigint, false);
  result.integer_ = value;
  return result;
}
Value Value::Double(double value) {
  Value result(TypeId::kDouble, false);
  result.double_ = value;
  return result;
}
Value Value::Varchar(std::string value) {
  Value result(TypeId::kVarchar, false);
  result.string_ = std::move(value);
  return result;
}
Value Value::Date(int32_t days) {
  Value result(TypeId::kDate, false);
  result.integer_ = days;
  return result;
}
Value Value::Timestamp(int64_t micros) {
  Value result(TypeId::kTimestamp, false);
  result.integer_ = micros;
  return result;
}

Value Value::CastTo(TypeId target) const {
  if (target == type_) return *this;
  if (is_null_) return Null(target);
  if (target == TypeId::kVarchar) return Varchar(ToString());
  switch (type_) {
    case TypeId::kVarchar:
      switch (target) {
        case TypeId::kBoolean: {
          std::string lower;
          for (char c : string_) lower += static_cast<char>(std::tolower(c));
          if (lower == "true" || lower == "t" || lower == "1" || lower == "yes")
            return Boolean(true);
          if (lower == "false" || lower == "f" || lower == "0" || lower == "no") {
            return Boolean(false);
          }
          break;
        }
        case TypeId::kInteger:
          return Integer(static_cast<int32_t>(
              CheckedInteger(static_cast<double>(ParseInteger(string_, target)), target)));
        case TypeId::kBigint:
          return Bigint(ParseInteger(string_, target));
        case TypeId::kDouble: {
          double result;
          auto [end, error] =
              fast_float::from_chars(string_.data(), string_.data() + string_.size(), result);
          if (error == std::errc() && end == string_.data() + string_.size()) return Double(result);
          break;
        }
        case TypeId::kDate:
          if (auto days = ParseDate(string_)) return Date(*days);
          break;
        case TypeId::kTimestamp:
          if (auto micros = ParseTimestamp(string_)) return Timestamp(*micros);
          break;
        case TypeId::kVarchar:
          break;
      }
      Throw<DataError>("cannot cast '{}' to {}", string_, TypeName(target));
    case TypeId::kBoolean:
    case TypeId::kInteger:
    case TypeId::kBigint:
      if (target == TypeId::kDouble) return Double(static_cast<double>(integer_));
      if (target == TypeId::kBigint) return Bigint(integer_);
      if (target == TypeId::kBoolean) return Boolean(integer_ != 0);
      if (target == TypeId::kInteger) {
        return Integer(static_cast<int32_t>(CheckedInteger(static_cast<double>(integer_), target)));
      }
      break;
    case TypeId::kDouble:
      if (target == TypeId::kInteger || target == TypeId::kBigint) {
        int64_t rounded = CheckedInteger(double_, target);
        return target == TypeId::kInteger ? Integer(static_cast<int32_t>(rounded))
                                          : Bigint(rounded);
      }
      if (target == TypeId::kBoolean) return Boolean(double_ != 0);
      break;
    case TypeId::kDate:
      if (target == TypeId::kTimestamp) return Timestamp(integer_ * kMicrosPerDay);
      break;
    case TypeId::kTimestamp:
      if (target == TypeId::kDate) {
        int64_t days = integer_ / kMicrosPerDay - (integer_ % kMicrosPerDay < 0);
        return Date(static_cast<int32_t>(days));
      }
      break;
  }
  Throw<DataError>("cannot cast {} to {}", TypeName(type_), TypeName(target));
}

std::string Value::ToString() const {
  if (is_null_) return "NULL";
  switch (type_) {
    case TypeId::kBoolean:
      return integer_ ? "true" : "false";
    case TypeId::kInteger:
    case TypeId::kBigint:
      return std::to_string(integer_);
    case TypeId::kDouble:
      return FormatDouble(double_);
    case TypeId::kVarchar:
      return string_;
    case TypeId::kDate:
      return FormatDate(static_cast<int32_t>(integer_));
    case TypeId::kTimestamp:
      return FormatTimestamp(integer_);
  }
  throw InternalError("unknown type id");
}

bool operator==(const Value& left, const Value& right) {
  if (left.type_ != right.type_ || left.is_null_ != right.is_null_) return false;
  if (left.is_null_) return true;
  if (left.type_ == TypeId::kDouble) {
    return left.double_ == right.double_ || (std::isnan(left.double_) && std::isnan(right.double_));
  }
  return left.integer_ == right.integer_ && left.string_ == right.string_;
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", value);
}

}  // namespace sluice::core
