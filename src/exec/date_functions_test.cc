#include <gtest/gtest.h>

#include "base/error.h"
#include "core/datetime.h"
#include "exec/testing/test_expressions.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;
using testing::Call;

Value B(int64_t v) { return Value::Bigint(v); }
Value D(double v) { return Value::Double(v); }
Value S(std::string v) { return Value::Varchar(std::move(v)); }
Value Date(const char* text) { return Value::Date(*core::ParseDate(text)); }
Value Ts(const char* text) { return Value::Timestamp(*core::ParseTimestamp(text)); }

TEST(DateFunctionsTest, PartsOfAKnownMonday) {
  // 2001-01-01 is a Monday, in ISO week 1 of 2001.
  for (Value value : {Date("2001-01-01"), Ts("2001-01-01 00:00:00")}) {
    EXPECT_EQ(Call("year", {value}), B(2001));
    EXPECT_EQ(Call("month", {value}), B(1));
    EXPECT_EQ(Call("day", {value}), B(1));
    EXPECT_EQ(Call("dayofweek", {value}), B(1));
    EXPECT_EQ(Call("isodow", {value}), B(1));
    EXPECT_EQ(Call("dayofyear", {value}), B(1));
    EXPECT_EQ(Call("week", {value}), B(1));
    EXPECT_EQ(Call("quarter", {value}), B(1));
    EXPECT_EQ(Call("epoch", {value}), D(978307200));
  }
  EXPECT_EQ(Call("dayofweek", {Date("2023-10-15")}), B(0));  // a Sunday
  EXPECT_EQ(Call("week", {Date("2021-01-03")}), B(53));      // ISO week of 2020
  EXPECT_EQ(Call("dayofyear", {Date("2020-12-31")}), B(366));
  EXPECT_EQ(Call("quarter", {Date("2020-08-31")}), B(3));
}

TEST(DateFunctionsTest, TimeParts) {
  Value ts = Ts("2024-02-29 13:45:30.25");
  EXPECT_EQ(Call("hour", {ts}), B(13));
  EXPECT_EQ(Call("minute", {ts}), B(45));
  EXPECT_EQ(Call("second", {ts}), B(30));
  EXPECT_EQ(Call("date_part", {S("second"), ts}), D(30.25));
  EXPECT_EQ(Call("date_part", {S("YEAR"), ts}), D(2024));
  EXPECT_EQ(Call("date_part", {S("dow"), ts}), D(4));
  EXPECT_EQ(Call("extract", {S("doy"), ts}), D(60));
  EXPECT_EQ(Call("date_part", {S("milliseconds"), ts}), D(30250));
  EXPECT_EQ(Call("date_part", {S("century"), ts}), D(21));
  EXPECT_EQ(Call("hour", {Ts("1969-12-31 23:00:00")}), B(23));
  EXPECT_THROW(Call("date_part", {S("fortnight"), ts}), DataError);
}

TEST(DateFunctionsTest, DateTrunc) {
  Value ts = Ts("2024-05-15 13:45:30.25");
  EXPECT_EQ(Call("date_trunc", {S("year"), ts}), Ts("2024-01-01"));
  EXPECT_EQ(Call("date_trunc", {S("quarter"), ts}), Ts("2024-04-01"));
  EXPECT_EQ(Call("date_trunc", {S("month"), ts}), Ts("2024-05-01"));
  EXPECT_EQ(Call("date_trunc", {S("week"), ts}), Ts("2024-05-13"));  // a Monday
  EXPECT_EQ(Call("date_trunc", {S("day"), ts}), Ts("2024-05-15"));
  EXPECT_EQ(Call("date_trunc", {S("hour"), ts}), Ts("2024-05-15 13:00:00"));
  EXPECT_EQ(Call("date_trunc", {S("minute"), ts}), Ts("2024-05-15 13:45:00"));
  EXPECT_EQ(Call("date_trunc", {S("second"), ts}), Ts("2024-05-15 13:45:30"));
  EXPECT_EQ(Call("date_trunc", {S("month"), Date("2024-05-15")}), Ts("2024-05-01"));
  EXPECT_EQ(Call("date_trunc", {S("hour"), Ts("1969-12-31 23:30:00")}), Ts("1969-12-31 23:00:00"));
  EXPECT_THROW(Call("date_trunc", {S("dow"), ts}), DataError);
}

TEST(DateFunctionsTest, Constructors) {
  EXPECT_EQ(Call("make_date", {B(2001), B(1), B(1)}), Date("2001-01-01"));
  EXPECT_THROW(Call("make_date", {B(2001), B(2), B(29)}), DataError);
  EXPECT_EQ(Call("make_timestamp", {B(2001), B(1), B(1), B(10), B(30), D(1.5)}),
            Ts("2001-01-01 10:30:01.5"));
  EXPECT_EQ(Call("to_timestamp", {D(978307200)}), Ts("2001-01-01"));
  Value now = Call("now", {});
  EXPECT_GT(now.GetInt64(), *core::ParseTimestamp("2024-01-01"));
  EXPECT_EQ(Call("current_date", {}).type(), TypeId::kDate);
}

TEST(DateFormatTest, Strftime) {
  Value ts = Ts("2001-02-03 04:05:06.789");
  EXPECT_EQ(Call("strftime", {ts, S("%Y-%m-%d %H:%M:%S.%f")}), S("2001-02-03 04:05:06.789000"));
  EXPECT_EQ(Call("strftime", {ts, S("%a %A %b %B %y %j %I%p %u %w %%")}),
            S("Sat Saturday Feb February 01 034 04AM 6 6 %"));
  EXPECT_EQ(Call("strftime", {Date("2001-01-01"), S("%F %T")}), S("2001-01-01 00:00:00"));
  EXPECT_THROW(Call("strftime", {ts, S("%Q")}), DataError);
}

TEST(DateFormatTest, StrptimeAndRoundTrip) {
  EXPECT_EQ(Call("strptime", {S("03/02/2001 16:05"), S("%d/%m/%Y %H:%M")}),
            Ts("2001-02-03 16:05:00"));
  EXPECT_EQ(Call("strptime", {S("Feb 3, 2001 4:05:06 PM"), S("%b %d, %Y %I:%M:%S %p")}),
            Ts("2001-02-03 16:05:06"));
  EXPECT_EQ(Call("strptime", {S("2001-034"), S("%Y-%j")}), Ts("2001-02-03"));
  EXPECT_EQ(Call("strptime", {S("2001-02-03T04:05:06+02:00"), S("%Y-%m-%dT%H:%M:%S%z")}),
            Ts("2001-02-03 02:05:06"));
  EXPECT_THROW(Call("strptime", {S("2001-02-30"), S("%Y-%m-%d")}), DataError);
  EXPECT_THROW(Call("strptime", {S("2001-02-03 junk"), S("%Y-%m-%d")}), DataError);
  const char* format = "%A %d %B %Y, %H:%M:%S.%f";
  for (const char* text :
       {"1999-12-31 23:59:59.999999", "2024-02-29 00:00:00", "1970-01-01 12:00:00.5"}) {
    Value ts = Ts(text);
    Value formatted = Call("strftime", {ts, S(format)});
    EXPECT_EQ(Call("strptime", {formatted, S(format)}), ts) << formatted.GetString();
  }
}

}  // namespace
}  // namespace sluice::exec
