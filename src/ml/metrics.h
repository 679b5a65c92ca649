#pragma once

#include <cstdint>
#include <vector>

#include "ml/matrix.h"
#include "ml/rank_reducer.h"

namespace sluice::ml {

/// Is ML.EVALUATE of a regression (BigQuery ML's columns), each as scikit-learn defines it.
/// mean_squared_log_error is NaN when a value is -1 or below; r2_score is NaN for one row; with a
/// constant truth, r2_score and explained_variance are 1 for a perfect fit, else 0.
struct RegressionMetrics {
  double mean_absolute_error = 0;
  double mean_squared_error = 0;
  double mean_squared_log_error = 0;
  double median_absolute_error = 0;
  double r2_score = 0;
  double explained_variance = 0;
};

/// Returns the regression metrics of `predicted` against `truth` (same length, not empty).
RegressionMetrics EvaluateRegression(const std::vector<double>& truth,
                                     const std::vector<double>& predicted);

/// Is ML.EVALUATE of a classification. Binary (two classes): precision, recall and f1 of class 1
/// at `threshold`; roc_auc of class 1's probability. Multiclass: macro averages over the classes
/// that occur in the truth or the predictions (predicted class = the most probable), roc_auc
/// one-vs-rest macro-averaged over the classes that occur in the truth. log_loss with
/// probabilities clipped to [1e-15, 1 - 1e-15]. A class never predicted has precision 0. roc_auc
/// is NaN when the truth holds one class only.
struct ClassificationMetrics {
  double precision = 0;
  double recall = 0;
  double accuracy = 0;
  double f1_score = 0;
  double log_loss = 0;
  double roc_auc = 0;
};

/// Returns the classification metrics; `probabilities` has one row per example and one column
/// per class (truth.num_classes columns).
ClassificationMetrics EvaluateClassification(const Labels& truth, const Matrix& probabilities,
                                             double threshold = 0.5);

/// Returns the confusion matrix: counts, rows the expected class, columns the predicted one
/// (binary: predicted = class 1 when its probability >= threshold; else the most probable).
Matrix ConfusionMatrix(const Labels& truth, const Matrix& probabilities, double threshold = 0.5);

/// Is ML.EVALUATE of k-means.
struct ClusteringMetrics {
  double davies_bouldin_index = 0;
  double mean_squared_distance = 0;
};

/// Returns the clustering metrics of rows `x` given their squared distances to each centroid
/// (`squared_distances`: rows x clusters) and the centroids (clusters x features). Each row
/// belongs to its nearest centroid; empty clusters are left out of the Davies-Bouldin index,
/// which is NaN with fewer than two non-empty clusters.
ClusteringMetrics EvaluateClustering(const Matrix& x, const Matrix& squared_distances,
                                     const Matrix& centroids);

/// Is what the clustering metrics are made of, sums over rows that can be added across ranks:
/// per cluster the Euclidean distances of its rows to its centroid and their count (as a
/// double, so that both reduce as one span), and the squared distances to the nearest centroid.
struct ClusterSums {
  std::vector<double> distance;
  std::vector<double> members;
  double squared_distance = 0;
};

/// Returns the sums of rows `x` (arguments as EvaluateClustering's).
ClusterSums ClusterSumsOf(const Matrix& x, const Matrix& squared_distances,
                          const Matrix& centroids);
/// Returns the clustering metrics of `sums` (EvaluateClustering's, from sums over all rows).
ClusteringMetrics ClusteringFromSums(ClusterSums sums, const Matrix& centroids);

/// Is a split of example rows into training and evaluation rows (indexes, ascending).
struct Split {
  std::vector<size_t> train;
  std::vector<size_t> eval;
};

/// Returns a seeded random split with about `eval_fraction` of `rows` held out (at least one
/// row each side when rows >= 2 and 0 < eval_fraction < 1). Deterministic for a seed, on every
/// platform. Throws UserError unless 0 <= eval_fraction <= 1.
Split RandomSplit(size_t rows, double eval_fraction, uint64_t seed);
/// Returns a sequential split: the rows with the largest `order` values (the latest, for a
/// time column) make the evaluation fraction: ceil(eval_fraction * rows) of them, at least one
/// row each side as RandomSplit; of equal values the later row counts as later. Rows with NaN
/// order go to training. Throws UserError unless 0 <= eval_fraction <= 1.
Split SequentialSplit(const std::vector<double>& order, double eval_fraction);
/// Returns the split of one rank's share of rows spread over `ranks` (a collective):
/// SequentialSplit over every rank's rows, ranks taken in order as if their rows followed one
/// another (of equal values at the threshold, a higher rank's and then a later row count as
/// later). The threshold is the exact order statistic (KthOverRanks).
Split SequentialSplitOverRanks(const std::vector<double>& order, double eval_fraction,
                               RankReducer& ranks);
/// Returns a split holding out each row whose `hashes` entry, mixed with `seed`, falls below
/// `eval_fraction` of the hash range: about (not exactly) that fraction, and a row goes the
/// same way whichever rank holds it. Throws UserError unless 0 <= eval_fraction <= 1.
Split HashedSplit(const std::vector<uint64_t>& hashes, double eval_fraction, uint64_t seed);
/// Returns a custom split: rows where `is_eval` is non-zero are held out.
Split CustomSplit(const std::vector<uint8_t>& is_eval);
/// Returns `folds` seeded folds for cross-validation: fold i holds out about 1/folds of the
/// rows; every row is held out exactly once. Throws UserError unless 2 <= folds <= rows.
std::vector<Split> KFold(size_t rows, int folds, uint64_t seed);

}  // namespace sluice::ml
