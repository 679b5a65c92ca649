#include "ml/model_tables.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "ml/boosted_trees.h"
#include "ml/kmeans.h"
#include "ml/linear_model.h"
#include "ml/metrics.h"

namespace sluice::ml {
namespace {

using core::TypeId;
using core::Value;

Value Text(const std::string& text) { return Value::Varchar(text); }
Value Number(double number) { return Value::Double(number); }

// Returns, per feature (matrix column), the input column it comes from and its statistics when
// it was standardized (null for one-hot features).
std::vector<std::pair<size_t, const NumericStats*>> FeatureSources(const FeatureSpec& spec) {
  std::vector<std::pair<size_t, const NumericStats*>> sources;
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    const FeatureColumn& column = spec.columns[c];
    if (column.kind == FeatureKind::kCategorical) {
      size_t width = column.categories.size() + (column.other ? 1 : 0);
      for (size_t i = 0; i < width; ++i) sources.emplace_back(c, nullptr);
    } else {
      for (const NumericStats& stats : column.stats) sources.emplace_back(c, &stats);
    }
  }
  return sources;
}

}  // namespace

ModelTable FeatureInfo(const Model& model) {
  ModelTable table;
  table.fields = {{"input", TypeId::kVarchar},
                  {"min", TypeId::kDouble},
                  {"max", TypeId::kDouble},
                  {"mean", TypeId::kDouble},
                  {"median", TypeId::kDouble},
                  {"stddev", TypeId::kDouble},
                  {"category_count", TypeId::kBigint},
                  {"null_count", TypeId::kBigint},
                  {"dimension", TypeId::kBigint}};
  std::vector<size_t> offsets = model.features().Offsets();
  for (size_t c = 0; c < model.features().columns.size(); ++c) {
    const FeatureColumn& column = model.features().columns[c];
    bool numeric = column.kind == FeatureKind::kNumeric && !column.stats.empty();
    auto stat = [&](double NumericStats::*field) {
      return numeric ? Number(column.stats[0].*field) : Value::Null(TypeId::kDouble);
    };
    table.rows.push_back({Text(column.name), stat(&NumericStats::min), stat(&NumericStats::max),
                          stat(&NumericStats::mean), stat(&NumericStats::median),
                          stat(&NumericStats::stddev),
                          column.kind == FeatureKind::kCategorical
                              ? Value::Bigint(static_cast<int64_t>(column.category_count))
                              : Value::Null(TypeId::kBigint),
                          Value::Bigint(static_cast<int64_t>(column.null_count)),
                          Value::Bigint(static_cast<int64_t>(offsets[c + 1] - offsets[c]))});
  }
  return table;
}

ModelTable Weights(const Model& model) {
  const Matrix* weights = nullptr;
  if (model.type() == ModelType::kLinearReg) {
    weights = &static_cast<const LinearRegression&>(model.estimator()).weights();
  } else if (model.type() == ModelType::kLogisticReg) {
    weights = &static_cast<const LogisticRegression&>(model.estimator()).weights();
  } else {
    Throw<UserError>("ML.WEIGHTS takes a linear_reg or logistic_reg model; this one is {}{}",
                     ModelTypeName(model.type()),
                     model.type() == ModelType::kKmeans ? " (see ML.CENTROIDS)"
                                                        : " (see ML.FEATURE_IMPORTANCE)");
  }
  ModelTable table;
  table.fields = {{"processed_input", TypeId::kVarchar},
                  {"class_label", TypeId::kVarchar},
                  {"weight", TypeId::kDouble}};
  std::vector<std::string> names = model.features().FeatureNames();
  names.push_back("__INTERCEPT__");
  const std::vector<std::string>& classes = model.label().classes;
  for (size_t k = 0; k < weights->cols; ++k) {
    Value label = weights->cols > 1     ? Text(classes[k])
                  : classes.size() == 2 ? Text(classes[1])
                                        : Value::Null(TypeId::kVarchar);
    for (size_t f = 0; f < weights->rows && f < names.size(); ++f) {
      table.rows.push_back({Text(names[f]), label, Number(weights->at(f, k))});
    }
  }
  return table;
}

