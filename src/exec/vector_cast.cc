#include "exec/vector_cast.h"

#include <charconv>
#include <cmath>
#include <string>

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include "base/error.h"
#include "core/datetime.h"
#include "core/value.h"
#include "exec/kernel_loops.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

[[noreturn]] void FailText(std::string_view text, TypeId target) {
  Throw<DataError>("cannot cast '{}' to {}", text, core::TypeName(target));
}

[[noreturn]] void FailRange(std::string_view value, TypeId target) {
  Throw<DataError>("value {} is out of range for {}", value, core::TypeName(target));
}

// Rounds like core::Value (rint, PostgreSQL's float8 to integer) and checks the range.
bool RoundToInteger(double value, TypeId target, int64_t* out) {
  double rounded = std::nearbyint(value);
  bool fits = target == TypeId::kInteger
                  ? (rounded >= -2147483648.0 && rounded <= 2147483647.0)
                  : (rounded >= -9.223372036854775808e18 && rounded < 9.223372036854775808e18);
  if (!fits || std::isnan(value)) return false;
  *out = static_cast<int64_t>(rounded);
  return true;
}

// Parses an integer the way core::Value does: digits, or a double with no fraction.
bool ParseInteger(std::string_view text, int64_t* out) {
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, *out);
  if (error == std::errc() && stop == end) return true;
  double as_double;
  auto [double_stop, double_error] = fast_float::from_chars(text.data(), end, as_double);
  if (double_error != std::errc() || double_stop != end || std::nearbyint(as_double) != as_double ||
      std::fabs(as_double) >= 9.2e18) {
    return false;
  }
  *out = static_cast<int64_t>(as_double);
  return true;
}

bool ParseBoolean(std::string_view text, uint8_t* out) {
  if (text.size() > 5) return false;
  char lower[5];
  for (size_t k = 0; k < text.size(); ++k) {
    char c = text[k];
    lower[k] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view word(lower, text.size());
  if (word == "true" || word == "t" || word == "1" || word == "yes")
    *out = 1;
  else if (word == "false" || word == "f" || word == "0" || word == "no")
    *out = 0;
  else
    return false;
  return true;
}

template <typename To>
void CastFromText(const Vector& source, size_t count, Vector& result) {
  const core::StringRef* input = source.data<core::StringRef>();
  To* output = result.data<To>();
  TypeId target = result.type();
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = input[i].view();
    bool ok = false;
    if constexpr (std::is_same_v<To, uint8_t>) {
      ok = ParseBoolean(text, &output[i]);
    } else if constexpr (std::is_same_v<To, double>) {
      auto [stop, error] =
          fast_float::from_chars(text.data(), text.data() + text.size(), output[i]);
      ok = error == std::errc() && stop == text.data() + text.size();
    } else if (target == TypeId::kDate) {
      std::optional<int32_t> days = core::ParseDate(text);
      ok = days.has_value();
      if (ok) output[i] = *days;
    } else if (target == TypeId::kTimestamp) {
      std::optional<int64_t> micros = core::ParseTimestamp(text);
      ok = micros.has_value();
      if (ok) output[i] = static_cast<To>(*micros);
    } else {
      int64_t value;
      ok = ParseInteger(text, &value);
      if (ok && (value < INT32_MIN || value > INT32_MAX) && target == TypeId::kInteger) {
        FailRange(std::to_string(value), target);
      }
      output[i] = static_cast<To>(value);
    }
    if (!ok) FailText(text, target);
  });
}

// Writes the text form of one value into `buffer` (64 bytes); returns its length.
template <typename From>
size_t FormatNumber(From value, TypeId type, char* buffer) {
  if constexpr (std::is_same_v<From, double>) {
    if (!std::isfinite(value)) {
      std::string text = core::FormatDouble(value);
      text.copy(buffer, text.size());
      return text.size();
    }
    return fmt::format_to(buffer, "{}", value) - buffer;
  } else {
    if (type == TypeId::kBoolean) {
      std::string_view text = value ? "true" : "false";
      text.copy(buffer, text.size());
      return text.size();
    }
    return std::to_chars(buffer, buffer + 64, value).ptr - buffer;
  }
}

size_t FormatDateTo(int32_t days, char* buffer) {
  core::CivilDate date = core::CivilFromDays(days);
  if (date.year < 0 || date.year > 9999) {
    std::string text = core::FormatDate(days);
    return text.copy(buffer, 63);
  }
  return fmt::format_to(buffer, "{:04}-{:02}-{:02}", date.year, date.month, date.day) - buffer;
}

template <typename From>
void CastToText(const Vector& source, size_t count, Vector& result) {
  const From* input = source.data<From>();
  TypeId type = source.type();
  char buffer[64];
  ForEachValidRow(result, count, [&](size_t i) {
    size_t length;
    if (type == TypeId::kDate) {
      length = FormatDateTo(static_cast<int32_t>(input[i]), buffer);
    } else if (type == TypeId::kTimestamp) {
      // Timestamps are rarer as text; the core formatter keeps the exact same form.
      std::string text = core::FormatTimestamp(static_cast<int64_t>(input[i]));
      result.SetString(i, text);
      return;
    } else {
      length = FormatNumber(input[i], type, buffer);
    }
    result.SetString(i, std::string_view(buffer, length));
  });
}

