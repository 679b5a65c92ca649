#include "ml/model.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include "base/error.h"
#include "base/text_file.h"
#include "io/file_writer.h"
#include "ml/boosted_trees.h"
#include "ml/json_text.h"
#include "ml/kmeans.h"
#include "ml/linear_model.h"
#include "ml/metrics.h"

namespace sluice::ml {
namespace {

namespace json = boost::json;

constexpr int kFormatVersion = 1;

core::Value ClassValue(const LabelSpec& label, size_t index) {
  core::Value text = core::Value::Varchar(label.classes[index]);
  return label.type == core::TypeId::kVarchar ? text : text.CastTo(label.type);
}

size_t PredictedClass(const Matrix& probabilities, size_t row, double threshold) {
  if (probabilities.cols == 2) return probabilities.at(row, 1) >= threshold ? 1 : 0;
  const double* begin = probabilities.row(row);
  return static_cast<size_t>(std::max_element(begin, begin + probabilities.cols) - begin);
}

std::string ProbabilitiesJson(const LabelSpec& label, const Matrix& probabilities, size_t row) {
  json::object object;
  for (size_t k = 0; k < probabilities.cols; ++k)
    object[label.classes[k]] = probabilities.at(row, k);
  return JsonText(object);
}

PredictionColumns ClassifierColumns(const LabelSpec& label, const Matrix& probabilities,
                                    double threshold) {
  PredictionColumns out;
  out.fields = {{"predicted_" + label.name, label.type},
                {"predicted_" + label.name + "_probs", core::TypeId::kVarchar}};
  out.values.resize(2);
  for (size_t row = 0; row < probabilities.rows; ++row) {
    out.values[0].push_back(ClassValue(label, PredictedClass(probabilities, row, threshold)));
    out.values[1].push_back(core::Value::Varchar(ProbabilitiesJson(label, probabilities, row)));
  }
  return out;
}

PredictionColumns ClusterColumns(const Matrix& distances) {
  PredictionColumns out;
  out.fields = {{"centroid_id", core::TypeId::kBigint},
                {"nearest_centroids_distance", core::TypeId::kVarchar}};
  out.values.resize(2);
  for (size_t row = 0; row < distances.rows; ++row) {
    const double* begin = distances.row(row);
    size_t nearest = static_cast<size_t>(std::min_element(begin, begin + distances.cols) - begin);
    out.values[0].push_back(core::Value::Bigint(static_cast<int64_t>(nearest) + 1));
    json::object object;
    for (size_t k = 0; k < distances.cols; ++k) {
      object[std::to_string(k + 1)] = std::sqrt(std::max(0.0, distances.at(row, k)));
    }
    out.values[1].push_back(core::Value::Varchar(JsonText(object)));
  }
  return out;
}

json::object LabelToJson(const LabelSpec& label) {
  return json::object{{"name", label.name},
                      {"type", core::TypeName(label.type)},
                      {"classes", json::array(label.classes.begin(), label.classes.end())}};
}

LabelSpec LabelFromJson(const json::object& object) {
  LabelSpec label;
  label.name = json::value_to<std::string>(object.at("name"));
  label.type = *core::TypeFromName(json::value_to<std::string>(object.at("type")));
  label.classes = json::value_to<std::vector<std::string>>(object.at("classes"));
  return label;
}

ModelType TypeFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(ModelType::kKmeans); ++i) {
    if (ModelTypeName(static_cast<ModelType>(i)) == name) return static_cast<ModelType>(i);
  }
  Throw<DataError>("unknown model type '{}'", name);
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::unique_ptr<io::FileWriter> writer = io::FileWriter::Create(path);
  writer->Append(bytes);
  writer->Finish(/*sync=*/true);
}

Metrics ClusteringList(const ClusteringMetrics& m) {
  return {{"davies_bouldin_index", m.davies_bouldin_index},
          {"mean_squared_distance", m.mean_squared_distance}};
}

// Returns the metrics of a classifier's or a regression's `outputs` for `labels`.
Metrics SupervisedList(const Labels& labels, const Matrix& outputs, bool classifier) {
  if (classifier) {
    ClassificationMetrics m = EvaluateClassification(labels, outputs);
    return {{"precision", m.precision}, {"recall", m.recall},     {"accuracy", m.accuracy},
            {"f1_score", m.f1_score},   {"log_loss", m.log_loss}, {"roc_auc", m.roc_auc}};
  }
  std::vector<double> predicted(outputs.values.begin(), outputs.values.end());
  RegressionMetrics m = EvaluateRegression(labels.values, predicted);
  return {{"mean_absolute_error", m.mean_absolute_error},
          {"mean_squared_error", m.mean_squared_error},
          {"mean_squared_log_error", m.mean_squared_log_error},
          {"median_absolute_error", m.median_absolute_error},
          {"r2_score", m.r2_score},
          {"explained_variance", m.explained_variance}};
}

