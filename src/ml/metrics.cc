#include "ml/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "base/error.h"

namespace sluice::ml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// scikit-learn's log_loss clipping (before 1.3 its default eps).
constexpr double kProbabilityClip = 1e-15;
// numpy.allclose(a, 0)'s absolute tolerance, which davies_bouldin_score uses.
constexpr double kCloseToZero = 1e-8;

/// Returns `numerator / denominator`, or 0 when the denominator is 0 (zero_division=0).
double Ratio(double numerator, double denominator) {
  return denominator == 0 ? 0 : numerator / denominator;
}

/// Returns 1 - numerator / denominator as r2_score and explained_variance_score define it when a
/// term is zero: 1 for a perfect fit, 0 for an imperfect fit of a constant truth.
double OneMinusRatio(double numerator, double denominator) {
  if (numerator == 0) return 1;
  if (denominator == 0) return 0;
  return 1 - numerator / denominator;
}

/// Returns numpy's median: the middle value, or the mean of the two middle values; NaN if any is.
double Median(std::vector<double> values) {
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
    return kNaN;
  }
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + middle);
  return (lower + upper) / 2;
}

/// Returns the mean of (log1p(truth) - log1p(predicted))^2; NaN when a value is -1 or below.
double MeanSquaredLogError(const std::vector<double>& truth, const std::vector<double>& predicted) {
  double sum = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] <= -1 || predicted[i] <= -1) return kNaN;
    const double difference = std::log1p(truth[i]) - std::log1p(predicted[i]);
    sum += difference * difference;
  }
  return sum / static_cast<double>(truth.size());
}

/// Returns the class index that a label holds.
size_t ClassOf(double label, size_t num_classes) {
  SLUICE_CHECK(label >= 0 && label < static_cast<double>(num_classes) &&
               label == std::floor(label));
  return static_cast<size_t>(label);
}

/// Returns the predicted class of `row`: class 1 at `threshold` for two classes, else the most
/// probable one (the first on ties, as numpy.argmax).
size_t PredictedClass(const Matrix& probabilities, size_t row, double threshold) {
  const double* p = probabilities.row(row);
  if (probabilities.cols == 2) return p[1] >= threshold ? 1 : 0;
  return static_cast<size_t>(std::max_element(p, p + probabilities.cols) - p);
}

/// Checks that `truth` and `probabilities` describe the same non-empty classification.
void CheckClassification(const Labels& truth, const Matrix& probabilities) {
  SLUICE_CHECK(truth.num_classes >= 2);
  SLUICE_CHECK(probabilities.cols == truth.num_classes);
  SLUICE_CHECK(probabilities.rows == truth.values.size());
  if (truth.values.empty()) Throw("cannot evaluate a model on zero rows");
}

/// Sets precision, recall and f1 of class 1 from the confusion matrix of a binary model.
void SetBinaryScores(const Matrix& counts, ClassificationMetrics& metrics) {
  const double true_positives = counts.at(1, 1);
  const double false_positives = counts.at(0, 1);
  const double false_negatives = counts.at(1, 0);
  metrics.precision = Ratio(true_positives, true_positives + false_positives);
  metrics.recall = Ratio(true_positives, true_positives + false_negatives);
  metrics.f1_score =
      Ratio(2 * true_positives, 2 * true_positives + false_positives + false_negatives);
}

/// Sets macro-averaged precision, recall and f1 from a multiclass confusion matrix. As
/// scikit-learn (labels=None), the average is over the classes that occur in the truth or in the
/// predictions; a class in neither is left out.
void SetMacroScores(const Matrix& counts, ClassificationMetrics& metrics) {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  size_t classes = 0;
  for (size_t c = 0; c < counts.rows; ++c) {
    double predicted = 0;
    double actual = 0;
    for (size_t other = 0; other < counts.rows; ++other) {
      predicted += counts.at(other, c);
      actual += counts.at(c, other);
    }
    if (predicted == 0 && actual == 0) continue;
    const double true_positives = counts.at(c, c);
    precision += Ratio(true_positives, predicted);
    recall += Ratio(true_positives, actual);
    f1 += Ratio(2 * true_positives, predicted + actual);
    ++classes;
  }
  metrics.precision = precision / static_cast<double>(classes);
  metrics.recall = recall / static_cast<double>(classes);
  metrics.f1_score = f1 / static_cast<double>(classes);
}

