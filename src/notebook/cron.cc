#include "notebook/cron.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/error.h"
#include "base/strings.h"

namespace sluice::notebook {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

// Nine years: the longest gap between two dates a valid expression matches is eight years
// (the 29th of February around 2100).
constexpr int kSearchDays = 9 * 366;

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

// Says what one of the five fields accepts.
struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  const std::string_view* names = nullptr;  // names for min, min+1, ...
  size_t num_names = 0;
};

constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59},
    {"hour", 0, 23},
    {"day-of-month", 1, 31},
    {"month", 1, 12, kMonthNames.data(), kMonthNames.size()},
    {"day-of-week", 0, 7, kDayNames.data(), kDayNames.size()},
}};

// Reports a field that does not parse, naming the expression, the field and its text.
struct FieldError {
  std::string_view expression;
  const FieldSpec& spec;
  std::string_view field;

  template <typename... Args>
  [[noreturn]] void operator()(fmt::format_string<Args...> format, Args&&... args) const {
    Throw<UserError>("bad cron expression '{}': {} field '{}': {}", expression, spec.name, field,
                     fmt::format(format, std::forward<Args>(args)...));
  }
};

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> SplitWhitespace(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int ParseNumber(std::string_view text, const FieldError& error) {
  if (text.empty()) error("a value is missing");
  if (text.size() > 4 || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    error("'{}' is not a number", text);
  }
  return std::stoi(std::string(text));
}

int ParseValue(std::string_view text, const FieldError& error) {
  const FieldSpec& spec = error.spec;
  for (size_t i = 0; i < spec.num_names; ++i) {
    if (EqualsIgnoringCase(text, spec.names[i])) return spec.min + static_cast<int>(i);
  }
  if (spec.num_names > 0 && !text.empty() && std::isalpha(static_cast<unsigned char>(text[0]))) {
    error("'{}' is not a name ({}..{})", text, spec.names[0], spec.names[spec.num_names - 1]);
  }
  int value = ParseNumber(text, error);
  if (value < spec.min || value > spec.max) {
    error("{} is out of range {}-{}", value, spec.min, spec.max);
  }
  return value;
}

// Returns the bits one list item (`*`, `a`, `a-b`, each optionally with `/n`) sets.
uint64_t ParseItem(std::string_view item, const FieldError& error) {
  const FieldSpec& spec = error.spec;
  size_t slash = item.find('/');
  std::string_view range = item.substr(0, slash);
  int first = spec.min;
  int last = spec.max;
  if (range != "*") {
    size_t dash = range.find('-');
    first = ParseValue(range.substr(0, dash), error);
    last = dash == std::string_view::npos ? first : ParseValue(range.substr(dash + 1), error);
    if (first > last) error("range {} goes backwards", range);
  }
  int step = 1;
  if (slash != std::string_view::npos) {
    if (range != "*" && range.find('-') == std::string_view::npos) {
      error("a step needs a range ('*/n' or 'a-b/n'), not '{}'", item);
    }
    step = ParseNumber(item.substr(slash + 1), error);
    if (step < 1) error("step {} must be at least 1", step);
  }
  uint64_t bits = 0;
  for (int value = first; value <= last; value += step) bits |= uint64_t{1} << value;
  return bits;
}

uint64_t ParseField(std::string_view field, const FieldError& error) {
  uint64_t bits = 0;
  for (std::string_view item : Split(field, ',')) {
    if (item.empty()) error("an empty list item");
    bits |= ParseItem(item, error);
  }
  return bits;
}

std::optional<std::string_view> ExpandMacro(std::string_view text) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMacros = {{
      {"@hourly", "0 * * * *"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@weekly", "0 0 * * 0"},
      {"@monthly", "0 0 1 * *"},
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
  }};
  for (const auto& [name, fields] : kMacros) {
    if (EqualsIgnoringCase(text, name)) return fields;
  }
  return std::nullopt;
}

}  // namespace

CronExpression CronExpression::Parse(std::string_view text) {
  CronExpression cron;
  cron.text_ = std::string(TrimSpace(text));
  std::string_view fields_text = cron.text_;
  if (!fields_text.empty() && fields_text.front() == '@') {
    std::optional<std::string_view> expanded = ExpandMacro(fields_text);
    if (!expanded) {
      Throw<UserError>(
          "bad cron expression '{}': unknown macro (expected @hourly, @daily, "
          "@midnight, @weekly, @monthly, @yearly or @annually)",
          cron.text_);
    }
    fields_text = *expanded;
  }
  std::vector<std::string_view> fields = SplitWhitespace(fields_text);
  if (fields.size() != kFields.size()) {
    Throw<UserError>(
        "bad cron expression '{}': expected 5 fields (minute hour day-of-month "
        "month day-of-week), found {}",
        cron.text_, fields.size());
  }
  std::array<uint64_t, 5> bits;
  for (size_t i = 0; i < fields.size(); ++i) {
    bits[i] = ParseField(fields[i], FieldError{cron.text_, kFields[i], fields[i]});
  }
  cron.minutes_ = bits[0];
  cron.hours_ = bits[1];
  cron.days_of_month_ = bits[2];
  cron.months_ = bits[3];
  // Day of week 7 is Sunday, like 0.
  cron.days_of_week_ = (bits[4] | (bits[4] >> 7)) & 0x7f;
  cron.day_of_month_star_ = fields[2].front() == '*';
  cron.day_of_week_star_ = fields[4].front() == '*';
  sys_seconds ignored;
  if (!cron.FindNext(sys_seconds{}, ignored)) {
    Throw<UserError>("bad cron expression '{}': no date matches its day-of-month and month",
                     cron.text_);
  }
  return cron;
}

std::chrono::system_clock::time_point CronExpression::Next(
    std::chrono::system_clock::time_point after) const {
  sys_seconds found;
  // Parse made sure some date within the search window matches.
  SLUICE_CHECK(FindNext(std::chrono::floor<std::chrono::seconds>(after), found));
  return found;
}

bool CronExpression::DayMatches(sys_days day) const {
  std::chrono::year_month_day date{day};
  if (!months_[static_cast<unsigned>(date.month())]) return false;
  bool day_of_month = days_of_month_[static_cast<unsigned>(date.day())];
  bool day_of_week = days_of_week_[std::chrono::weekday{day}.c_encoding()];
  if (day_of_month_star_ || day_of_week_star_) return day_of_month && day_of_week;
  return day_of_month || day_of_week;
}

bool CronExpression::FindNext(sys_seconds after, sys_seconds& found) const {
  auto start = std::chrono::floor<minutes>(after) + minutes(1);
  sys_days day = std::chrono::floor<days>(start);
  int minute_of_day = static_cast<int>((start - day).count());
  for (int i = 0; i < kSearchDays; ++i, day += days(1), minute_of_day = 0) {
    if (!DayMatches(day)) continue;
    for (int minute = minute_of_day; minute < 24 * 60; ++minute) {
      if (hours_[minute / 60] && minutes_[minute % 60]) {
        found = day + minutes(minute);
        return true;
      }
    }
  }
  return false;
}

}  // namespace sluice::notebook
