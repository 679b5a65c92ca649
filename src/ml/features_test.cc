#include "ml/features.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <string>

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

// Returns 10,000 rows (several chunks and blocks of rows) of each kind of feature column.
Table Large() {
  Table table;
  table.num_rows = 10000;
  Column x{"x", core::TypeId::kDouble, {}, {}, {}};
  Column c{"c", core::TypeId::kVarchar, {}, {}, {}};
  Column d{"d", core::TypeId::kDate, {}, {}, {}};
  Column t{"t", core::TypeId::kTimestamp, {}, {}, {}};
  for (size_t row = 0; row < table.num_rows; ++row) {
    const double r = static_cast<double>(row);
    x.numbers.push_back(row % 13 == 0 ? kNaN : std::sin(r) * 100);
    c.texts.push_back("v" + std::to_string(row * row % 37));
    c.null.push_back(row % 17 == 0);
    d.numbers.push_back(row % 19 == 0 ? kNaN : std::floor(std::cos(r) * 20000));
    t.numbers.push_back(std::floor(std::sin(3 * r) * 1e15));
  }
  table.columns = {x, c, d, t};
  return table;
}

TEST(FeaturesTest, ThreadsDoNotChangeTheFeatures) {
  const Table table = Large();
  for (bool standardize : {true, false}) {
    const FeatureSpec one = FitFeatures(table, {}, {standardize, 10});
    const FeatureSpec two = FitFeatures(table, {}, {standardize, 10}, nullptr, 2);
    EXPECT_EQ(boost::json::serialize(FeatureSpecToJson(one)),
              boost::json::serialize(FeatureSpecToJson(two)));
    EXPECT_EQ(one.columns[0].null_count, 770u);
    EXPECT_TRUE(one.columns[1].other);
    const Matrix a = MakeFeatures(one, table);
    const Matrix b = MakeFeatures(one, table, 2);
    ASSERT_EQ(a.cols, 1u + 11 + 5 + 7);  // 19 distinct strings: 10 kept and "other"
    ASSERT_EQ(a.values.size(), b.values.size());
    for (size_t i = 0; i < a.values.size(); ++i) {
      ASSERT_TRUE(a.values[i] == b.values[i] ||
                  (std::isnan(a.values[i]) && std::isnan(b.values[i])))
          << i;
    }
    // Row 9999 by hand: x, then one-hot c ("v7": 9999^2 % 37 = 7).
    const double x = std::sin(9999.0) * 100;
    const NumericStats& stats = one.columns[0].stats[0];
    EXPECT_EQ(a.at(9999, 0), standardize ? (x - stats.mean) / stats.stddev : x);
    const auto& categories = one.columns[1].categories;
    const size_t v7 = std::find(categories.begin(), categories.end(), "v7") - categories.begin();
    double ones = 0;
    for (size_t j = 1; j < 12; ++j) ones += a.at(9999, j);
    EXPECT_EQ(ones, 1);
    EXPECT_EQ(a.at(9999, 1 + std::min<size_t>(v7, 10)), 1);
  }
}

TEST(FeaturesTest, MediansAreExactWhateverTheOrderOfTheValues) {
  const size_t rows = 20000;
  Table table;
  table.num_rows = rows;
  std::vector<std::vector<double>> columns(6);
  for (size_t row = 0; row < rows; ++row) {
    const double r = static_cast<double>(row);
    columns[0].push_back(r);                                  // ascending
    columns[1].push_back(-r);                                 // descending
    columns[2].push_back(static_cast<double>(row % 10));      // few distinct values
    columns[3].push_back(row % 3 == 0 ? kNaN : std::sin(r));  // NULLs
    // Large exactly where an evenly spaced sample of 2,048 looks: the sample misleads.
    columns[4].push_back(row * 2048 % rows < 2048 ? 1e9 + r : std::cos(r));
    columns[5].push_back(std::floor(std::sin(r * r) * 50));
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    table.columns.push_back({"c" + std::to_string(i), core::TypeId::kDouble, columns[i], {}, {}});
  }
  const FeatureSpec spec = FitFeatures(table, {}, {true, 100}, nullptr, 2);
  for (size_t i = 0; i < columns.size(); ++i) {
    std::vector<double> present;
    for (double v : columns[i]) {
      if (!std::isnan(v)) present.push_back(v);
    }
    std::sort(present.begin(), present.end());
    EXPECT_EQ(spec.columns[i].stats[0].median, present[present.size() / 2]) << i;
    EXPECT_EQ(spec.columns[i].stats[0].min, present.front()) << i;
    EXPECT_EQ(spec.columns[i].stats[0].max, present.back()) << i;
  }
}

}  // namespace
}  // namespace sluice::ml
