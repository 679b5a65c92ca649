#pragma once

#include <vector>

#include "core/schema.h"
#include "core/value.h"
#include "ml/model.h"

namespace sluice::ml {

/// Is the rows of an ML.* inspection function: its fields and rows of values.
struct ModelTable {
  std::vector<core::Field> fields;
  std::vector<std::vector<core::Value>> rows;
};

/// Returns ML.FEATURE_INFO: per input column its statistics over the training rows (input, min,
/// max, mean, median, stddev, category_count, null_count, dimension).
ModelTable FeatureInfo(const Model& model);
/// Returns ML.WEIGHTS of a linear or logistic model: processed_input, class_label, weight (the
/// intercept as `__INTERCEPT__`; weights are over standardized features). UserError otherwise.
ModelTable Weights(const Model& model);
/// Returns ML.CENTROIDS of k-means: centroid_id, feature, numerical_value (numeric features in
/// their original units; one-hot features as the share of the cluster having the category).
ModelTable Centroids(const Model& model);
/// Returns ML.FEATURE_IMPORTANCE of a tree model: per input column (one-hot features summed)
/// importance_weight, importance_gain, importance_cover.
ModelTable FeatureImportanceTable(const Model& model);
/// Returns ML.TRAINING_INFO: training_run, iteration, loss, eval_loss, duration_ms.
ModelTable TrainingInfo(const Model& model);
/// Returns ML.CONFUSION_MATRIX of a classifier over `table`'s rows: expected_label, then one
/// count column per class.
ModelTable ConfusionMatrixTable(const Model& model, const Table& table, int threads,
                                double threshold);
/// Returns ML.CONFUSION_MATRIX from `counts` (expected class by predicted class) of the
/// classes `classes`.
ModelTable ConfusionMatrixTable(const std::vector<std::string>& classes, const Matrix& counts);
/// Returns ML.EVALUATE's single row from `metrics`.
ModelTable MetricsTable(const Metrics& metrics);

}  // namespace sluice::ml
