#include "core/interval.h"

#include <gtest/gtest.h>

#include "core/datetime.h"

namespace sluice::core {
namespace {

int64_t At(const char* text) { return *ParseTimestamp(text); }

TEST(IntervalTest, ParsesPostgresForms) {
  auto day = ParseInterval("1 day");
  ASSERT_TRUE(day);
  EXPECT_EQ(day->days, 1);
  auto mixed = ParseInterval("1 year 2 mons 3 days 04:05:06");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->months, 14);
  EXPECT_EQ(mixed->days, 3);
  EXPECT_EQ(mixed->micros, ((4 * 60 + 5) * 60 + 6) * kMicrosPerSecond);
  EXPECT_EQ(ParseInterval("90", "minute")->micros, 90 * 60 * kMicrosPerSecond);
  EXPECT_EQ(ParseInterval("-2 hours")->micros, -2 * 3600 * kMicrosPerSecond);
  EXPECT_EQ(ParseInterval("1.5 seconds")->micros, 1500000);
  EXPECT_FALSE(ParseInterval("soon"));
  EXPECT_FALSE(ParseInterval(""));
  EXPECT_FALSE(ParseInterval("3 fortnights"));
}

TEST(IntervalTest, AddsMonthsThenDaysThenTime) {
  EXPECT_EQ(AddInterval(At("2024-01-31"), {1, 0, 0}), At("2024-02-29"));
  EXPECT_EQ(AddInterval(At("2024-03-31"), {-1, 0, 0}), At("2024-02-29"));
  EXPECT_EQ(AddInterval(At("2023-12-15 10:00"), {1, 1, 3600 * kMicrosPerSecond}),
            At("2024-01-16 11:00"));
  EXPECT_EQ(AddInterval(At("1969-12-31 23:00"), {0, 0, 2 * 3600 * kMicrosPerSecond}),
            At("1970-01-01 01:00"));
  EXPECT_EQ(AddInterval(At("2000-01-01"), {-13, 0, 0}), At("1998-12-01"));
}

}  // namespace
}  // namespace sluice::core