ModelTable Centroids(const Model& model) {
  if (model.type() != ModelType::kKmeans) {
    Throw<UserError>("ML.CENTROIDS takes a kmeans model; this one is {}",
                     ModelTypeName(model.type()));
  }
  const Matrix& centroids = static_cast<const KMeans&>(model.estimator()).centroids();
  std::vector<std::string> names = model.features().FeatureNames();
  auto sources = FeatureSources(model.features());
  ModelTable table;
  table.fields = {{"centroid_id", TypeId::kBigint},
                  {"feature", TypeId::kVarchar},
                  {"numerical_value", TypeId::kDouble}};
  for (size_t k = 0; k < centroids.rows; ++k) {
    for (size_t f = 0; f < centroids.cols && f < names.size(); ++f) {
      double value = centroids.at(k, f);
      if (const NumericStats* stats = sources[f].second; stats != nullptr) {
        value = value * (stats->stddev > 0 ? stats->stddev : 1) + stats->mean;
      }
      table.rows.push_back(
          {Value::Bigint(static_cast<int64_t>(k) + 1), Text(names[f]), Number(value)});
    }
  }
  return table;
}

ModelTable FeatureImportanceTable(const Model& model) {
  ModelType type = model.type();
  bool trees = type != ModelType::kLinearReg && type != ModelType::kLogisticReg &&
               type != ModelType::kKmeans;
  if (!trees) {
    Throw<UserError>(
        "ML.FEATURE_IMPORTANCE takes a boosted tree or random forest model; this one "
        "is {}",
        ModelTypeName(type));
  }
  auto sources = FeatureSources(model.features());
  std::vector<FeatureImportance> per_feature =
      static_cast<const BoostedTrees&>(model.estimator()).Importance(sources.size());
  std::vector<FeatureImportance> per_column(model.features().columns.size());
  for (size_t f = 0; f < per_feature.size() && f < sources.size(); ++f) {
    FeatureImportance& sum = per_column[sources[f].first];
    sum.weight += per_feature[f].weight;
    sum.gain += per_feature[f].gain;
    sum.cover += per_feature[f].cover;
  }
  ModelTable table;
  table.fields = {{"feature", TypeId::kVarchar},
                  {"importance_weight", TypeId::kDouble},
                  {"importance_gain", TypeId::kDouble},
                  {"importance_cover", TypeId::kDouble}};
  for (size_t c = 0; c < per_column.size(); ++c) {
    table.rows.push_back({Text(model.features().columns[c].name), Number(per_column[c].weight),
                          Number(per_column[c].gain), Number(per_column[c].cover)});
  }
  return table;
}

ModelTable TrainingInfo(const Model& model) {
  ModelTable table;
  table.fields = {{"training_run", TypeId::kBigint},
                  {"iteration", TypeId::kBigint},
                  {"loss", TypeId::kDouble},
                  {"eval_loss", TypeId::kDouble},
                  {"duration_ms", TypeId::kDouble}};
  for (const TrainingIteration& step : model.estimator().training_info()) {
    table.rows.push_back({Value::Bigint(0), Value::Bigint(step.iteration), Number(step.loss),
                          step.eval_loss ? Number(*step.eval_loss) : Value::Null(TypeId::kDouble),
                          Number(step.duration_ms)});
  }
  return table;
}

ModelTable ConfusionMatrixTable(const Model& model, const Table& rows, int threads,
                                double threshold) {
  if (TaskOf(model.type()) != ModelTask::kClassification) {
    Throw<UserError>("ML.CONFUSION_MATRIX takes a classifier; this one is {}",
                     ModelTypeName(model.type()));
  }
  Matrix counts = ConfusionMatrix(model.MakeLabels(rows), model.Outputs(rows, threads), threshold);
  return ConfusionMatrixTable(model.label().classes, counts);
}

ModelTable ConfusionMatrixTable(const std::vector<std::string>& classes, const Matrix& counts) {
  ModelTable table;
  table.fields.push_back({"expected_label", TypeId::kVarchar});
  for (const std::string& name : classes) table.fields.push_back({name, TypeId::kBigint});
  for (size_t expected = 0; expected < classes.size(); ++expected) {
    std::vector<Value> row{Text(classes[expected])};
    for (size_t predicted = 0; predicted < classes.size(); ++predicted) {
      row.push_back(Value::Bigint(static_cast<int64_t>(counts.at(expected, predicted))));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

ModelTable MetricsTable(const Metrics& metrics) {
  ModelTable table;
  std::vector<Value> row;
  for (const auto& [name, value] : metrics) {
    table.fields.push_back({name, TypeId::kDouble});
    row.push_back(std::isnan(value) ? Value::Null(TypeId::kDouble) : Number(value));
  }
  table.rows.push_back(std::move(row));
  return table;
}

}  // namespace sluice::ml
