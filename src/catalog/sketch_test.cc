#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/hash.h"
#include "catalog/heavy_hitters.h"
#include "catalog/hyperloglog.h"
#include "catalog/minhash.h"
#include "catalog/quantile_sketch.h"

namespace sluice::catalog {
namespace {

uint64_t TextHash(int64_t value) { return HashString(std::to_string(value)); }

TEST(HyperLogLogTest, IsExactForSmallSets) {
  HyperLogLog sketch;
  for (int repeat = 0; repeat < 3; ++repeat) {
    for (int64_t i = 0; i < 200; ++i) sketch.AddHash(TextHash(i));
  }
  EXPECT_TRUE(sketch.exact());
  EXPECT_EQ(sketch.Estimate(), 200);
  sketch.AddHash(0);
  EXPECT_EQ(sketch.Estimate(), 201);
}

TEST(HyperLogLogTest, EstimatesAMillionDistinctValuesWithinTwoPercent) {
  HyperLogLog sketch;
  for (int64_t i = 0; i < 1'000'000; ++i) sketch.AddHash(TextHash(i));
  for (int64_t i = 0; i < 1'000'000; i += 7) sketch.AddHash(TextHash(i));  // repeats
  EXPECT_FALSE(sketch.exact());
  EXPECT_NEAR(sketch.Estimate(), 1e6, 0.02 * 1e6);
}

TEST(HyperLogLogTest, StaysAccurateAcrossTheRangeFromExactToLarge) {
  HyperLogLog sketch(12);
  int64_t added = 0;
  for (int64_t target : {300, 1000, 3000, 10'000, 30'000, 100'000}) {
    for (; added < target; ++added) sketch.AddHash(TextHash(added));
    // precision 12: standard error 1.6%; four of them is the bound here.
    EXPECT_NEAR(sketch.Estimate(), target, 0.065 * target) << target;
  }
}

TEST(HyperLogLogTest, MergedPartsEqualOneSketchOfTheUnion) {
  HyperLogLog whole;
  std::vector<HyperLogLog> parts(8);
  for (int64_t i = 0; i < 400'000; ++i) {
    uint64_t hash = TextHash(i % 300'000);
    whole.AddHash(hash);
    parts[i % 8].AddHash(hash);
  }
  HyperLogLog merged;
  for (const auto& part : parts) merged.Merge(part);
  EXPECT_EQ(merged.Estimate(), whole.Estimate());
  EXPECT_NEAR(merged.Estimate(), 300'000, 0.02 * 300'000);
  HyperLogLog small;
  small.AddHash(TextHash(1));
  small.Merge(parts[0]);
  EXPECT_GT(small.Estimate(), 30'000);
}

// Returns the largest distance between the asked rank and the true rank range of the answer.
double MaxQuantileError(const QuantileSketch& sketch, std::vector<double> data) {
  std::sort(data.begin(), data.end());
  std::vector<double> ranks;
  for (int i = 0; i <= 1000; ++i) ranks.push_back(i / 1000.0);
  std::vector<double> answers = sketch.Quantiles(ranks);
  double worst = 0;
  auto n = static_cast<double>(data.size());
  for (size_t i = 0; i < ranks.size(); ++i) {
    auto low = std::lower_bound(data.begin(), data.end(), answers[i]) - data.begin();
    auto high = std::upper_bound(data.begin(), data.end(), answers[i]) - data.begin();
    // Any rank in [low, high] / n names this value.
    double target = ranks[i] * n;
    double error = 0;
    if (target < static_cast<double>(low)) error = (static_cast<double>(low) - target) / n;
    if (target > static_cast<double>(high)) error = (target - static_cast<double>(high)) / n;
    worst = std::max(worst, error);
  }
  return worst;
}

double MaxRankError(const QuantileSketch& sketch, std::vector<double> data) {
  std::sort(data.begin(), data.end());
  std::vector<double> probes;
  for (int i = 1; i < 1000; ++i) probes.push_back(data[data.size() * i / 1000]);
  std::vector<double> estimates = sketch.Ranks(probes);
  double worst = 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    auto below = std::lower_bound(data.begin(), data.end(), probes[i]) - data.begin();
    double truth = static_cast<double>(below) / static_cast<double>(data.size());
    worst = std::max(worst, std::abs(estimates[i] - truth));
  }
  return worst;
}

std::vector<double> RandomValues(size_t count, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::lognormal_distribution<double> distribution(0, 1.5);
  std::vector<double> values(count);
  for (double& value : values) value = distribution(random);
  return values;
}

TEST(QuantileSketchTest, RandomInputStaysWithinTheRankErrorBound) {
  std::vector<double> data = RandomValues(1'000'000, 7);
  QuantileSketch sketch(200, 11);
  for (size_t i = 0; i < data.size(); i += 1000) sketch.AddMany({data.data() + i, 1000});
  EXPECT_EQ(sketch.count(), 1'000'000);
  EXPECT_EQ(sketch.min(), *std::min_element(data.begin(), data.end()));
  EXPECT_EQ(sketch.max(), *std::max_element(data.begin(), data.end()));
  EXPECT_LE(MaxQuantileError(sketch, data), sketch.RankError());
  EXPECT_LE(MaxRankError(sketch, data), sketch.RankError());
}

TEST(QuantileSketchTest, SortedInputStaysWithinTheRankErrorBound) {
  std::vector<double> data(1'000'000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<double>(i);
  QuantileSketch sketch(200, 3);
  for (double value : data) sketch.Add(value);
  EXPECT_LE(MaxQuantileError(sketch, data), sketch.RankError());
  std::reverse(data.begin(), data.end());
  QuantileSketch descending(200, 4);
  descending.AddMany(data);
  EXPECT_LE(MaxQuantileError(descending, data), descending.RankError());
}

TEST(QuantileSketchTest, EightMergedPartsStayWithinTheRankErrorBound) {
  std::vector<double> data = RandomValues(1'000'000, 21);
  // Uneven parts, so that their samplers run at different levels.
  std::vector<QuantileSketch> parts;
  for (uint64_t i = 0; i < 8; ++i) parts.emplace_back(200, 100 + i);
  size_t start = 0;
  for (size_t part = 0; part < 8; ++part) {
    size_t size = part == 7 ? data.size() - start : (part + 1) * 20'000;
    parts[part].AddMany({data.data() + start, size});
    start += size;
  }
  QuantileSketch merged(200, 99);
  for (const auto& part : parts) merged.Merge(part);
  EXPECT_EQ(merged.count(), 1'000'000);
  EXPECT_LE(MaxQuantileError(merged, data), merged.RankError());
  EXPECT_LE(MaxRankError(merged, data), merged.RankError());
}

TEST(QuantileSketchTest, WeightedValuesCountAsRepeats) {
  QuantileSketch sketch(200, 5);
  std::vector<double> data;
  for (int value = 1; value <= 100; ++value) {
    int64_t weight = value * 997;
    sketch.AddWeighted(value, weight);
    data.insert(data.end(), weight, value);
  }
  EXPECT_EQ(sketch.count(), static_cast<int64_t>(data.size()));
  EXPECT_LE(MaxQuantileError(sketch, data), sketch.RankError());
}

TEST(QuantileSketchTest, SmallInputsAreExact) {
  QuantileSketch sketch;
  for (double value : {5.0, 1.0, 3.0, 2.0, 4.0}) sketch.Add(value);
  EXPECT_EQ(sketch.Quantile(0), 1);
  EXPECT_EQ(sketch.Quantile(0.5), 3);
  EXPECT_EQ(sketch.Quantile(0.6), 3);
  EXPECT_EQ(sketch.Quantile(0.61), 4);
  EXPECT_EQ(sketch.Quantile(1), 5);
  std::vector<double> probes = {1, 2.5, 6};
  EXPECT_EQ(sketch.Ranks(probes), (std::vector<double>{0, 0.4, 1}));
}

// Draws from values 0..999 where value v has weight ~ 1 / (v + 1) (Zipf-like), plus planted
// frequent values.
std::vector<int64_t> SkewedStream(size_t count, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<int64_t> stream;
  std::uniform_real_distribution<double> unit(0, 1);
  for (size_t i = 0; i < count; ++i) {
    double u = unit(random);
    if (u < 0.10) {
      stream.push_back(-1);
    } else if (u < 0.16) {
      stream.push_back(-2);
    } else if (u < 0.20) {
      stream.push_back(-3);
    } else {
      stream.push_back(static_cast<int64_t>(random() % 100'000));
    }
  }
  return stream;
}

TEST(HeavyHittersTest, FindsPlantedFrequentValuesOnSkewedData) {
  std::vector<int64_t> stream = SkewedStream(1'000'000, 1);
  HeavyHitters summary(64);
  std::map<int64_t, int64_t> truth;
  for (int64_t value : stream) {
    std::string text = std::to_string(value);
    summary.Add(HashString(text), text);
    ++truth[value];
  }
  EXPECT_EQ(summary.total(), 1'000'000);
  EXPECT_LE(summary.error_bound(), 2 * 1'000'000 / 66);
  auto top = summary.Top(3);
  ASSERT_EQ(top.size(), 3u);
  std::vector<std::string> expected = {"-1", "-2", "-3"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(top[i].value, expected[i]);
    int64_t exact = truth[-1 - static_cast<int64_t>(i)];
    EXPECT_LE(top[i].count, exact);
    EXPECT_GE(top[i].count, exact - summary.error_bound());
  }
}

TEST(HeavyHittersTest, IsExactWithFewDistinctValues) {
  HeavyHitters summary(16);
  for (int i = 0; i < 1000; ++i) {
    std::string text = "v" + std::to_string(i % 10 < 5 ? i % 10 : 0);
    summary.Add(HashString(text), text);
  }
  auto top = summary.Top(10);
  ASSERT_EQ(top.size(), 5u);
  EXPECT_EQ(top[0].value, "v0");
  EXPECT_EQ(top[0].count, 600);
  EXPECT_EQ(top[1].value, "v1");  // ties by value
  EXPECT_EQ(top[1].count, 100);
  EXPECT_EQ(summary.error_bound(), 0);
}

TEST(HeavyHittersTest, MergedPartsFindThePlantedValues) {
  std::vector<int64_t> stream = SkewedStream(800'000, 2);
  std::vector<HeavyHitters> parts(8, HeavyHitters(64));
  for (size_t i = 0; i < stream.size(); ++i) {
    std::string text = std::to_string(stream[i]);
    parts[i % 8].Add(HashString(text), text);
  }
  HeavyHitters merged(64);
  for (const auto& part : parts) merged.Merge(part);
  EXPECT_EQ(merged.total(), 800'000);
  auto top = merged.Top(3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].value, "-1");
  EXPECT_EQ(top[1].value, "-2");
  EXPECT_EQ(top[2].value, "-3");
  EXPECT_LE(merged.error_bound(), 4 * 800'000 / 66);
}

MinHashSignature SignatureOf(int64_t first, int64_t last, size_t k = 256) {
  MinHash sketch(k);
  for (int64_t i = first; i < last; ++i) sketch.AddHash(TextHash(i));
  return sketch.Signature();
}

TEST(MinHashTest, KeepsTheSmallestDistinctHashes) {
  MinHash sketch(4);
  for (uint64_t hash : {9, 3, 7, 3, 1, 8, 2, 2}) sketch.AddHash(hash);
  EXPECT_EQ(sketch.Signature().hashes, (std::vector<uint64_t>{1, 2, 3, 7}));
  MinHash other(4);
  other.AddHash(0);
  other.AddHash(5);
  sketch.Merge(other);
  EXPECT_EQ(sketch.Signature().hashes, (std::vector<uint64_t>{0, 1, 2, 3}));
}

TEST(MinHashTest, ContainmentIsExactForSmallSets) {
  MinHashSignature a = SignatureOf(0, 100);
  MinHashSignature b = SignatureOf(60, 200);
  EXPECT_DOUBLE_EQ(EstimateContainment(a, 100, b, 140), 0.4);
  EXPECT_DOUBLE_EQ(EstimateContainment(b, 140, a, 100), 40.0 / 140);
  EXPECT_DOUBLE_EQ(EstimateContainment(a, 100, a, 100), 1.0);
  EXPECT_DOUBLE_EQ(EstimateContainment(a, 100, SignatureOf(500, 600), 100), 0.0);
}

TEST(MinHashTest, EstimatesContainmentWithinATenth) {
  const int64_t size = 50'000;
  for (double containment : {0.2, 0.5, 1.0}) {
    auto shared = static_cast<int64_t>(containment * size);
    // a = [0, size); b shares `shared` of them and has as many of its own.
    MinHashSignature a = SignatureOf(0, size);
    MinHash b_sketch;
    for (int64_t i = size - shared; i < size; ++i) b_sketch.AddHash(TextHash(i));
    for (int64_t i = 0; i < size - shared + 10'000; ++i) b_sketch.AddHash(TextHash(size + i));
    double b_distinct = static_cast<double>(shared + size - shared + 10'000);
    double estimate = EstimateContainment(a, size, b_sketch.Signature(), b_distinct);
    EXPECT_NEAR(estimate, containment, 0.1) << containment;
  }
}

}  // namespace
}  // namespace sluice::catalog
