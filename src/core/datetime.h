#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::core {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

/// Is a calendar date in the proleptic Gregorian calendar.
struct CivilDate {
  int32_t year;
  int32_t month;  // 1..12
  int32_t day;    // 1..31
};

/// Returns days since 1970-01-01 for a calendar date.
int32_t DaysFromCivil(CivilDate date);
/// Returns the calendar date of a day number (days since 1970-01-01).
CivilDate CivilFromDays(int32_t days);
/// Returns true when year/month/day name a real date.
bool IsValidDate(int32_t year, int32_t month, int32_t day);

/// Parses `YYYY-MM-DD` or `YYYY/MM/DD` (the whole text) into days since the epoch.
std::optional<int32_t> ParseDate(std::string_view text);
/// Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|±HH[:MM]]` (or with `/` in the date) into
/// microseconds since the epoch, UTC. A date alone is midnight.
std::optional<int64_t> ParseTimestamp(std::string_view text);

/// Formats days since the epoch as `YYYY-MM-DD`.
std::string FormatDate(int32_t days);
/// Formats microseconds since the epoch as `YYYY-MM-DD HH:MM:SS[.ffffff]`.
std::string FormatTimestamp(int64_t micros);

/// Returns the current time as microseconds since the epoch, UTC.
int64_t NowMicros();

}  // namespace sluice::core