template <typename From, typename To>
void CastNumber(const Vector& source, size_t count, Vector& result) {
  const From* input = source.data<From>();
  To* output = result.data<To>();
  if constexpr (std::is_same_v<To, uint8_t>) {
    for (size_t i = 0; i < count; ++i) output[i] = input[i] != 0;
  } else if constexpr (std::is_same_v<To, double> ||
                       (!std::is_same_v<From, double> && sizeof(To) >= sizeof(From))) {
    for (size_t i = 0; i < count; ++i) output[i] = static_cast<To>(input[i]);
  } else {
    TypeId target = result.type();
    ForEachValidRow(result, count, [&](size_t i) {
      int64_t value;
      if (!RoundToInteger(static_cast<double>(input[i]), target, &value)) {
        if constexpr (std::is_same_v<From, double>)
          FailRange(core::FormatDouble(input[i]), target);
        else
          FailRange(std::to_string(input[i]), target);
      }
      output[i] = static_cast<To>(value);
    });
  }
}

template <typename From>
void CastFromNumber(const Vector& source, size_t count, Vector& result) {
  switch (result.type()) {
    case TypeId::kBoolean:
      return CastNumber<From, uint8_t>(source, count, result);
    case TypeId::kInteger:
      return CastNumber<From, int32_t>(source, count, result);
    case TypeId::kBigint:
      return CastNumber<From, int64_t>(source, count, result);
    case TypeId::kDouble:
      return CastNumber<From, double>(source, count, result);
    case TypeId::kVarchar:
      return CastToText<From>(source, count, result);
    default:
      break;
  }
  throw InternalError("unsupported numeric cast");
}

void CastDateTime(const Vector& source, size_t count, Vector& result) {
  if (result.type() == TypeId::kVarchar) {
    if (source.type() == TypeId::kDate) return CastToText<int32_t>(source, count, result);
    return CastToText<int64_t>(source, count, result);
  }
  if (source.type() == TypeId::kDate) {
    const int32_t* input = source.data<int32_t>();
    int64_t* output = result.data<int64_t>();
    for (size_t i = 0; i < count; ++i) output[i] = int64_t{input[i]} * core::kMicrosPerDay;
    return;
  }
  const int64_t* input = source.data<int64_t>();
  int32_t* output = result.data<int32_t>();
  for (size_t i = 0; i < count; ++i) {
    int64_t days = input[i] / core::kMicrosPerDay - (input[i] % core::kMicrosPerDay < 0);
    output[i] = static_cast<int32_t>(days);
  }
}

void CastText(const Vector& source, size_t count, Vector& result) {
  switch (result.type()) {
    case TypeId::kBoolean:
      return CastFromText<uint8_t>(source, count, result);
    case TypeId::kInteger:
      return CastFromText<int32_t>(source, count, result);
    case TypeId::kBigint:
      return CastFromText<int64_t>(source, count, result);
    case TypeId::kDouble:
      return CastFromText<double>(source, count, result);
    case TypeId::kDate:
      return CastFromText<int32_t>(source, count, result);
    case TypeId::kTimestamp:
      return CastFromText<int64_t>(source, count, result);
    case TypeId::kVarchar:
      break;
  }
  throw InternalError("unsupported text cast");
}

void CopyNulls(const Vector& source, size_t count, Vector& result) {
  result.validity().Reset();
  if (source.validity().all_valid()) return;
  for (size_t i = 0; i < count; ++i) {
    if (source.IsNull(i)) result.SetNull(i);
  }
}

}  // namespace

bool CanCast(TypeId from, TypeId to) {
  if (from == to || from == TypeId::kVarchar || to == TypeId::kVarchar) return true;
  bool from_number = core::IsNumeric(from) || from == TypeId::kBoolean;
  bool to_number = core::IsNumeric(to) || to == TypeId::kBoolean;
  if (from_number && to_number) return true;
  return (from == TypeId::kDate && to == TypeId::kTimestamp) ||
         (from == TypeId::kTimestamp && to == TypeId::kDate);
}

void CastVector(const Vector& source, size_t count, Vector& result) {
  TypeId from = source.type();
  TypeId to = result.type();
  if (!CanCast(from, to)) {
    Throw<DataError>("cannot cast {} to {}", core::TypeName(from), core::TypeName(to));
  }
  if (from == to) {
    result.CopyFrom(source, 0, 0, count);
    return;
  }
  CopyNulls(source, count, result);
  switch (from) {
    case TypeId::kBoolean:
      return CastFromNumber<uint8_t>(source, count, result);
    case TypeId::kInteger:
      return CastFromNumber<int32_t>(source, count, result);
    case TypeId::kBigint:
      return CastFromNumber<int64_t>(source, count, result);
    case TypeId::kDouble:
      return CastFromNumber<double>(source, count, result);
    case TypeId::kVarchar:
      return CastText(source, count, result);
    case TypeId::kDate:
    case TypeId::kTimestamp:
      return CastDateTime(source, count, result);
  }
}

}  // namespace sluice::exec
