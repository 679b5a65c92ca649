#include "ml/features.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>

#include "base/error.h"

namespace sluice::ml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Table Sample() {
  Table table;
  table.num_rows = 4;
  table.columns.push_back({"x", core::TypeId::kDouble, {1, 2, kNaN, 5}, {}, {}});
  table.columns.push_back({"c", core::TypeId::kVarchar, {}, {"a", "b", "a", ""}, {0, 0, 0, 1}});
  table.columns.push_back({"d", core::TypeId::kDate, {0, 31, 365, 366}, {}, {}});  // days
  table.columns.push_back({"y", core::TypeId::kDouble, {1, 2, 3, 4}, {}, {}});
  return table;
}

TEST(FeaturesTest, StandardizesImputesAndOneHotEncodes) {
  FeatureSpec spec = FitFeatures(Sample(), {"y"}, {true, 100});
  EXPECT_EQ(spec.FeatureNames(), (std::vector<std::string>{"x", "c_a", "c_b", "d_year", "d_month",
                                                           "d_day", "d_dayofweek", "d_dayofyear"}));
  EXPECT_EQ(spec.columns[0].null_count, 1u);
  EXPECT_DOUBLE_EQ(spec.columns[0].stats[0].mean, 8.0 / 3);
  Matrix x = MakeFeatures(spec, Sample());
  ASSERT_EQ(x.cols, 8u);
  EXPECT_DOUBLE_EQ(x.at(2, 0), 0);  // NULL becomes the mean, 0 once standardized
  EXPECT_NEAR(x.at(0, 0), (1 - 8.0 / 3) / spec.columns[0].stats[0].stddev, 1e-12);
  EXPECT_EQ(x.at(0, 1), 1);
  EXPECT_EQ(x.at(1, 2), 1);
  EXPECT_EQ(x.at(3, 1) + x.at(3, 2), 0);  // NULL category: no feature
  // 1970-02-01 is a Sunday, day 32 of the year; before standardizing:
  FeatureSpec raw = FitFeatures(Sample(), {"y"}, {false, 100});
  Matrix parts = MakeFeatures(raw, Sample());
  EXPECT_EQ(parts.at(1, 3), 1970);
  EXPECT_EQ(parts.at(1, 4), 2);
  EXPECT_EQ(parts.at(1, 6), 0);
  EXPECT_EQ(parts.at(1, 7), 32);
  EXPECT_TRUE(std::isnan(parts.at(2, 0)));  // trees see NULL as missing
}

TEST(FeaturesTest, CapsCategoriesWithAnOtherFeature) {
  FeatureSpec spec = FitFeatures(Sample(), {"y", "x", "d"}, {true, 1});
  EXPECT_EQ(spec.FeatureNames(), (std::vector<std::string>{"c_a", "c__other_"}));
  Table unseen;
  unseen.num_rows = 2;
  unseen.columns.push_back({"c", core::TypeId::kVarchar, {}, {"zzz", "a"}, {0, 0}});
  Matrix x = MakeFeatures(spec, unseen);
  EXPECT_EQ(x.at(0, 1), 1);  // never seen: the "other" feature
  EXPECT_EQ(x.at(1, 0), 1);
}

TEST(FeaturesTest, RoundTripsThroughJsonAndChecksInputs) {
  FeatureSpec spec = FitFeatures(Sample(), {"y"}, {true, 100});
  FeatureSpec back = FeatureSpecFromJson(
      boost::json::parse(boost::json::serialize(FeatureSpecToJson(spec))).as_object());
  Matrix a = MakeFeatures(spec, Sample());
  Matrix b = MakeFeatures(back, Sample());
  for (size_t i = 0; i < a.values.size(); ++i) EXPECT_NEAR(a.values[i], b.values[i], 1e-12);
  Table wrong = Sample();
  wrong.columns[1].type = core::TypeId::kBigint;
  wrong.columns[1].numbers = {1, 2, 3, 4};
  EXPECT_THROW(MakeFeatures(spec, wrong), UserError);
  Table missing = Sample();
  missing.columns.erase(missing.columns.begin());
  EXPECT_THROW(MakeFeatures(spec, missing), UserError);
  EXPECT_THROW(FitFeatures(Sample(), {"x", "c", "d", "y"}, {}), UserError);
}

}  // namespace
}  // namespace sluice::ml
