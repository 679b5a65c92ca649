#include "ml/metrics.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::ml {
namespace {

constexpr double kTolerance = 1e-12;

/// Returns a matrix from its rows.
Matrix MatrixOf(const std::vector<std::vector<double>>& rows) {
  Matrix m(rows.size(), rows.empty() ? 0 : rows[0].size());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < m.cols; ++c) m.at(r, c) = rows[r][c];
  }
  return m;
}

/// Returns the two-column probabilities of binary models from class 1's probabilities.
Matrix BinaryProbabilities(const std::vector<double>& positive) {
  Matrix m(positive.size(), 2);
  for (size_t r = 0; r < positive.size(); ++r) {
    m.at(r, 0) = 1 - positive[r];
    m.at(r, 1) = positive[r];
  }
  return m;
}

/// Returns the squared distance of each row of `x` to each centroid.
Matrix SquaredDistances(const Matrix& x, const Matrix& centroids) {
  Matrix d(x.rows, centroids.rows);
  for (size_t r = 0; r < x.rows; ++r) {
    for (size_t c = 0; c < centroids.rows; ++c) {
      for (size_t f = 0; f < x.cols; ++f) {
        d.at(r, c) += (x.at(r, f) - centroids.at(c, f)) * (x.at(r, f) - centroids.at(c, f));
      }
    }
  }
  return d;
}

// The examples of scikit-learn's docstrings: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8].
TEST(RegressionMetricsTest, MatchesScikitLearnExamples) {
  const RegressionMetrics m = EvaluateRegression({3, -0.5, 2, 7}, {2.5, 0, 2, 8});
  EXPECT_NEAR(m.mean_absolute_error, 0.5, kTolerance);
  EXPECT_NEAR(m.mean_squared_error, 0.375, kTolerance);
  EXPECT_NEAR(m.median_absolute_error, 0.5, kTolerance);
  // Residual sum of squares 1.5; total sum of squares around the mean 2.875 is 29.1875.
  EXPECT_NEAR(m.r2_score, 1 - 1.5 / 29.1875, kTolerance);
  // Residuals [0.5, -0.5, 0, -1] have variance 0.3125; the truth 29.1875 / 4.
  EXPECT_NEAR(m.explained_variance, 1 - 0.3125 / (29.1875 / 4), kTolerance);
}

TEST(RegressionMetricsTest, MeanSquaredLogErrorUsesLog1p) {
  // scikit-learn's docstring: mean_squared_log_error([3, 5, 2.5, 7], [2.5, 5, 4, 8]) = 0.039...
  const RegressionMetrics m = EvaluateRegression({3, 5, 2.5, 7}, {2.5, 5, 4, 8});
  const double expected = (std::pow(std::log(4 / 3.5), 2) + 0 + std::pow(std::log(3.5 / 5), 2) +
                           std::pow(std::log(8.0 / 9), 2)) /
                          4;
  EXPECT_NEAR(m.mean_squared_log_error, expected, kTolerance);
  EXPECT_NEAR(m.mean_squared_log_error, 0.0397301229845938, 1e-15);
}

TEST(RegressionMetricsTest, MeanSquaredLogErrorIsNanAtOrBelowMinusOne) {
  EXPECT_TRUE(std::isnan(EvaluateRegression({1, 2}, {-1.5, 2}).mean_squared_log_error));
  EXPECT_TRUE(std::isnan(EvaluateRegression({-1, 2}, {0, 2}).mean_squared_log_error));
  EXPECT_FALSE(std::isnan(EvaluateRegression({-0.5, 2}, {0, 2}).mean_squared_log_error));
}

TEST(RegressionMetricsTest, MedianOfEvenCountAveragesTheMiddleErrors) {
  // Absolute errors 4, 1, 3, 10: the median is (3 + 4) / 2.
  EXPECT_NEAR(EvaluateRegression({0, 0, 0, 0}, {4, -1, 3, 10}).median_absolute_error, 3.5,
              kTolerance);
  EXPECT_NEAR(EvaluateRegression({0, 0, 0}, {4, -1, 3}).median_absolute_error, 3, kTolerance);
}

TEST(RegressionMetricsTest, ScoresOfAConstantTruthFollowScikitLearn) {
  const RegressionMetrics perfect = EvaluateRegression({2, 2, 2}, {2, 2, 2});
  EXPECT_EQ(perfect.r2_score, 1.0);
  EXPECT_EQ(perfect.explained_variance, 1.0);
  const RegressionMetrics imperfect = EvaluateRegression({2, 2, 2}, {1, 2, 3});
  EXPECT_EQ(imperfect.r2_score, 0.0);
  EXPECT_EQ(imperfect.explained_variance, 0.0);
}