/// Returns the mean of -log(probability of the true class), probabilities clipped.
double LogLoss(const Labels& truth, const Matrix& probabilities) {
  double sum = 0;
  for (size_t row = 0; row < probabilities.rows; ++row) {
    const double p = probabilities.at(row, ClassOf(truth.values[row], truth.num_classes));
    sum -= std::log(std::clamp(p, kProbabilityClip, 1 - kProbabilityClip));
  }
  return sum / static_cast<double>(probabilities.rows);
}

/// Returns the area under the ROC curve of column `column` of `scores` for the rows of class
/// `positive`: the Mann-Whitney U statistic with tied scores given their average rank. Returns
/// NaN when every row or no row is positive, or a score is NaN.
double BinaryRocAuc(const Labels& truth, const Matrix& scores, size_t column, size_t positive) {
  const size_t rows = scores.rows;
  std::vector<size_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  for (size_t row : order) {
    if (std::isnan(scores.at(row, column))) return kNaN;
  }
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return scores.at(a, column) < scores.at(b, column); });
  double positives = 0;
  double positive_rank_sum = 0;
  for (size_t start = 0; start < rows;) {
    size_t end = start;
    while (end < rows && scores.at(order[end], column) == scores.at(order[start], column)) ++end;
    // Ranks start + 1 .. end share their mean.
    const double rank = static_cast<double>(start + 1 + end) / 2;
    for (size_t i = start; i < end; ++i) {
      if (ClassOf(truth.values[order[i]], truth.num_classes) != positive) continue;
      positives += 1;
      positive_rank_sum += rank;
    }
    start = end;
  }
  const double negatives = static_cast<double>(rows) - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

/// Returns the binary AUC of class 1, or the one-vs-rest AUC averaged over the classes that
/// occur in the truth (scikit-learn would refuse a class absent from the truth).
double RocAuc(const Labels& truth, const Matrix& probabilities) {
  if (truth.num_classes == 2) return BinaryRocAuc(truth, probabilities, 1, 1);
  std::vector<size_t> class_rows(truth.num_classes, 0);
  for (double label : truth.values) ++class_rows[ClassOf(label, truth.num_classes)];
  double sum = 0;
  size_t classes = 0;
  for (size_t c = 0; c < truth.num_classes; ++c) {
    if (class_rows[c] == 0) continue;
    sum += BinaryRocAuc(truth, probabilities, c, c);
    ++classes;
  }
  return sum / static_cast<double>(classes);
}

/// Returns the Euclidean distance between `a` and `b` (`size` values each).
double Distance(const double* a, const double* b, size_t size) {
  double sum = 0;
  for (size_t i = 0; i < size; ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum);
}

/// Returns the Davies-Bouldin index of the non-empty `clusters` given their mean distance to
/// their centroid (`spread`, indexed by cluster), as davies_bouldin_score: a pair of coincident
/// centroids is ignored, and the index is 0 when all spreads or all separations are about 0.
double DaviesBouldinOf(const std::vector<size_t>& clusters, const std::vector<double>& spread,
                       const Matrix& centroids) {
  const size_t count = clusters.size();
  Matrix separation(count, count);
  bool all_separations_zero = true;
  for (size_t i = 0; i < count; ++i) {
    for (size_t j = 0; j < count; ++j) {
      separation.at(i, j) =
          Distance(centroids.row(clusters[i]), centroids.row(clusters[j]), centroids.cols);
      all_separations_zero = all_separations_zero && separation.at(i, j) <= kCloseToZero;
    }
  }
  const bool all_spreads_zero = std::all_of(clusters.begin(), clusters.end(),
                                            [&](size_t c) { return spread[c] <= kCloseToZero; });
  if (all_spreads_zero || all_separations_zero) return 0;
  double sum = 0;
  for (size_t i = 0; i < count; ++i) {
    double worst = 0;
    for (size_t j = 0; j < count; ++j) {
      if (j == i || separation.at(i, j) == 0) continue;
      worst = std::max(worst, (spread[clusters[i]] + spread[clusters[j]]) / separation.at(i, j));
    }
    sum += worst;
  }
  return sum / static_cast<double>(count);
}

}  // namespace

