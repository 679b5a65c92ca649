#include "ml/kmeans.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "base/error.h"

namespace sluice::ml {
namespace {

using ::testing::HasSubstr;

Params MakeParams(std::vector<std::pair<std::string, ParamValue>> values) {
  Params params;
  for (auto& [name, value] : values) params.Set(name, value);
  return params;
}

/// Returns `per_blob` points around each of (0, 0), (10, 0), (0, 10), interleaved.
Matrix Blobs(size_t per_blob, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 0.5);
  const double centers[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  Matrix x(3 * per_blob, 2);
  for (size_t i = 0; i < x.rows; ++i) {
    x.at(i, 0) = centers[i % 3][0] + normal(rng);
    x.at(i, 1) = centers[i % 3][1] + normal(rng);
  }
  return x;
}

/// Returns the mean of each blob of Blobs(), the centroids Lloyd's algorithm must end at.
std::vector<std::array<double, 2>> BlobMeans(const Matrix& x) {
  std::vector<std::array<double, 2>> means(3, {0, 0});
  for (size_t i = 0; i < x.rows; ++i) {
    means[i % 3][0] += x.at(i, 0) / (x.rows / 3);
    means[i % 3][1] += x.at(i, 1) / (x.rows / 3);
  }
  return means;
}

/// Returns the centroids sorted (by x, then y) so they compare with BlobMeans' order.
std::vector<std::array<double, 2>> SortedCentroids(const Matrix& centroids) {
  std::vector<std::array<double, 2>> out;
  for (size_t k = 0; k < centroids.rows; ++k)
    out.push_back({centroids.at(k, 0), centroids.at(k, 1)});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a[0] != b[0] && std::abs(a[0] - b[0]) > 3 ? a[0] < b[0] : a[1] < b[1];
  });
  return out;
}

double MeanNearestDistance(const Matrix& distances) {
  double sum = 0;
  for (size_t i = 0; i < distances.rows; ++i) {
    sum += *std::min_element(distances.row(i), distances.row(i) + distances.cols);
  }
  return sum / distances.rows;
}

TEST(KMeansTest, RecoversThreeKnownClusters) {
  const Matrix x = Blobs(50, 1);
  KMeans model(MakeParams({{"num_clusters", 3.0}}));
  model.Fit(x, Labels{}, nullptr, 1);
  ASSERT_EQ(model.centroids().rows, 3u);
  // Blob means in sorted order: (0, 0), (0, 10), (10, 0).
  const std::vector<std::array<double, 2>> means = BlobMeans(x);
  const std::vector<std::array<double, 2>> expected = {means[0], means[2], means[1]};
  const std::vector<std::array<double, 2>> centroids = SortedCentroids(model.centroids());
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(centroids[k][0], expected[k][0], 1e-9) << "cluster " << k;
    EXPECT_NEAR(centroids[k][1], expected[k][1], 1e-9) << "cluster " << k;
  }
  EXPECT_NEAR(expected[1][1], 10, 0.3);
  EXPECT_NEAR(expected[2][0], 10, 0.3);
}

TEST(KMeansTest, LossIsTheMeanSquaredDistanceToTheNearestCentroid) {
  const Matrix x = Blobs(40, 2);
  KMeans model(MakeParams({{"num_clusters", 3.0}, {"min_rel_progress", 0.0}}));
  model.Fit(x, Labels{}, nullptr, 1);
  const Matrix distances = model.Predict(x, 1);
  ASSERT_EQ(distances.cols, 3u);
  const std::vector<TrainingIteration>& info = model.training_info();
  ASSERT_FALSE(info.empty());
  EXPECT_NEAR(info.back().loss, MeanNearestDistance(distances), 1e-9);
  for (size_t i = 1; i < info.size(); ++i) EXPECT_LE(info[i].loss, info[i - 1].loss + 1e-12);
  // Around 0.5^2 per coordinate: the noise of the blobs.
  EXPECT_NEAR(info.back().loss, 0.5, 0.15);
  const double dx = x.at(0, 0) - model.centroids().at(0, 0);
  const double dy = x.at(0, 1) - model.centroids().at(0, 1);
  EXPECT_NEAR(distances.at(0, 0), dx * dx + dy * dy, 1e-9);
}

TEST(KMeansTest, SeedMakesTrainingDeterministic) {
  const Matrix x = Blobs(30, 3);
  KMeans first(MakeParams({{"num_clusters", 4.0}, {"seed", 7.0}}));
  first.Fit(x, Labels{}, nullptr, 1);
  KMeans second(MakeParams({{"num_clusters", 4.0}, {"seed", 7.0}}));
  second.Fit(x, Labels{}, nullptr, 1);
  EXPECT_EQ(first.centroids().values, second.centroids().values);
}

