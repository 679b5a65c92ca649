#include "notebook/cron.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::notebook {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::system_clock;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Returns the UTC time y-m-d h:m.
system_clock::time_point At(int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  return sys_days{std::chrono::year{y} / m / d} + hours(h) + minutes(min);
}

system_clock::time_point Next(std::string_view cron, system_clock::time_point after) {
  return CronExpression::Parse(cron).Next(after);
}

std::string ErrorOf(std::string_view text) {
  try {
    CronExpression::Parse(text);
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for: " << text;
  return "";
}

TEST(CronTest, EveryFiveMinutesIsStrictlyAfter) {
  EXPECT_EQ(Next("*/5 * * * *", At(2024, 1, 1, 0, 0)), At(2024, 1, 1, 0, 5));
  EXPECT_EQ(Next("*/5 * * * *", At(2024, 1, 1, 0, 3) + seconds(59)), At(2024, 1, 1, 0, 5));
  EXPECT_EQ(Next("*/5 * * * *", At(2024, 1, 1, 0, 5)), At(2024, 1, 1, 0, 10));
  EXPECT_EQ(Next("*/5 * * * *", At(2024, 1, 1, 0, 5) + milliseconds(1)), At(2024, 1, 1, 0, 10));
  EXPECT_EQ(Next("*/5 * * * *", At(2024, 1, 1, 23, 58)), At(2024, 1, 2, 0, 0));
}

TEST(CronTest, RangesStepsAndLists) {
  auto cron = CronExpression::Parse("10-30/10 8-10 * * *");
  EXPECT_EQ(cron.Next(At(2024, 1, 1, 7, 0)), At(2024, 1, 1, 8, 10));
  EXPECT_EQ(cron.Next(At(2024, 1, 1, 8, 30)), At(2024, 1, 1, 9, 10));
  EXPECT_EQ(cron.Next(At(2024, 1, 1, 10, 30)), At(2024, 1, 2, 8, 10));
  EXPECT_EQ(Next("0,30 * * * *", At(2024, 1, 1, 5, 1)), At(2024, 1, 1, 5, 30));
  EXPECT_EQ(Next("0,30 * * * *", At(2024, 1, 1, 5, 30)), At(2024, 1, 1, 6, 0));
  EXPECT_EQ(Next("15 1-3,22 * * *", At(2024, 1, 1, 3, 15)), At(2024, 1, 1, 22, 15));
}

TEST(CronTest, NamesAnyCaseAndSevenIsSunday) {
  // 2024-01-06 is a Saturday; 2024-06-01 is a Saturday too.
  auto cron = CronExpression::Parse("0 12 * JAN,Jun mon-FRI");
  EXPECT_EQ(cron.Next(At(2024, 1, 6)), At(2024, 1, 8, 12, 0));
  EXPECT_EQ(cron.Next(At(2024, 1, 31, 12, 0)), At(2024, 6, 3, 12, 0));
  EXPECT_EQ(Next("0 0 * * 7", At(2024, 1, 1)), At(2024, 1, 7));
  EXPECT_EQ(Next("0 0 * * sun", At(2024, 1, 1)), At(2024, 1, 7));
  EXPECT_EQ(Next("0 0 * * 6-7", At(2024, 1, 1)), At(2024, 1, 6));
  EXPECT_EQ(Next("0 0 * * 6-7", At(2024, 1, 6)), At(2024, 1, 7));
}

TEST(CronTest, BothDayFieldsRestrictedMatchEither) {
  // Vixie cron: the 13th or any Friday (2024-01-05 and 2024-01-12 are Fridays).
  auto cron = CronExpression::Parse("0 0 13 * 5");
  EXPECT_EQ(cron.Next(At(2024, 1, 1)), At(2024, 1, 5));
  EXPECT_EQ(cron.Next(At(2024, 1, 12)), At(2024, 1, 13));
  EXPECT_EQ(cron.Next(At(2024, 1, 13)), At(2024, 1, 19));
}

TEST(CronTest, DayFieldStartingWithStarMustMatchToo) {
  // `*/2` counts as unrestricted, so both fields must match: odd days that are Fridays.
  auto cron = CronExpression::Parse("0 0 */2 * 5");
  EXPECT_EQ(cron.Next(At(2024, 1, 1)), At(2024, 1, 5));
  EXPECT_EQ(cron.Next(At(2024, 1, 5)), At(2024, 1, 19));
  EXPECT_EQ(Next("0 0 13 * *", At(2024, 1, 1)), At(2024, 1, 13));
}

TEST(CronTest, Macros) {
  system_clock::time_point after = At(2024, 5, 15, 10, 30);  // a Wednesday
  EXPECT_EQ(Next("@hourly", after), At(2024, 5, 15, 11, 0));
  EXPECT_EQ(Next("@daily", after), At(2024, 5, 16));
  EXPECT_EQ(Next("@Midnight", after), At(2024, 5, 16));
  EXPECT_EQ(Next("@weekly", after), At(2024, 5, 19));
  EXPECT_EQ(Next("@monthly", after), At(2024, 6, 1));
  EXPECT_EQ(Next("@yearly", after), At(2025, 1, 1));
  EXPECT_EQ(Next("  @ANNUALLY ", after), At(2025, 1, 1));
}

TEST(CronTest, CalendarEdges) {
  EXPECT_EQ(Next("0 0 29 2 *", At(2024, 3, 1)), At(2028, 2, 29));
  EXPECT_EQ(Next("0 0 29 2 *", At(2096, 3, 1)), At(2104, 2, 29));  // 2100 is no leap year
  EXPECT_EQ(Next("0 0 31 * *", At(2024, 1, 31)), At(2024, 3, 31));
  EXPECT_EQ(Next("59 23 31 12 *", At(2024, 12, 31, 23, 59)), At(2025, 12, 31, 23, 59));
}

TEST(CronTest, KeepsTrimmedText) {
  EXPECT_EQ(CronExpression::Parse("  */15 * * * *\n").text(), "*/15 * * * *");
}

struct BadCron {
  const char* text;
  const char* message;
};

void PrintTo(const BadCron& bad, std::ostream* out) { *out << "'" << bad.text << "'"; }

class CronErrorTest : public ::testing::TestWithParam<BadCron> {};

TEST_P(CronErrorTest, NamesFieldAndText) {
  EXPECT_THAT(ErrorOf(GetParam().text),
              AllOf(HasSubstr(fmt::format("bad cron expression '{}'", GetParam().text)),
                    HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cron, CronErrorTest,
    ::testing::Values(BadCron{"* * * *",
                              "expected 5 fields (minute hour day-of-month month day-of-week), "
                              "found 4"},
                      BadCron{"", "found 0"}, BadCron{"* * * * * *", "found 6"},
                      BadCron{"60 * * * *", "minute field '60': 60 is out of range 0-59"},
                      BadCron{"* 24 * * *", "hour field '24': 24 is out of range 0-23"},
                      BadCron{"* * 0 * *", "day-of-month field '0': 0 is out of range 1-31"},
                      BadCron{"* * * 13 *", "month field '13': 13 is out of range 1-12"},
                      BadCron{"* * * * 8", "day-of-week field '8': 8 is out of range 0-7"},
                      BadCron{"*/0 * * * *", "minute field '*/0': step 0 must be at least 1"},
                      BadCron{"5-1 * * * *", "minute field '5-1': range 5-1 goes backwards"},
                      BadCron{"a * * * *", "minute field 'a': 'a' is not a number"},
                      BadCron{"1,,2 * * * *", "minute field '1,,2': an empty list item"},
                      BadCron{"* * * foo *", "month field 'foo': 'foo' is not a name (jan..dec)"},
                      BadCron{"* * * * monday",
                              "day-of-week field 'monday': 'monday' is not a name (sun..sat)"},
                      BadCron{"5/10 * * * *", "a step needs a range"},
                      BadCron{"* -3 * * *", "hour field '-3': a value is missing"},
                      BadCron{"@often", "unknown macro"}, BadCron{"0 0 30 2 *", "no date matches"},
                      BadCron{"0 0 31 4,6 *", "no date matches"}));

}  // namespace
}  // namespace sluice::notebook
