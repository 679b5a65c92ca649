#include "core/interval.h"

#include <cctype>
#include <charconv>
#include <string>

#include "core/datetime.h"

namespace sluice::core {
namespace {

// Adds `count` of `unit` to `interval`; returns false for an unknown unit.
bool AddUnit(Interval& interval, double count, std::string unit) {
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  auto whole = static_cast<int64_t>(count);
  if (unit == "year" || unit == "yr" || unit == "y") return interval.months += whole * 12, true;
  if (unit == "month" || unit == "mon") return interval.months += whole, true;
  if (unit == "week" || unit == "w") return interval.days += whole * 7, true;
  if (unit == "day" || unit == "d") return interval.days += whole, true;
  double micros = 0;
  if (unit == "hour" || unit == "hr" || unit == "h")
    micros = count * 3600e6;
  else if (unit == "minute" || unit == "min" || unit == "m")
    micros = count * 60e6;
  else if (unit == "second" || unit == "sec" || unit == "s")
    micros = count * 1e6;
  else if (unit == "millisecond" || unit == "ms")
    micros = count * 1e3;
  else if (unit == "microsecond" || unit == "us")
    micros = count;
  else
    return false;
  interval.micros += static_cast<int64_t>(micros);
  return true;
}

// Parses "[-]HH:MM[:SS[.ffffff]]" into microseconds.
std::optional<int64_t> ParseClock(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  auto micros = ParseTimestamp("1970-01-01 " + std::string(text));
  if (!micros) return std::nullopt;
  return negative ? -*micros : *micros;
}

}  // namespace

std::optional<Interval> ParseInterval(std::string_view text, std::string_view unit) {
  Interval interval;
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t pos = 0;
  bool any = false;
  auto skip_spaces = [&] {
    while (pos < lower.size() && std::isspace(static_cast<unsigned char>(lower[pos]))) ++pos;
  };
  while (skip_spaces(), pos < lower.size()) {
    size_t end = lower.find(' ', pos);
    std::string_view word = std::string_view(lower).substr(
        pos, end == std::string::npos ? std::string::npos : end - pos);
    if (word.find(':') != std::string_view::npos) {
      auto clock = ParseClock(word);
      if (!clock) return std::nullopt;
      interval.micros += *clock;
      pos += word.size();
      any = true;
      continue;
    }
    double count = 0;
    auto [number_end, error] = std::from_chars(word.data(), word.data() + word.size(), count);
    if (error != std::errc()) return std::nullopt;
    pos += number_end - word.data();
    skip_spaces();
    size_t unit_end = pos;
    while (unit_end < lower.size() && std::isalpha(static_cast<unsigned char>(lower[unit_end])))
      ++unit_end;
    std::string word_unit = lower.substr(pos, unit_end - pos);
    if (word_unit.empty()) word_unit = unit.empty() ? "second" : std::string(unit);
    if (!AddUnit(interval, count, word_unit)) return std::nullopt;
    pos = unit_end;
    any = true;
  }
  if (!any) return std::nullopt;
  return interval;
}

int64_t AddInterval(int64_t micros, const Interval& interval) {
  int64_t days = micros / kMicrosPerDay - (micros % kMicrosPerDay < 0);
  int64_t time = micros - days * kMicrosPerDay;
  if (interval.months != 0) {
    CivilDate date = CivilFromDays(static_cast<int32_t>(days));
    int64_t month_index = int64_t{date.year} * 12 + (date.month - 1) + interval.months;
    int32_t year =
        static_cast<int32_t>(month_index >= 0 ? month_index / 12 : (month_index - 11) / 12);
    int32_t month = static_cast<int32_t>(month_index - int64_t{year} * 12) + 1;
    int32_t day = date.day;
    while (!IsValidDate(year, month, day)) --day;
    days = DaysFromCivil({year, month, day});
  }
  return (days + interval.days) * kMicrosPerDay + time + interval.micros;
}

}  // namespace sluice::core