RegressionMetrics EvaluateRegression(const std::vector<double>& truth,
                                     const std::vector<double>& predicted) {
  SLUICE_CHECK(truth.size() == predicted.size());
  if (truth.empty()) Throw("cannot evaluate a model on zero rows");
  const double n = static_cast<double>(truth.size());
  const double truth_mean = std::accumulate(truth.begin(), truth.end(), 0.0) / n;
  std::vector<double> absolute_errors(truth.size());
  double squared_error_sum = 0;
  double residual_sum = 0;
  double truth_variance_sum = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const double residual = truth[i] - predicted[i];
    absolute_errors[i] = std::abs(residual);
    squared_error_sum += residual * residual;
    residual_sum += residual;
    truth_variance_sum += (truth[i] - truth_mean) * (truth[i] - truth_mean);
  }
  const double residual_mean = residual_sum / n;
  double residual_variance_sum = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const double centered = truth[i] - predicted[i] - residual_mean;
    residual_variance_sum += centered * centered;
  }
  RegressionMetrics metrics;
  metrics.mean_absolute_error =
      std::accumulate(absolute_errors.begin(), absolute_errors.end(), 0.0) / n;
  metrics.mean_squared_error = squared_error_sum / n;
  metrics.mean_squared_log_error = MeanSquaredLogError(truth, predicted);
  metrics.median_absolute_error = Median(std::move(absolute_errors));
  // scikit-learn: R^2 is not well-defined with less than two samples.
  metrics.r2_score = truth.size() < 2 ? kNaN : OneMinusRatio(squared_error_sum, truth_variance_sum);
  metrics.explained_variance = OneMinusRatio(residual_variance_sum / n, truth_variance_sum / n);
  return metrics;
}

ClassificationMetrics EvaluateClassification(const Labels& truth, const Matrix& probabilities,
                                             double threshold) {
  const Matrix counts = ConfusionMatrix(truth, probabilities, threshold);
  ClassificationMetrics metrics;
  if (truth.num_classes == 2) {
    SetBinaryScores(counts, metrics);
  } else {
    SetMacroScores(counts, metrics);
  }
  double correct = 0;
  for (size_t c = 0; c < counts.rows; ++c) correct += counts.at(c, c);
  metrics.accuracy = correct / static_cast<double>(probabilities.rows);
  metrics.log_loss = LogLoss(truth, probabilities);
  metrics.roc_auc = RocAuc(truth, probabilities);
  return metrics;
}

Matrix ConfusionMatrix(const Labels& truth, const Matrix& probabilities, double threshold) {
  CheckClassification(truth, probabilities);
  Matrix counts(truth.num_classes, truth.num_classes);
  for (size_t row = 0; row < probabilities.rows; ++row) {
    const size_t expected = ClassOf(truth.values[row], truth.num_classes);
    counts.at(expected, PredictedClass(probabilities, row, threshold)) += 1;
  }
  return counts;
}

ClusterSums ClusterSumsOf(const Matrix& x, const Matrix& squared_distances,
                          const Matrix& centroids) {
  SLUICE_CHECK(squared_distances.rows == x.rows);
  SLUICE_CHECK(squared_distances.cols == centroids.rows && centroids.rows > 0);
  SLUICE_CHECK(centroids.cols == x.cols);
  ClusterSums sums{std::vector<double>(centroids.rows, 0), std::vector<double>(centroids.rows, 0),
                   0};
  for (size_t row = 0; row < x.rows; ++row) {
    const double* distances = squared_distances.row(row);
    const double* nearest = std::min_element(distances, distances + squared_distances.cols);
    const auto cluster = static_cast<size_t>(nearest - distances);
    sums.squared_distance += *nearest;
    sums.distance[cluster] += Distance(x.row(row), centroids.row(cluster), x.cols);
    ++sums.members[cluster];
  }
  return sums;
}

ClusteringMetrics ClusteringFromSums(ClusterSums sums, const Matrix& centroids) {
  double rows = 0;
  for (double members : sums.members) rows += members;
  if (rows == 0) Throw("cannot evaluate a model on zero rows");
  ClusteringMetrics metrics;
  metrics.mean_squared_distance = sums.squared_distance / rows;
  std::vector<size_t> clusters;
  for (size_t c = 0; c < centroids.rows; ++c) {
    if (sums.members[c] == 0) continue;
    sums.distance[c] /= sums.members[c];
    clusters.push_back(c);
  }
  metrics.davies_bouldin_index =
      clusters.size() < 2 ? kNaN : DaviesBouldinOf(clusters, sums.distance, centroids);
  return metrics;
}

ClusteringMetrics EvaluateClustering(const Matrix& x, const Matrix& squared_distances,
                                     const Matrix& centroids) {
  return ClusteringFromSums(ClusterSumsOf(x, squared_distances, centroids), centroids);
}

}  // namespace sluice::ml
