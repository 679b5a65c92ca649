#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/datetime.h"

namespace sluice::exec {

/// Names the fields date_part, extract and date_trunc understand.
enum class DatePart {
  kYear,
  kQuarter,
  kMonth,
  kWeek,  // ISO 8601 week of the ISO year
  kDay,
  kHour,
  kMinute,
  kSecond,        // with the fraction in date_part
  kMillisecond,   // seconds * 1000, with the fraction
  kMicrosecond,   // seconds * 1000000
  kDayOfWeek,     // 0 = Sunday (PostgreSQL's dow)
  kIsoDayOfWeek,  // 1 = Monday .. 7 = Sunday
  kDayOfYear,
  kEpoch,  // seconds since 1970-01-01 00:00:00 UTC
  kIsoYear,
  kDecade,
  kCentury,
  kMillennium,
};

/// Returns the part named `name` (case-insensitive, singular or plural, PostgreSQL's aliases
/// such as dow, doy, isodow, epoch), or nothing.
std::optional<DatePart> DatePartFromName(std::string_view name);

/// Is a timestamp split into calendar fields.
struct CivilTime {
  int64_t days;    // since 1970-01-01
  int64_t micros;  // since midnight, 0 <= micros < one day
  core::CivilDate date;
};

/// Splits microseconds since the epoch into days, time of day and the calendar date.
CivilTime SplitTimestamp(int64_t micros);
/// Returns 0 for Sunday .. 6 for Saturday.
int DayOfWeek(int64_t days);
/// Returns `part` of the timestamp `micros` (fractions only for seconds and epoch).
double ExtractPart(DatePart part, int64_t micros);
/// Returns `micros` truncated to the start of its `part` (year ... microsecond, week = Monday);
/// nothing for parts that cannot truncate (dow, epoch...).
std::optional<int64_t> TruncateTo(DatePart part, int64_t micros);

}  // namespace sluice::exec