// Replaces `labels` and `outputs` with every rank's, in rank order (each row sent as its label
// then its outputs, bit for bit).
void GatherRows(Labels& labels, Matrix& outputs, RankReducer& ranks) {
  const size_t width = outputs.cols + 1;
  std::vector<double> mine;
  mine.reserve(outputs.rows * width);
  for (size_t row = 0; row < outputs.rows; ++row) {
    mine.push_back(labels.values[row]);
    mine.insert(mine.end(), outputs.row(row), outputs.row(row) + outputs.cols);
  }
  const std::vector<std::string> parts = ranks.AllGather(
      std::string_view(reinterpret_cast<const char*>(mine.data()), mine.size() * sizeof(double)));
  labels.values.clear();
  outputs.values.clear();
  for (const std::string& part : parts) {
    std::vector<double> values(part.size() / sizeof(double));
    std::memcpy(values.data(), part.data(), values.size() * sizeof(double));
    for (size_t at = 0; at < values.size(); at += width) {
      labels.values.push_back(values[at]);
      outputs.values.insert(outputs.values.end(), values.begin() + at + 1,
                            values.begin() + at + width);
    }
  }
  outputs.rows = labels.values.size();
}

}  // namespace

std::unique_ptr<Estimator> MakeEstimator(ModelType type, const Params& params) {
  switch (type) {
    case ModelType::kLinearReg:
      return std::make_unique<LinearRegression>(params);
    case ModelType::kLogisticReg:
      return std::make_unique<LogisticRegression>(params);
    case ModelType::kBoostedTreeRegressor:
      return std::make_unique<BoostedTrees>(TreeTask::kRegression, false, params);
    case ModelType::kBoostedTreeClassifier:
      return std::make_unique<BoostedTrees>(TreeTask::kClassification, false, params);
    case ModelType::kRandomForestRegressor:
      return std::make_unique<BoostedTrees>(TreeTask::kRegression, true, params);
    case ModelType::kRandomForestClassifier:
      return std::make_unique<BoostedTrees>(TreeTask::kClassification, true, params);
    case ModelType::kKmeans:
      return std::make_unique<KMeans>(params);
  }
  throw InternalError("unknown model type");
}

bool HigherIsBetter(std::string_view name) {
  static constexpr std::string_view kHigher[] = {
      "r2_score", "explained_variance", "precision", "recall", "accuracy", "f1_score", "roc_auc"};
  return std::find(std::begin(kHigher), std::end(kHigher), name) != std::end(kHigher);
}

