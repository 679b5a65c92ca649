#include "catalog/column_profile_json.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::catalog {
namespace {

using core::TypeId;

ColumnProfile FullProfile() {
  ColumnProfile profile;
  profile.name = "dep \"delay\"\n\\";
  profile.type = TypeId::kDouble;
  profile.rows = 1000001;
  profile.non_null = 999999;
  profile.null_fraction = 2.0 / 1000001.0;
  profile.distinct = 12345.678901234567;
  profile.min = "-0.1";
  profile.max = "1e300";
  profile.mean = 0.1 + 0.2;
  profile.stddev = 1e-310;  // subnormal
  profile.quantiles = {{0, -5}, {0.01, -0.0}, {0.5, 3.0000000000000004}, {1, 1e300}};
  profile.top_values = {{"SFO", 40}, {"", 3}, {"Zürich", 1}};
  profile.histogram = {{-5, 0.5, 10}, {0.5, 1e300, 20}};
  profile.min_length = 0;
  profile.max_length = 9000000000;
  profile.mean_length = 2.5;
  profile.inferred_type = TypeId::kTimestamp;
  profile.type_failure_fraction = 1.0 / 3.0;
  profile.sample = {"a", "tab\there", "ünïcödé", "\x01"};
  profile.signature.hashes = {0, 42, 9223372036854775807ull, 9223372036854775808ull,
                              18446744073709551615ull};
  return profile;
}

void ExpectSame(const ColumnProfile& a, const ColumnProfile& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.non_null, b.non_null);
  EXPECT_EQ(a.null_fraction, b.null_fraction);
  EXPECT_EQ(a.distinct, b.distinct);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.max, b.max);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.stddev, b.stddev);
  EXPECT_EQ(a.quantiles, b.quantiles);
  ASSERT_EQ(a.top_values.size(), b.top_values.size());
  for (size_t i = 0; i < a.top_values.size(); ++i) {
    EXPECT_EQ(a.top_values[i].value, b.top_values[i].value);
    EXPECT_EQ(a.top_values[i].count, b.top_values[i].count);
  }
  ASSERT_EQ(a.histogram.size(), b.histogram.size());
  for (size_t i = 0; i < a.histogram.size(); ++i) {
    EXPECT_EQ(a.histogram[i].lower, b.histogram[i].lower);
    EXPECT_EQ(a.histogram[i].upper, b.histogram[i].upper);
    EXPECT_EQ(a.histogram[i].count, b.histogram[i].count);
  }
  EXPECT_EQ(a.min_length, b.min_length);
  EXPECT_EQ(a.max_length, b.max_length);
  EXPECT_EQ(a.mean_length, b.mean_length);
  EXPECT_EQ(a.inferred_type, b.inferred_type);
  EXPECT_EQ(a.type_failure_fraction, b.type_failure_fraction);
  EXPECT_EQ(a.sample, b.sample);
  EXPECT_EQ(a.signature.hashes, b.signature.hashes);
}

TEST(ColumnProfileJsonTest, RoundTripsEveryFieldExactly) {
  ColumnProfile profile = FullProfile();
  ColumnProfile back = ProfileFromJson(ProfileToJson(profile));
  ExpectSame(back, profile);
  EXPECT_TRUE(std::signbit(back.quantiles[1].second));  // -0.0 stays negative
  EXPECT_EQ(ProfileToJson(back), ProfileToJson(profile));
}

TEST(ColumnProfileJsonTest, RoundTripsAnEmptyProfileWithAbsentOptionals) {
  ColumnProfile profile;
  std::string json = ProfileToJson(profile);
  EXPECT_NE(json.find("\"min\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"signature\":[]"), std::string::npos) << json;
  ColumnProfile back = ProfileFromJson(json);
  ExpectSame(back, profile);
  EXPECT_FALSE(back.mean.has_value());
  EXPECT_FALSE(back.min_length.has_value());
}

TEST(ColumnProfileJsonTest, KeepsNanAndInfinities) {
  ColumnProfile profile;
  profile.mean = std::numeric_limits<double>::infinity();
  profile.stddev = std::nan("");
  profile.quantiles = {{0, -std::numeric_limits<double>::infinity()}};
  std::string json = ProfileToJson(profile);
  EXPECT_NE(json.find("\"mean\":\"Infinity\""), std::string::npos) << json;
  ColumnProfile back = ProfileFromJson(json);
  EXPECT_EQ(back.mean, std::numeric_limits<double>::infinity());
  ASSERT_TRUE(back.stddev);
  EXPECT_TRUE(std::isnan(*back.stddev));
  EXPECT_EQ(back.quantiles[0].second, -std::numeric_limits<double>::infinity());
}

TEST(ColumnProfileJsonTest, ReplacesBytesThatAreNotUtf8) {
  ColumnProfile profile;
  profile.sample = {"ok\xff", "caf\xc3\xa9"};
  profile.min = std::string("\xc3", 1);
  ColumnProfile back = ProfileFromJson(ProfileToJson(profile));
  EXPECT_EQ(back.sample[0], "ok\xEF\xBF\xBD");
  EXPECT_EQ(back.sample[1], "caf\xc3\xa9");
  EXPECT_EQ(back.min, "\xEF\xBF\xBD");
}

TEST(ColumnProfileJsonTest, LeavesMissingFieldsAtTheirDefaults) {
  ColumnProfile back = ProfileFromJson(R"({"name":"x","rows":3})");
  EXPECT_EQ(back.name, "x");
  EXPECT_EQ(back.rows, 3);
  EXPECT_EQ(back.type, TypeId::kVarchar);
  EXPECT_TRUE(back.signature.hashes.empty());
}

TEST(ColumnProfileJsonTest, RejectsWhatIsNotAProfile) {
  for (const char* json :
       {"", "[]", "{", R"({"rows":"many"})", R"({"type":"NOTATYPE"})", R"({"quantiles":[[1]]})",
        R"({"top_values":[{"value":"a"}]})", R"({"signature":[-1]})", R"({"mean":"often"})"}) {
    EXPECT_THROW(ProfileFromJson(json), DataError) << json;
  }
}

}  // namespace
}  // namespace sluice::catalog
