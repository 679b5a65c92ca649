#pragma once

// Cron expressions as crontab(5) writes them, evaluated in UTC: what a notebook's `cron:`
// schedule in sluice.yaml says.

#include <bitset>
#include <chrono>
#include <string>
#include <string_view>

namespace sluice::notebook {

/// Is a parsed cron expression: five fields (minute, hour, day of month, month, day of week),
/// or one of the macros @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually.
/// Immutable; safe to use from several threads.
class CronExpression {
 public:
  /// Parses `text`. Each field is `*`, a value, a range `a-b`, a step `*/n` or `a-b/n`, or a
  /// comma-separated list of those; months may be named jan..dec and days of the week sun..sat
  /// (any case), and day of week 7 is Sunday like 0. Throws UserError naming the field and the
  /// text when a field does not parse or is out of range, or when no date ever matches
  /// (`0 0 30 2 *`).
  static CronExpression Parse(std::string_view text);

  /// Returns the first whole minute strictly after `after` (UTC) that the expression matches.
  /// As in Vixie cron, when both day fields are restricted (neither starts with `*`) a day
  /// matches when either field does.
  std::chrono::system_clock::time_point Next(std::chrono::system_clock::time_point after) const;

  /// Returns the expression as it was written (trimmed).
  const std::string& text() const { return text_; }

 private:
  CronExpression() = default;
  bool DayMatches(std::chrono::sys_days day) const;
  bool FindNext(std::chrono::sys_seconds after, std::chrono::sys_seconds& found) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bits 1..31
  std::bitset<13> months_;         // bits 1..12
  std::bitset<7> days_of_week_;    // bit 0 is Sunday
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
};

}  // namespace sluice::notebook
