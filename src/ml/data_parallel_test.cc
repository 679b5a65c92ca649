// The data-parallel pieces of ml against their one-process forms, on ranks that are threads
// (fake_ranks.h): every rank must get the same answer, the one-process answer on all rows.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ml/fake_ranks.h"
#include "ml/features.h"
#include "ml/kmeans.h"
#include "ml/least_squares.h"
#include "ml/linear_model.h"
#include "ml/metrics.h"
#include "ml/rank_reducer.h"

namespace sluice::ml {
namespace {

// Returns the first row of each of `size` shares of `rows` rows, then `rows`; rank 0's share
// is empty, as a rank's can be.
std::vector<size_t> ShareBounds(size_t rows, int size) {
  std::vector<size_t> bounds{0, 0};
  for (int r = 1; r < size; ++r) bounds.push_back(rows * static_cast<size_t>(r) / (size - 1));
  return bounds;
}

Matrix ShareOf(const Matrix& x, const std::vector<size_t>& bounds, int rank) {
  std::vector<size_t> rows;
  for (size_t row = bounds[rank]; row < bounds[rank + 1]; ++row) rows.push_back(row);
  return SelectRows(x, rows);
}

Labels ShareOf(const Labels& y, const std::vector<size_t>& bounds, int rank) {
  std::vector<size_t> rows;
  for (size_t row = bounds[rank]; row < bounds[rank + 1]; ++row) rows.push_back(row);
  return SelectLabels(y, rows);
}

// Returns 600 rows of 3 features and a label linear in them plus noise; with `classes`, the
// label is the class of a noisy score instead.
std::pair<Matrix, Labels> Sample(size_t classes) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  Matrix x(600, 3);
  Labels y{{}, classes};
  for (size_t row = 0; row < x.rows; ++row) {
    for (size_t j = 0; j < x.cols; ++j) x.at(row, j) = normal(rng);
    const double score = x.at(row, 0) - 2 * x.at(row, 1) + 0.5 * x.at(row, 2) + normal(rng);
    y.values.push_back(
        classes == 0 ? score : std::min<double>(classes - 1, std::floor(score > 0 ? score : 0)));
  }
  return {x, y};
}

TEST(DataParallelTest, KthOverRanksIsTheExactOrderStatistic) {
  std::vector<double> all{3, -1.5, 3, 0, -0.0, 7e300, -2e-300, 3, 12, -8};
  std::vector<double> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  FakeRanks ranks(3);
  ranks.Run([&](RankReducer& reducer) {
    std::vector<double> mine;
    for (size_t i = static_cast<size_t>(reducer.rank()); i < all.size(); i += 3) {
      mine.push_back(all[i]);
    }
    for (size_t k = 0; k < all.size(); ++k) {
      EXPECT_EQ(KthOverRanks(reducer, {mine}, {k})[0], sorted[k]) << k;
    }
  });
}

TEST(DataParallelTest, SequentialSplitOverRanksHoldsOutWhatOneProcessWould) {
  std::vector<double> order;
  for (int i = 0; i < 40; ++i) order.push_back(i % 7 == 3 ? NAN : static_cast<double>(i % 9));
  const Split alone = SequentialSplit(order, 0.3);
  const std::vector<size_t> bounds = ShareBounds(order.size(), 4);
  std::vector<std::vector<size_t>> held_out(4);
  FakeRanks ranks(4);
  ranks.Run([&](RankReducer& reducer) {
    const int rank = reducer.rank();
    std::vector<double> mine(order.begin() + bounds[rank], order.begin() + bounds[rank + 1]);
    for (size_t row : SequentialSplitOverRanks(mine, 0.3, reducer).eval) {
      held_out[rank].push_back(row + bounds[rank]);
    }
  });
  std::vector<size_t> eval;
  for (const auto& rows : held_out) eval.insert(eval.end(), rows.begin(), rows.end());
  EXPECT_EQ(eval, alone.eval);
}

TEST(DataParallelTest, FeaturesOverRanksAreTheOneProcessFeatures) {
  Table all;
  all.num_rows = 50;
  all.columns.push_back({"x", core::TypeId::kDouble, {}, {}, {}});
  all.columns.push_back({"c", core::TypeId::kVarchar, {}, {}, {}});
  for (size_t row = 0; row < all.num_rows; ++row) {
    all.columns[0].numbers.push_back(row % 6 == 0 ? NAN : static_cast<double>(row * row % 17));
    all.columns[1].texts.push_back("v" + std::to_string(row * 7 % 5 + row % 3));
    all.columns[1].null.push_back(row % 10 == 0);
  }
  const FeatureSpec alone = FitFeatures(all, {}, {true, 3});
  const std::vector<size_t> bounds = ShareBounds(all.num_rows, 3);
  FakeRanks ranks(3);
  ranks.Run([&](RankReducer& reducer) {
    std::vector<size_t> rows;
    for (size_t row = bounds[reducer.rank()]; row < bounds[reducer.rank() + 1]; ++row) {
      rows.push_back(row);
    }
    const FeatureSpec spec = FitFeatures(SelectTableRows(all, rows), {}, {true, 3}, &reducer);
    EXPECT_EQ(spec.FeatureNames(), alone.FeatureNames());
    EXPECT_EQ(spec.columns[0].null_count, alone.columns[0].null_count);
    EXPECT_EQ(spec.columns[1].null_count, alone.columns[1].null_count);
    EXPECT_EQ(spec.columns[1].category_count, alone.columns[1].category_count);
    const NumericStats& got = spec.columns[0].stats[0];
    const NumericStats& want = alone.columns[0].stats[0];
    EXPECT_EQ(got.min, want.min);
    EXPECT_EQ(got.max, want.max);
    EXPECT_EQ(got.median, want.median);
    EXPECT_NEAR(got.mean, want.mean, 1e-12);
    EXPECT_NEAR(got.stddev, want.stddev, 1e-12);
  });
}

TEST(DataParallelTest, LeastSquaresOverRanksSolvesTheSameProblem) {
  const auto [x, y] = Sample(0);
  const LeastSquares alone = SolveLeastSquares(x, y.values, 0.1, 1);
  const std::vector<size_t> bounds = ShareBounds(x.rows, 3);
  FakeRanks ranks(3);
  ranks.Run([&](RankReducer& reducer) {
    const LeastSquares got =
        SolveLeastSquaresOverRanks(ShareOf(x, bounds, reducer.rank()),
                                   ShareOf(y, bounds, reducer.rank()).values, 0.1, 1, reducer);
    for (size_t j = 0; j < x.cols; ++j) EXPECT_NEAR(got.weights[j], alone.weights[j], 1e-12);
    EXPECT_NEAR(got.intercept, alone.intercept, 1e-12);
    EXPECT_NEAR(got.mean_squared_error, alone.mean_squared_error, 1e-12);
  });
}

// Fits `estimator` on all rows and each rank's copy on its share; expects every rank's
// weights bit for bit alike and within `tolerance` of the one-process ones.
template <typename E>
void ExpectSharesFitAlike(const Params& params, size_t classes, double tolerance) {
  const auto [x, y] = Sample(classes);
  E alone(params);
  alone.Fit(x, y, nullptr, 1);
  const std::vector<size_t> bounds = ShareBounds(x.rows, 4);
  std::vector<Matrix> weights(4);
  std::vector<double> losses(4);
  FakeRanks ranks(4);
  ranks.Run([&](RankReducer& reducer) {
    E estimator(params);
    estimator.FitShares(ShareOf(x, bounds, reducer.rank()), ShareOf(y, bounds, reducer.rank()),
                        nullptr, 1, reducer);
    weights[reducer.rank()] = estimator.weights();
    losses[reducer.rank()] = estimator.training_info().back().loss;
  });
  for (int rank = 1; rank < 4; ++rank) {
    EXPECT_EQ(weights[rank].values, weights[0].values);
    EXPECT_EQ(losses[rank], losses[0]);
  }
  for (size_t i = 0; i < alone.weights().values.size(); ++i) {
    EXPECT_NEAR(weights[0].values[i], alone.weights().values[i], tolerance) << i;
  }
  EXPECT_NEAR(losses[0], alone.training_info().back().loss, tolerance);
}

TEST(DataParallelTest, LassoOnSharesFollowsTheSameCoordinateDescent) {
  Params params;
  params.Set("l1_reg", 0.05);
  ExpectSharesFitAlike<LinearRegression>(params, 0, 1e-9);
}

TEST(DataParallelTest, LogisticRegressionOnSharesReducesEachGradient) {
  Params params;
  params.Set("l2_reg", 0.01);
  params.Set("min_rel_progress", 1e-14);
  params.Set("max_iterations", 300.0);
  ExpectSharesFitAlike<LogisticRegression>(params, 3, 1e-6);
}

TEST(DataParallelTest, KmeansOnSharesFindsTheSameClusters) {
  Matrix x(300, 2);
  for (size_t row = 0; row < x.rows; ++row) {
    x.at(row, 0) = static_cast<double>(row % 3) * 50 + static_cast<double>(row % 7) / 10;
    x.at(row, 1) = static_cast<double>(row % 3 == 1) * 80 + static_cast<double>(row % 5) / 10;
  }
  Params params;
  params.Set("num_clusters", 3.0);
  KMeans alone(params);
  alone.Fit(x, {}, nullptr, 1);
  auto sorted = [](const Matrix& centroids) {
    std::vector<std::vector<double>> rows;
    for (size_t c = 0; c < centroids.rows; ++c) {
      rows.emplace_back(centroids.row(c), centroids.row(c) + centroids.cols);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  const std::vector<size_t> bounds = ShareBounds(x.rows, 3);
  std::vector<Matrix> centroids(3);
  FakeRanks ranks(3);
  ranks.Run([&](RankReducer& reducer) {
    KMeans estimator(params);
    estimator.FitShares(ShareOf(x, bounds, reducer.rank()), {}, nullptr, 1, reducer);
    centroids[reducer.rank()] = estimator.centroids();
  });
  EXPECT_EQ(centroids[1].values, centroids[0].values);
  EXPECT_EQ(centroids[2].values, centroids[0].values);
  const auto want = sorted(alone.centroids());
  const auto got = sorted(centroids[0]);
  for (size_t c = 0; c < want.size(); ++c) {
    for (size_t j = 0; j < want[c].size(); ++j) EXPECT_NEAR(got[c][j], want[c][j], 1e-9);
  }
}

}  // namespace
}  // namespace sluice::ml