TEST(KMeansTest, OneClusterPerDistinctPointGivesZeroLoss) {
  Matrix x(6, 1);
  x.values = {1, 4, 9, 16, 25, 36};
  for (const char* init : {"kmeans++", "RANDOM"}) {
    KMeans model(MakeParams({{"num_clusters", 6.0}, {"kmeans_init_method", std::string(init)}}));
    model.Fit(x, Labels{}, nullptr, 1);
    std::vector<double> centroids = model.centroids().values;
    std::sort(centroids.begin(), centroids.end());
    EXPECT_EQ(centroids, x.values) << init;
    EXPECT_EQ(model.training_info().back().loss, 0) << init;
  }
}

TEST(KMeansTest, EmptyClusterMovesToTheFarthestPoint) {
  // Random seeds often repeat a 0: a cluster then gets no rows (ties go to the first centroid)
  // and, unless it moves to the farthest row, stays empty while 10 and 20 share a centroid.
  Matrix x(6, 1);
  x.values = {0, 0, 0, 0, 10, 20};
  for (double seed = 0; seed < 20; ++seed) {
    KMeans model(MakeParams(
        {{"num_clusters", 3.0}, {"kmeans_init_method", std::string("random")}, {"seed", seed}}));
    model.Fit(x, Labels{}, nullptr, 1);
    std::vector<double> centroids = model.centroids().values;
    std::sort(centroids.begin(), centroids.end());
    EXPECT_EQ(centroids, (std::vector<double>{0, 10, 20})) << "seed " << seed;
  }
}

TEST(KMeansTest, ThreadsDoNotChangeTheModel) {
  const Matrix x = Blobs(6000, 4);
  KMeans serial(MakeParams({{"num_clusters", 3.0}}));
  serial.Fit(x, Labels{}, nullptr, 1);
  KMeans parallel(MakeParams({{"num_clusters", 3.0}}));
  parallel.Fit(x, Labels{}, nullptr, 4);
  for (size_t i = 0; i < serial.centroids().values.size(); ++i) {
    EXPECT_NEAR(parallel.centroids().values[i], serial.centroids().values[i], 1e-9);
  }
  EXPECT_EQ(parallel.Predict(x, 4).values.size(), x.rows * 3);
}

TEST(KMeansTest, EvalLossIsTheEvalSetsMeanSquaredDistance) {
  const Matrix x = Blobs(30, 5);
  const Matrix eval_x = Blobs(10, 6);
  const Labels none;
  const EvalSet eval{eval_x, none};
  KMeans model(MakeParams({{"num_clusters", 3.0}}));
  model.Fit(x, Labels{}, &eval, 1);
  ASSERT_TRUE(model.training_info().back().eval_loss.has_value());
  EXPECT_NEAR(*model.training_info().back().eval_loss,
              MeanNearestDistance(model.Predict(eval_x, 1)), 1e-9);
}

TEST(KMeansTest, SaveLoadRoundTripPredictsTheSame) {
  const Matrix x = Blobs(20, 7);
  KMeans model(MakeParams({{"num_clusters", 3.0}}));
  model.Fit(x, Labels{}, nullptr, 1);
  std::string blob;
  const boost::json::object state = model.Save(blob);
  EXPECT_TRUE(blob.empty());
  KMeans loaded(Params{});
  loaded.Load(state, blob);
  EXPECT_EQ(loaded.Predict(x, 1).values, model.Predict(x, 1).values);
  // Boost.JSON 1.81 parses a double within one unit in the last place: nearly the same as text.
  KMeans reparsed(Params{});
  reparsed.Load(boost::json::parse(boost::json::serialize(state)).as_object(), blob);
  const Matrix expected = model.Predict(x, 1);
  const Matrix actual = reparsed.Predict(x, 1);
  for (size_t i = 0; i < expected.values.size(); ++i) {
    EXPECT_NEAR(actual.values[i], expected.values[i], 1e-12 * (1 + expected.values[i]));
  }
  EXPECT_EQ(loaded.training_info().size(), model.training_info().size());
}

TEST(KMeansTest, RejectsBadClusterCountsAndMissingValues) {
  const Matrix x = Blobs(2, 8);
  auto message = [&](Params params, const Matrix& data) -> std::string {
    try {
      KMeans(std::move(params)).Fit(data, Labels{}, nullptr, 1);
    } catch (const UserError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_THAT(message(Params{}, x), HasSubstr("num_clusters"));
  EXPECT_THAT(message(MakeParams({{"num_clusters", 1.0}}), x), HasSubstr("num_clusters"));
  EXPECT_THAT(message(MakeParams({{"num_clusters", 7.0}}), x), HasSubstr("rows"));
  Matrix missing = x;
  missing.at(1, 1) = std::nan("");
  EXPECT_THAT(message(MakeParams({{"num_clusters", 2.0}}), missing), HasSubstr("imputed"));
}

}  // namespace
}  // namespace sluice::ml
