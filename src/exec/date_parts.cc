#include "exec/date_parts.h"

#include <array>
#include <string>
#include <utility>

namespace sluice::exec {
namespace {

using core::kMicrosPerDay;
using core::kMicrosPerSecond;

int64_t FloorDivide(int64_t value, int64_t divisor) {
  return value / divisor - (value % divisor != 0 && (value < 0) != (divisor < 0));
}

// Returns the ISO 8601 year and week of a day.
std::pair<int32_t, int32_t> IsoWeek(int64_t days) {
  int iso_day = DayOfWeek(days) == 0 ? 7 : DayOfWeek(days);
  int64_t thursday = days + 4 - iso_day;
  int32_t year = core::CivilFromDays(static_cast<int32_t>(thursday)).year;
  int64_t first = core::DaysFromCivil({year, 1, 1});
  return {year, static_cast<int32_t>((thursday - first) / 7 + 1)};
}

int64_t Century(int64_t year) { return year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100); }
int64_t Millennium(int64_t year) {
  return year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000);
}

}  // namespace

std::optional<DatePart> DatePartFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, DatePart> kNames[] = {
      {"year", DatePart::kYear},
      {"years", DatePart::kYear},
      {"y", DatePart::kYear},
      {"quarter", DatePart::kQuarter},
      {"quarters", DatePart::kQuarter},
      {"month", DatePart::kMonth},
      {"months", DatePart::kMonth},
      {"mon", DatePart::kMonth},
      {"week", DatePart::kWeek},
      {"weeks", DatePart::kWeek},
      {"day", DatePart::kDay},
      {"days", DatePart::kDay},
      {"d", DatePart::kDay},
      {"hour", DatePart::kHour},
      {"hours", DatePart::kHour},
      {"h", DatePart::kHour},
      {"minute", DatePart::kMinute},
      {"minutes", DatePart::kMinute},
      {"min", DatePart::kMinute},
      {"second", DatePart::kSecond},
      {"seconds", DatePart::kSecond},
      {"sec", DatePart::kSecond},
      {"s", DatePart::kSecond},
      {"millisecond", DatePart::kMillisecond},
      {"milliseconds", DatePart::kMillisecond},
      {"ms", DatePart::kMillisecond},
      {"microsecond", DatePart::kMicrosecond},
      {"microseconds", DatePart::kMicrosecond},
      {"us", DatePart::kMicrosecond},
      {"dow", DatePart::kDayOfWeek},
      {"dayofweek", DatePart::kDayOfWeek},
      {"isodow", DatePart::kIsoDayOfWeek},
      {"doy", DatePart::kDayOfYear},
      {"dayofyear", DatePart::kDayOfYear},
      {"epoch", DatePart::kEpoch},
      {"isoyear", DatePart::kIsoYear},
      {"decade", DatePart::kDecade},
      {"century", DatePart::kCentury},
  };
  std::string lower(name);
  for (char& c : lower) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  if (lower == "millennium" || lower == "millennia") return DatePart::kMillennium;
  if (lower == "decades") return DatePart::kDecade;
  if (lower == "centuries") return DatePart::kCentury;
  for (const auto& [alias, part] : kNames) {
    if (alias == lower) return part;
  }
  return std::nullopt;
}

CivilTime SplitTimestamp(int64_t micros) {
  int64_t days = FloorDivide(micros, kMicrosPerDay);
  return {days, micros - days * kMicrosPerDay, core::CivilFromDays(static_cast<int32_t>(days))};
}

int DayOfWeek(int64_t days) { return static_cast<int>(((days + 4) % 7 + 7) % 7); }

double ExtractPart(DatePart part, int64_t micros) {
  CivilTime time = SplitTimestamp(micros);
  int64_t year = time.date.year;
  switch (part) {
    case DatePart::kYear:
      return static_cast<double>(year);
    case DatePart::kQuarter:
      return (time.date.month - 1) / 3 + 1;
    case DatePart::kMonth:
      return time.date.month;
    case DatePart::kWeek:
      return IsoWeek(time.days).second;
    case DatePart::kDay:
      return time.date.day;
    case DatePart::kHour:
      return static_cast<double>(time.micros / (3600 * kMicrosPerSecond));
    case DatePart::kMinute:
      return static_cast<double>(time.micros / (60 * kMicrosPerSecond) % 60);
    case DatePart::kSecond:
      return static_cast<double>(time.micros % (60 * kMicrosPerSecond)) / kMicrosPerSecond;
    case DatePart::kMillisecond:
      return static_cast<double>(time.micros % (60 * kMicrosPerSecond)) / 1000.0;
    case DatePart::kMicrosecond:
      return static_cast<double>(time.micros % (60 * kMicrosPerSecond));
    case DatePart::kDayOfWeek:
      return DayOfWeek(time.days);
    case DatePart::kIsoDayOfWeek:
      return DayOfWeek(time.days) == 0 ? 7 : DayOfWeek(time.days);
    case DatePart::kDayOfYear:
      return static_cast<double>(time.days - core::DaysFromCivil({time.date.year, 1, 1}) + 1);
    case DatePart::kEpoch:
      return static_cast<double>(micros) / kMicrosPerSecond;
    case DatePart::kIsoYear:
      return IsoWeek(time.days).first;
    case DatePart::kDecade:
      return static_cast<double>(FloorDivide(year, 10));
    case DatePart::kCentury:
      return static_cast<double>(Century(year));
    case DatePart::kMillennium:
      return static_cast<double>(Millennium(year));
  }
  return 0;
}

std::optional<int64_t> TruncateTo(DatePart part, int64_t micros) {
  CivilTime time = SplitTimestamp(micros);
  core::CivilDate date = time.date;
  auto start_of = [](core::CivilDate day) { return core::DaysFromCivil(day) * kMicrosPerDay; };
  switch (part) {
    case DatePart::kYear:
      return start_of({date.year, 1, 1});
    case DatePart::kQuarter:
      return start_of({date.year, (date.month - 1) / 3 * 3 + 1, 1});
    case DatePart::kMonth:
      return start_of({date.year, date.month, 1});
    case DatePart::kWeek: {
      int iso_day = DayOfWeek(time.days) == 0 ? 7 : DayOfWeek(time.days);
      return (time.days - (iso_day - 1)) * kMicrosPerDay;
    }
    case DatePart::kDay:
      return time.days * kMicrosPerDay;
    case DatePart::kHour:
      return micros - time.micros % (3600 * kMicrosPerSecond);
    case DatePart::kMinute:
      return micros - time.micros % (60 * kMicrosPerSecond);
    case DatePart::kSecond:
      return micros - time.micros % kMicrosPerSecond;
    case DatePart::kMillisecond:
      return micros - time.micros % 1000;
    case DatePart::kMicrosecond:
      return micros;
    case DatePart::kDecade:
      return start_of({static_cast<int32_t>(FloorDivide(date.year, 10) * 10), 1, 1});
    default:
      return std::nullopt;
  }
}

}  // namespace sluice::exec