TEST(RegressionMetricsTest, ExplainedVarianceIgnoresABiasThatR2Counts) {
  // Predictions off by a constant 1: residual variance 0, residual sum of squares 3.
  const RegressionMetrics m = EvaluateRegression({1, 2, 3}, {2, 3, 4});
  EXPECT_NEAR(m.explained_variance, 1.0, kTolerance);
  EXPECT_NEAR(m.r2_score, 1 - 3.0 / 2.0, kTolerance);
  EXPECT_NEAR(EvaluateRegression({1, 2, 3}, {3, 2, 1}).r2_score, -3.0, kTolerance);
}

TEST(RegressionMetricsTest, R2OfOneRowIsNan) {
  const RegressionMetrics m = EvaluateRegression({3}, {2});
  EXPECT_TRUE(std::isnan(m.r2_score));
  EXPECT_NEAR(m.mean_absolute_error, 1, kTolerance);
}

TEST(RegressionMetricsTest, NoRowsIsAUserError) {
  EXPECT_THROW(EvaluateRegression({}, {}), UserError);
}

// Truth [0, 0, 1, 1, 1, 0], P(class 1) [.1, .6, .7, .4, .9, .2]: at 0.5, rows 2 and 4 are true
// positives, row 1 a false positive, row 3 a false negative.
TEST(ClassificationMetricsTest, BinaryScoresOfClassOne) {
  const Labels truth{{0, 0, 1, 1, 1, 0}, 2};
  const Matrix probabilities = BinaryProbabilities({0.1, 0.6, 0.7, 0.4, 0.9, 0.2});
  const ClassificationMetrics m = EvaluateClassification(truth, probabilities);
  EXPECT_NEAR(m.precision, 2.0 / 3, kTolerance);
  EXPECT_NEAR(m.recall, 2.0 / 3, kTolerance);
  EXPECT_NEAR(m.f1_score, 2.0 / 3, kTolerance);
  EXPECT_NEAR(m.accuracy, 4.0 / 6, kTolerance);
  const double log_loss = -(std::log(0.9) + std::log(0.4) + std::log(0.7) + std::log(0.4) +
                            std::log(0.9) + std::log(0.8)) /
                          6;
  EXPECT_NEAR(m.log_loss, log_loss, kTolerance);
  // Of the 9 (positive, negative) pairs, the positive scores higher in 3 + 2 + 3.
  EXPECT_NEAR(m.roc_auc, 8.0 / 9, kTolerance);
}

TEST(ClassificationMetricsTest, ThresholdMovesPrecisionAndRecallButNotAuc) {
  const Labels truth{{0, 0, 1, 1, 1, 0}, 2};
  const Matrix probabilities = BinaryProbabilities({0.1, 0.6, 0.7, 0.4, 0.9, 0.2});
  const ClassificationMetrics m = EvaluateClassification(truth, probabilities, 0.4);
  // Predicted class 1 at >= 0.4: rows 1..4; 3 true positives, 1 false positive.
  EXPECT_NEAR(m.precision, 0.75, kTolerance);
  EXPECT_NEAR(m.recall, 1.0, kTolerance);
  EXPECT_NEAR(m.f1_score, 2 * 0.75 / 1.75, kTolerance);
  EXPECT_NEAR(m.accuracy, 5.0 / 6, kTolerance);
  EXPECT_NEAR(m.roc_auc, 8.0 / 9, kTolerance);
}

TEST(ClassificationMetricsTest, NothingPredictedPositiveHasZeroPrecision) {
  const Labels truth{{0, 1, 1}, 2};
  const ClassificationMetrics m = EvaluateClassification(truth, BinaryProbabilities({.1, .2, .3}));
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.f1_score, 0.0);
  EXPECT_NEAR(m.roc_auc, 1.0, kTolerance);
}

TEST(ClassificationMetricsTest, RocAucGivesTiedScoresHalfAPair) {
  // Pairs: 0.5 vs 0.5 tie (1/2), 0.5 vs 0.2 (1), 0.8 vs both (2): 3.5 of 4.
  const Labels truth{{0, 1, 0, 1}, 2};
  EXPECT_NEAR(EvaluateClassification(truth, BinaryProbabilities({.5, .5, .2, .8})).roc_auc, 0.875,
              kTolerance);
  EXPECT_NEAR(EvaluateClassification(truth, BinaryProbabilities({.3, .3, .3, .3})).roc_auc, 0.5,
              kTolerance);
  EXPECT_NEAR(EvaluateClassification(truth, BinaryProbabilities({.9, .1, .8, .2})).roc_auc, 0.0,
              kTolerance);
}