double MetricValue(const Metrics& metrics, std::string_view name) {
  for (const auto& [metric, value] : metrics) {
    if (metric == name) return value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

Model::Model(ModelType type, Params params, FeatureSpec features, LabelSpec label)
    : type_(type),
      params_(std::move(params)),
      features_(std::move(features)),
      label_(std::move(label)),
      estimator_(MakeEstimator(type_, params_)) {}

Labels Model::MakeLabels(const Table& table) const {
  const Column* column = table.Find(label_.name);
  if (column == nullptr) Throw<UserError>("label column \"{}\" is missing", label_.name);
  Labels labels;
  labels.num_classes = label_.classes.size();
  labels.values.reserve(table.num_rows);
  for (size_t row = 0; row < table.num_rows; ++row) {
    if (labels.num_classes == 0) {
      labels.values.push_back(column->numbers[row]);
      continue;
    }
    std::string text = TextAt(*column, row);
    auto it = std::lower_bound(label_.classes.begin(), label_.classes.end(), text);
    if (column->IsNull(row) || it == label_.classes.end() || *it != text) {
      Throw<UserError>("label column \"{}\" holds {}, a class the model was not trained on",
                       label_.name, column->IsNull(row) ? "NULL" : "'" + text + "'");
    }
    labels.values.push_back(static_cast<double>(it - label_.classes.begin()));
  }
  return labels;
}

Matrix Model::Outputs(const Table& table, int threads) const {
  return estimator_->Predict(MakeFeatures(features_, table, threads), threads);
}

PredictionColumns Model::Predict(const Table& table, int threads, double threshold) const {
  Matrix outputs = Outputs(table, threads);
  switch (TaskOf(type_)) {
    case ModelTask::kClassification:
      return ClassifierColumns(label_, outputs, threshold);
    case ModelTask::kClustering:
      return ClusterColumns(outputs);
    case ModelTask::kRegression:
      break;
  }
  PredictionColumns out;
  out.fields = {{"predicted_" + label_.name, core::TypeId::kDouble}};
  out.values.resize(1);
  for (size_t row = 0; row < outputs.rows; ++row) {
    out.values[0].push_back(core::Value::Double(outputs.at(row, 0)));
  }
  return out;
}

Metrics Model::Evaluate(const Table& table, int threads) const {
  bool clustering = TaskOf(type_) == ModelTask::kClustering;
  return EvaluateFeatures(MakeFeatures(features_, table, threads),
                          clustering ? Labels{} : MakeLabels(table), threads);
}

Metrics Model::EvaluateFeatures(const Matrix& x, const Labels& labels, int threads) const {
  Matrix outputs = estimator_->Predict(x, threads);
  if (TaskOf(type_) == ModelTask::kClustering) {
    const auto& centroids = static_cast<const KMeans&>(*estimator_).centroids();
    return ClusteringList(EvaluateClustering(x, outputs, centroids));
  }
  return SupervisedList(labels, outputs, TaskOf(type_) == ModelTask::kClassification);
}

Metrics Model::EvaluateShares(const Matrix& x, const Labels& labels, int threads,
                              RankReducer& ranks, Matrix* confusion) const {
  Matrix outputs = estimator_->Predict(x, threads);
  if (TaskOf(type_) == ModelTask::kClustering) {
    const auto& centroids = static_cast<const KMeans&>(*estimator_).centroids();
    ClusterSums sums = ClusterSumsOf(x, outputs, centroids);
    const size_t k = centroids.rows;
    std::vector<double> values = sums.distance;
    values.insert(values.end(), sums.members.begin(), sums.members.end());
    values.push_back(sums.squared_distance);
    ranks.AllReduce(values, Reduction::kSum);
    sums = {{values.begin(), values.begin() + k},
            {values.begin() + k, values.begin() + 2 * k},
            values.back()};
    return ClusteringList(ClusteringFromSums(std::move(sums), centroids));
  }
  Labels all_labels = labels;
  GatherRows(all_labels, outputs, ranks);
  const bool classifier = TaskOf(type_) == ModelTask::kClassification;
  if (classifier && confusion != nullptr) *confusion = ConfusionMatrix(all_labels, outputs);
  return SupervisedList(all_labels, outputs, classifier);
}

void Model::Save(const std::string& folder) const {
  std::string blob;
  json::object estimator = estimator_->Save(blob);
  json::object model{{"format", kFormatVersion},        {"model_type", ModelTypeName(type_)},
                     {"params", ParamsToJson(params_)}, {"features", FeatureSpecToJson(features_)},
                     {"label", LabelToJson(label_)},    {"estimator", std::move(estimator)}};
  WriteFile(folder + "/model.json", JsonText(model));
  if (!blob.empty()) WriteFile(folder + "/booster.bin", blob);
}

std::unique_ptr<Model> Model::Load(const std::string& folder) {
  std::string text = ReadTextFile(folder + "/model.json");
  try {
    json::object object = json::parse(text).as_object();
    if (object.at("format").to_number<int>() != kFormatVersion) {
      Throw<DataError>("model in {} has format {}, this Sluice reads format {}", folder,
                       object.at("format").to_number<int>(), kFormatVersion);
    }
    auto model =
        std::make_unique<Model>(TypeFromName(json::value_to<std::string>(object.at("model_type"))),
                                ParamsFromJson(object.at("params").as_object()),
                                FeatureSpecFromJson(object.at("features").as_object()),
                                LabelFromJson(object.at("label").as_object()));
    std::string blob;
    if (std::filesystem::exists(folder + "/booster.bin"))
      blob = ReadTextFile(folder + "/booster.bin");
    model->estimator_->Load(object.at("estimator").as_object(), blob);
    return model;
  } catch (const std::exception& error) {
    if (dynamic_cast<const Error*>(&error) != nullptr) throw;
    Throw<DataError>("model in {} is damaged: {}", folder, error.what());
  }
}

}  // namespace sluice::ml
