#include "core/datetime.h"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

TEST(DatetimeTest, CivilRoundTripOverCenturies) {
  for (int32_t days = -800000; days <= 800000; days += 97) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(days)), days);
  }
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
}

TEST(DatetimeTest, ParsesDates) {
  EXPECT_EQ(ParseDate("2012-01-01"), 15340);
  EXPECT_EQ(ParseDate("2012/1/1"), 15340);
  EXPECT_EQ(ParseDate("2000-02-29"), 11016);
  EXPECT_FALSE(ParseDate("1900-02-29"));
  EXPECT_FALSE(ParseDate("2012-13-01"));
  EXPECT_FALSE(ParseDate("2012-01-01x"));
  EXPECT_FALSE(ParseDate("12-01-01"));
  EXPECT_FALSE(ParseDate(""));
}

TEST(DatetimeTest, ParsesTimestamps) {
  EXPECT_EQ(ParseTimestamp("2001/01/01 06:55"), 978332100000000);
  EXPECT_EQ(ParseTimestamp("2001-01-01T06:55:00Z"), 978332100000000);
  EXPECT_EQ(ParseTimestamp("2001-01-01 08:55:00+02:00"), 978332100000000);
  EXPECT_EQ(ParseTimestamp("2001-01-01 06:55:00.25"), 978332100250000);
  EXPECT_EQ(ParseTimestamp("2001-01-01"), 978307200000000);
  EXPECT_FALSE(ParseTimestamp("2001-01-01 25:00"));
  EXPECT_FALSE(ParseTimestamp("2001-01-01 06:5"));
  EXPECT_FALSE(ParseTimestamp("2001-01-01 06:55:00."));
}

TEST(DatetimeTest, Formats) {
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(FormatTimestamp(978332100250000), "2001-01-01 06:55:00.25");
}

}  // namespace
}  // namespace sluice::core
