#include <optional>
#include <string>

#include <fmt/format.h>

#include "base/error.h"
#include "core/datetime.h"
#include "exec/builtin_functions.h"
#include "exec/date_parts.h"
#include "exec/kernel_loops.h"
#include "exec/strptime_parser.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

constexpr std::string_view kMonthNames[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
constexpr std::string_view kDayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};

// Appends the expansion of one `%` code; returns false for an unknown code.
bool FormatCode(char code, int64_t micros, std::string& out) {
  CivilTime time = SplitTimestamp(micros);
  int64_t seconds = time.micros / core::kMicrosPerSecond;
  int64_t hour = seconds / 3600;
  auto two = [&](int64_t value) { fmt::format_to(std::back_inserter(out), "{:02}", value); };
  switch (code) {
    case 'Y':
      fmt::format_to(std::back_inserter(out), "{:04}", time.date.year);
      break;
    case 'y':
      two((time.date.year % 100 + 100) % 100);
      break;
    case 'm':
      two(time.date.month);
      break;
    case 'd':
      two(time.date.day);
      break;
    case 'e':
      fmt::format_to(std::back_inserter(out), "{:2}", time.date.day);
      break;
    case 'H':
      two(hour);
      break;
    case 'I':
      two(hour % 12 == 0 ? 12 : hour % 12);
      break;
    case 'M':
      two(seconds / 60 % 60);
      break;
    case 'S':
      two(seconds % 60);
      break;
    case 'f':
      fmt::format_to(std::back_inserter(out), "{:06}", time.micros % 1000000);
      break;
    case 'j':
      fmt::format_to(std::back_inserter(out), "{:03}", ExtractPart(DatePart::kDayOfYear, micros));
      break;
    case 'p':
      out += hour < 12 ? "AM" : "PM";
      break;
    case 'a':
      out += kDayNames[DayOfWeek(time.days)].substr(0, 3);
      break;
    case 'A':
      out += kDayNames[DayOfWeek(time.days)];
      break;
    case 'b':
    case 'h':
      out += kMonthNames[time.date.month - 1].substr(0, 3);
      break;
    case 'B':
      out += kMonthNames[time.date.month - 1];
      break;
    case 'u':
      out += static_cast<char>('0' + (DayOfWeek(time.days) == 0 ? 7 : DayOfWeek(time.days)));
      break;
    case 'w':
      out += static_cast<char>('0' + DayOfWeek(time.days));
      break;
    case 'F':
      return FormatCode('Y', micros, out) && (out += '-', FormatCode('m', micros, out)) &&
             (out += '-', FormatCode('d', micros, out));
    case 'T':
      return FormatCode('H', micros, out) && (out += ':', FormatCode('M', micros, out)) &&
             (out += ':', FormatCode('S', micros, out));
    case 'z':
      out += "+0000";
      break;
    case 'Z':
      out += "UTC";
      break;
    case '%':
      out += '%';
      break;
    default:
      return false;
  }
  return true;
}

void Format(std::string_view format, int64_t micros, std::string& out) {
  out.clear();
  for (size_t k = 0; k < format.size(); ++k) {
    if (format[k] != '%') {
      out += format[k];
      continue;
    }
    if (k + 1 == format.size() || !FormatCode(format[k + 1], micros, out)) {
      Throw<DataError>("invalid strftime format '{}': unknown code at position {}", format, k + 1);
    }
    ++k;
  }
}

// strftime(date or timestamp, format).
void StrftimeKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::string buffer;
  const Vector& input = *arguments[0];
  ForEachValidRow(result, count, [&](size_t i) {
    int64_t micros = input.type() == TypeId::kDate
                         ? int64_t{input.data<int32_t>()[i]} * core::kMicrosPerDay
                         : input.data<int64_t>()[i];
    Format(StringAt(*arguments[1], i), micros, buffer);
    result.SetString(i, buffer);
  });
}

// strptime(text, format): throws when the text does not fit the format.
void StrptimeKernel(KernelArguments arguments, size_t count, Vector& result) {
  int64_t* output = result.data<int64_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    std::string_view format = StringAt(*arguments[1], i);
    std::optional<int64_t> micros = ParseWithFormat(text, format);
    if (!micros) Throw<DataError>("could not parse '{}' with format '{}'", text, format);
    output[i] = *micros;
  });
}

}  // namespace

void AddDateFormatFunctions(ScalarFunctionRegistry& registry) {
  constexpr TypeId kText = TypeId::kVarchar;
  registry.Add({"strftime", {TypeId::kTimestamp, kText}, kText, &StrftimeKernel});
  registry.Add({"strftime", {TypeId::kDate, kText}, kText, &StrftimeKernel});
  registry.Add({"strptime", {kText, kText}, TypeId::kTimestamp, &StrptimeKernel});
}

}  // namespace sluice::exec
