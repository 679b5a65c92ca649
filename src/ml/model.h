#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/schema.h"
#include "core/value.h"
#include "ml/estimator.h"
#include "ml/features.h"
#include "ml/model_options.h"
#include "ml/table.h"

namespace sluice::ml {

/// Is the label of a supervised model: the column, its type and, for a classifier, its classes
/// (the label values as text, sorted; the second of two is the positive class).
struct LabelSpec {
  std::string name;
  core::TypeId type = core::TypeId::kDouble;
  std::vector<std::string> classes;
};

/// Is metrics by name, in BigQuery ML's order for the model's task.
using Metrics = std::vector<std::pair<std::string, double>>;

/// Is ML.PREDICT's added columns for some rows: fields and, per field, a value per row.
struct PredictionColumns {
  std::vector<core::Field> fields;
  std::vector<std::vector<core::Value>> values;
};

/// Is a trained model: its type, preprocessing, label, chosen parameters and estimator. Read-only
/// once made; Predict is thread-safe.
class Model {
 public:
  /// Makes an untrained model of `type` with `params`; `features` and `label` as fitted.
  Model(ModelType type, Params params, FeatureSpec features, LabelSpec label);

  ModelType type() const { return type_; }
  const Params& params() const { return params_; }
  const FeatureSpec& features() const { return features_; }
  const LabelSpec& label() const { return label_; }
  const Estimator& estimator() const { return *estimator_; }
  Estimator& estimator() { return *estimator_; }

  /// Returns the labels of `table`'s label column (class indexes for a classifier). Throws
  /// UserError when the column is missing, or holds a class the model never saw.
  Labels MakeLabels(const Table& table) const;
  /// Returns the estimator's outputs for `table`'s rows (see Estimator::Predict).
  Matrix Outputs(const Table& table, int threads) const;
  /// Returns ML.PREDICT's columns: predicted_<label> (and predicted_<label>_probs, JSON text,
  /// for a classifier), or centroid_id and nearest_centroids_distance for k-means.
  PredictionColumns Predict(const Table& table, int threads, double threshold = 0.5) const;
  /// Returns ML.EVALUATE's metrics of the model on `table` (which holds the label column unless
  /// the model is k-means).
  Metrics Evaluate(const Table& table, int threads) const;
  /// Returns the same metrics for rows already made features, with their labels (none for
  /// k-means).
  Metrics EvaluateFeatures(const Matrix& x, const Labels& labels, int threads) const;
  /// Returns EvaluateFeatures' metrics over the rows of every rank, `x` and `labels` being this
  /// rank's share (a collective; every rank gets the same): k-means' sums are added over the
  /// ranks, the labels and outputs of other models gathered. For a classifier, sets
  /// `confusion` (when not null) to the confusion matrix of those rows.
  Metrics EvaluateShares(const Matrix& x, const Labels& labels, int threads, RankReducer& ranks,
                         Matrix* confusion = nullptr) const;

  /// Writes the model into the existing folder `folder` (model.json, and booster.bin for tree
  /// models). Throws IoError.
  void Save(const std::string& folder) const;
  /// Reads a model that Save wrote. Throws IoError or DataError naming the folder.
  static std::unique_ptr<Model> Load(const std::string& folder);

 private:
  ModelType type_;
  Params params_;
  FeatureSpec features_;
  LabelSpec label_;
  std::unique_ptr<Estimator> estimator_;
};

/// Returns a new estimator of `type` with `params`.
std::unique_ptr<Estimator> MakeEstimator(ModelType type, const Params& params);

/// Returns true when a larger value of metric `name` is better (r2_score, roc_auc, ...).
bool HigherIsBetter(std::string_view name);

/// Returns the value of metric `name` in `metrics`, or NaN.
double MetricValue(const Metrics& metrics, std::string_view name);

}  // namespace sluice::ml
