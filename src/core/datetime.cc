#include "core/datetime.h"

#include <chrono>

#include <fmt/format.h>

namespace sluice::core {
namespace {

// Parses exactly `digits` decimal digits at text[*pos]; advances pos.
bool ParseDigits(std::string_view text, size_t* pos, int digits, int32_t* out) {
  if (*pos + digits > text.size()) return false;
  int32_t value = 0;
  for (int k = 0; k < digits; ++k) {
    char c = text[*pos + k];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pos += digits;
  *out = value;
  return true;
}

// Parses 1 or 2 digits (months, days and hours may come without a leading zero).
bool ParseShort(std::string_view text, size_t* pos, int32_t* out) {
  if (!ParseDigits(text, pos, 1, out)) return false;
  int32_t second;
  size_t next = *pos;
  if (ParseDigits(text, &next, 1, &second)) {
    *out = *out * 10 + second;
    *pos = next;
  }
  return true;
}

// Parses the date part at the start of `text`; returns its length, or 0.
size_t ParseDatePart(std::string_view text, int32_t* days) {
  size_t pos = 0;
  int32_t year, month, day;
  if (!ParseDigits(text, &pos, 4, &year) || pos >= text.size()) return 0;
  char separator = text[pos];
  if (separator != '-' && separator != '/') return 0;
  ++pos;
  if (!ParseShort(text, &pos, &month) || pos >= text.size() || text[pos] != separator) return 0;
  ++pos;
  if (!ParseShort(text, &pos, &day) || !IsValidDate(year, month, day)) return 0;
  *days = DaysFromCivil({year, month, day});
  return pos;
}

// Parses `HH:MM[:SS[.ffffff]]` at text[*pos]; returns microseconds since midnight.
bool ParseTimePart(std::string_view text, size_t* pos, int64_t* micros) {
  int32_t hour, minute, second = 0;
  if (!ParseShort(text, pos, &hour) || *pos >= text.size() || text[*pos] != ':') return false;
  ++*pos;
  if (!ParseDigits(text, pos, 2, &minute)) return false;
  int64_t fraction = 0;
  if (*pos < text.size() && text[*pos] == ':') {
    ++*pos;
    if (!ParseDigits(text, pos, 2, &second)) return false;
    if (*pos < text.size() && text[*pos] == '.') {
      ++*pos;
      int64_t scale = 100'000;
      size_t start = *pos;
      while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
        fraction += (text[*pos] - '0') * scale;
        scale /= 10;
        ++*pos;
      }
      if (*pos == start) return false;
    }
  }
  if (hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute || second || fraction))) {
    return false;
  }
  *micros = ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + fraction;
  return true;
}

// Parses an optional `Z`, `±HH`, `±HHMM` or `±HH:MM` suffix; returns the offset in micros.
bool ParseZone(std::string_view text, size_t* pos, int64_t* offset) {
  *offset = 0;
  if (*pos == text.size()) return true;
  if (*pos < text.size() && text[*pos] == ' ') ++*pos;
  if (text.substr(*pos) == "Z" || text.substr(*pos) == "UTC") {
    *pos = text.size();
    return true;
  }
  if (*pos >= text.size() || (text[*pos] != '+' && text[*pos] != '-')) return false;
  int sign = text[*pos] == '-' ? -1 : 1;
  ++*pos;
  int32_t hours, minutes = 0;
  if (!ParseDigits(text, pos, 2, &hours)) return false;
  if (*pos < text.size() && text[*pos] == ':') ++*pos;
  if (*pos < text.size() && !ParseDigits(text, pos, 2, &minutes)) return false;
  *offset = sign * (hours * 60 + minutes) * 60 * kMicrosPerSecond;
  return *pos == text.size();
}

}  // namespace

// Howard Hinnant's days_from_civil, valid for the whole int32 day range we use.
int32_t DaysFromCivil(CivilDate date) {
  int32_t year = date.year - (date.month <= 2);
  int32_t era = (year >= 0 ? year : year - 399) / 400;
  int32_t year_of_era = year - era * 400;
  int32_t day_of_year = (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;
  int32_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

CivilDate CivilFromDays(int32_t days) {
  int64_t z = int64_t{days} + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t day_of_era = z - era * 146097;
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t mp = (5 * day_of_year + 2) / 153;
  int32_t day = static_cast<int32_t>(day_of_year - (153 * mp + 2) / 5 + 1);
  int32_t month = static_cast<int32_t>(mp < 10 ? mp + 3 : mp - 9);
  int32_t year = static_cast<int32_t>(year_of_era + era * 400 + (month <= 2));
  return {year, month, day};
}

bool IsValidDate(int32_t year, int32_t month, int32_t day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap);
}

std::optional<int32_t> ParseDate(std::string_view text) {
  int32_t days;
  size_t length = ParseDatePart(text, &days);
  if (length == 0 || length != text.size()) return std::nullopt;
  return days;
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  int32_t days;
  size_t pos = ParseDatePart(text, &days);
  if (pos == 0) return std::nullopt;
  int64_t micros = 0;
  if (pos < text.size() && (text[pos] == ' ' || text[pos] == 'T')) {
    ++pos;
    if (!ParseTimePart(text, &pos, &micros)) return std::nullopt;
  }
  int64_t offset;
  if (!ParseZone(text, &pos, &offset)) return std::nullopt;
  return int64_t{days} * kMicrosPerDay + micros - offset;
}

std::string FormatDate(int32_t days) {
  CivilDate date = CivilFromDays(days);
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::string FormatTimestamp(int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  int64_t seconds = rest / kMicrosPerSecond;
  int64_t fraction = rest % kMicrosPerSecond;
  std::string text = fmt::format("{} {:02}:{:02}:{:02}", FormatDate(static_cast<int32_t>(days)),
                                 seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (fraction != 0) {
    std::string digits = fmt::format("{:06}", fraction);
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text;
}

int64_t NowMicros() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
}

}  // namespace sluice::core