TEST(ClassificationMetricsTest, RocAucOfOneClassIsNan) {
  const Labels truth{{1, 1, 1}, 2};
  const ClassificationMetrics m = EvaluateClassification(truth, BinaryProbabilities({.2, .6, .9}));
  EXPECT_TRUE(std::isnan(m.roc_auc));
  EXPECT_NEAR(m.recall, 2.0 / 3, kTolerance);
}

TEST(ClassificationMetricsTest, LogLossClipsACertainMistake) {
  const Labels truth{{1, 0}, 2};
  const ClassificationMetrics m = EvaluateClassification(truth, BinaryProbabilities({0, 0}));
  // Row 0 costs -log(1e-15); row 1 (probability 1, clipped to 1 - 1e-15) about 1e-15.
  EXPECT_NEAR(m.log_loss, (-std::log(1e-15) - std::log1p(-1e-15)) / 2, 1e-9);
  EXPECT_TRUE(std::isfinite(m.log_loss));
}

// Truth [0, 0, 0, 1, 1, 2]; the most probable classes are [0, 0, 1, 1, 2, 2].
Matrix ThreeClassProbabilities() {
  return MatrixOf({{0.7, 0.2, 0.1},
                   {0.5, 0.3, 0.2},
                   {0.3, 0.5, 0.2},
                   {0.2, 0.5, 0.3},
                   {0.1, 0.4, 0.5},
                   {0.2, 0.2, 0.6}});
}

TEST(ClassificationMetricsTest, MulticlassMacroAverages) {
  const Labels truth{{0, 0, 0, 1, 1, 2}, 3};
  const ClassificationMetrics m = EvaluateClassification(truth, ThreeClassProbabilities());
  // Per class (precision, recall, f1): 0 (1, 2/3, 0.8); 1 (1/2, 1/2, 1/2); 2 (1/2, 1, 2/3).
  EXPECT_NEAR(m.precision, (1 + 0.5 + 0.5) / 3, kTolerance);
  EXPECT_NEAR(m.recall, (2.0 / 3 + 0.5 + 1) / 3, kTolerance);
  // The mean of the per-class f1, not the f1 of the mean precision and recall (0.6933).
  EXPECT_NEAR(m.f1_score, (0.8 + 0.5 + 2.0 / 3) / 3, kTolerance);
  EXPECT_NEAR(m.accuracy, 4.0 / 6, kTolerance);
  const double log_loss = -(std::log(0.7) + std::log(0.5) + std::log(0.3) + std::log(0.5) +
                            std::log(0.4) + std::log(0.6)) /
                          6;
  EXPECT_NEAR(m.log_loss, log_loss, kTolerance);
}

TEST(ClassificationMetricsTest, MulticlassRocAucIsOneVsRestMacro) {
  const Labels truth{{0, 0, 0, 1, 1, 2}, 3};
  // Class 0 separates perfectly (1). Class 1: positives 0.5 and 0.4 against negatives
  // 0.2, 0.3, 0.5 (tie), 0.2: 3.5 + 3 of 8. Class 2: 0.6 above every negative (1).
  const ClassificationMetrics m = EvaluateClassification(truth, ThreeClassProbabilities());
  EXPECT_NEAR(m.roc_auc, (1 + 6.5 / 8 + 1) / 3, kTolerance);
}

TEST(ClassificationMetricsTest, MulticlassSkipsAClassAbsentFromTruth) {
  const Labels truth{{0, 0, 1, 1}, 3};
  const Matrix probabilities = MatrixOf({{0.6, 0.3, 0.1},  // predicted 0
                                         {0.3, 0.6, 0.1},  // predicted 1
                                         {0.2, 0.7, 0.1},  // predicted 1
                                         {0.1, 0.8, 0.1}});
  const ClassificationMetrics m = EvaluateClassification(truth, probabilities);
  // Class 2 is neither expected nor predicted: the averages are over classes 0 and 1.
  EXPECT_NEAR(m.precision, (1 + 2.0 / 3) / 2, kTolerance);
  EXPECT_NEAR(m.recall, (0.5 + 1) / 2, kTolerance);
  // Class 0: 0.6 and 0.3 against 0.2 and 0.1 (1). Class 1: 0.7 and 0.8 against 0.3 and 0.6 (1).
  EXPECT_NEAR(m.roc_auc, 1.0, kTolerance);
}

TEST(ClassificationMetricsTest, MulticlassRocAucOfOneClassIsNan) {
  const Labels truth{{2, 2}, 3};
  EXPECT_TRUE(
      std::isnan(EvaluateClassification(truth, MatrixOf({{.2, .3, .5}, {.1, .1, .8}})).roc_auc));
}

TEST(ConfusionMatrixTest, CountsExpectedByPredicted) {
  const Labels truth{{0, 0, 0, 1, 1, 2}, 3};
  const Matrix counts = ConfusionMatrix(truth, ThreeClassProbabilities());
  const Matrix expected = MatrixOf({{2, 1, 0}, {0, 1, 1}, {0, 0, 1}});
  EXPECT_EQ(counts.rows, 3u);
  EXPECT_EQ(counts.cols, 3u);
  EXPECT_EQ(counts.values, expected.values);
}

TEST(ConfusionMatrixTest, BinaryUsesTheThreshold) {
  const Labels truth{{0, 0, 1, 1, 1, 0}, 2};
  const Matrix probabilities = BinaryProbabilities({0.1, 0.6, 0.7, 0.4, 0.9, 0.2});
  EXPECT_EQ(ConfusionMatrix(truth, probabilities).values, (std::vector<double>{2, 1, 1, 2}));
  EXPECT_EQ(ConfusionMatrix(truth, probabilities, 0.65).values, (std::vector<double>{3, 0, 1, 2}));
}

TEST(ClusteringMetricsTest, TwoClustersOfKnownGeometry) {
  // Cluster A: (0,0), (2,0) around (1,0), spread 1. Cluster B: (10,0), (10,4) around (10,2),
  // spread 2. Centroids sqrt(85) apart: both ratios are 3 / sqrt(85).
  const Matrix x = MatrixOf({{0, 0}, {2, 0}, {10, 0}, {10, 4}});
  const Matrix centroids = MatrixOf({{1, 0}, {10, 2}});
  const ClusteringMetrics m = EvaluateClustering(x, SquaredDistances(x, centroids), centroids);
  EXPECT_NEAR(m.davies_bouldin_index, 3 / std::sqrt(85.0), kTolerance);
  EXPECT_NEAR(m.mean_squared_distance, (1 + 1 + 4 + 4) / 4.0, kTolerance);
}

TEST(ClusteringMetricsTest, DaviesBouldinTakesEachClustersWorstPair) {
  // Spreads 1, 1, 3; separations A-B 4, A-C 10, B-C sqrt(116). Worst ratios: A 2/4, B 2/4,
  // C max(4/10, 4/sqrt(116)) = 0.4.
  const Matrix x = MatrixOf({{-1, 0}, {1, 0}, {4, -1}, {4, 1}, {0, 7}, {0, 13}});
  const Matrix centroids = MatrixOf({{0, 0}, {4, 0}, {0, 10}});
  const ClusteringMetrics m = EvaluateClustering(x, SquaredDistances(x, centroids), centroids);
  EXPECT_NEAR(m.davies_bouldin_index, (0.5 + 0.5 + 0.4) / 3, kTolerance);
  EXPECT_NEAR(m.mean_squared_distance, (1 + 1 + 1 + 1 + 9 + 9) / 6.0, kTolerance);
}

TEST(ClusteringMetricsTest, DaviesBouldinSkipsEmptyClusters) {
  // The centroid (1,3) is nearest to no row; counted with spread 0, it would raise A's worst
  // ratio to 1/3.
  const Matrix x = MatrixOf({{0, 0}, {2, 0}, {10, 0}, {10, 4}});
  const Matrix centroids = MatrixOf({{1, 0}, {10, 2}, {1, 3}});
  const ClusteringMetrics m = EvaluateClustering(x, SquaredDistances(x, centroids), centroids);
  EXPECT_NEAR(m.davies_bouldin_index, 3 / std::sqrt(85.0), kTolerance);
}

TEST(ClusteringMetricsTest, DaviesBouldinOfOneNonEmptyClusterIsNan) {
  const Matrix x = MatrixOf({{0, 0}, {2, 0}});
  const Matrix centroids = MatrixOf({{1, 0}, {50, 50}});
  const ClusteringMetrics m = EvaluateClustering(x, SquaredDistances(x, centroids), centroids);
  EXPECT_TRUE(std::isnan(m.davies_bouldin_index));
  EXPECT_NEAR(m.mean_squared_distance, 1, kTolerance);
}

TEST(ClusteringMetricsTest, DaviesBouldinOfPointClustersIsZero) {
  const Matrix x = MatrixOf({{0, 0}, {0, 0}, {3, 4}});
  const Matrix centroids = MatrixOf({{0, 0}, {3, 4}});
  const ClusteringMetrics m = EvaluateClustering(x, SquaredDistances(x, centroids), centroids);
  EXPECT_EQ(m.davies_bouldin_index, 0.0);
  EXPECT_EQ(m.mean_squared_distance, 0.0);
}

}  // namespace
}  // namespace sluice::ml
