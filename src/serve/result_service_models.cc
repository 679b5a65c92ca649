// The model routes of ResultService: the listing, one model's record, predictions.

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/datetime.h"
#include "ml/json_text.h"
#include "serve/predict_request.h"
#include "serve/result_service.h"
#include "session/model_functions.h"

namespace sluice::serve {
namespace {

namespace json = boost::json;

const Fields kJson = {{"content-type", "application/json"}};

// Returns the JSON object `text` (a catalog column), or an empty object when it is not one.
json::object ParseObject(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return {};
  return std::move(value.get_object());
}

std::string_view KindName(ml::FeatureKind kind) {
  switch (kind) {
    case ml::FeatureKind::kNumeric:
      return "numeric";
    case ml::FeatureKind::kCategorical:
      return "categorical";
    case ml::FeatureKind::kDate:
      return "date";
    case ml::FeatureKind::kTimestamp:
      return "timestamp";
  }
  return "numeric";
}

json::array FeaturesJson(const ml::FeatureSpec& features) {
  json::array list;
  for (const ml::FeatureColumn& column : features.columns) {
    json::object feature{{"name", column.name},
                         {"type", core::TypeName(column.type)},
                         {"kind", KindName(column.kind)}};
    if (column.kind == ml::FeatureKind::kCategorical) {
      feature["categories"] = json::array(column.categories.begin(), column.categories.end());
      feature["other"] = column.other;
    }
    list.push_back(std::move(feature));
  }
  return list;
}

json::value LabelJson(const ml::Model& model) {
  const ml::LabelSpec& label = model.label();
  if (ml::TaskOf(model.type()) == ml::ModelTask::kClustering) return nullptr;
  json::object object{{"name", label.name}, {"type", core::TypeName(label.type)}};
  if (ml::TaskOf(model.type()) == ml::ModelTask::kClassification) {
    object["classes"] = json::array(label.classes.begin(), label.classes.end());
  }
  return object;
}

// Returns the latest record of each model, by name.
std::vector<catalog::ModelRecord> LatestModels(catalog::CatalogDb& catalog) {
  std::vector<catalog::ModelRecord> latest;
  for (catalog::ModelRecord& model : catalog.Models()) {  // by name, then version
    if (!latest.empty() && latest.back().name == model.name) {
      latest.back() = std::move(model);
    } else {
      latest.push_back(std::move(model));
    }
  }
  return latest;
}

}  // namespace

void ResultService::ListModels(const Principal& principal, const std::string& base_url,
                               ResponseWriter& response) {
  json::array list;
  for (const catalog::ModelRecord& model : LatestModels(database_.store()->catalog())) {
    if (!Authorizer::Allows(principal, "predict:" + model.name)) continue;
    std::string url = base_url + "/v1/models/" + model.name;
    list.push_back(
        json::object{{"name", model.name},
                     {"version", model.version},
                     {"model_type", model.model_type},
                     {"created", core::FormatTimestamp(model.created_micros)},
                     {"metrics", ParseObject(model.metrics_json)},
                     {"links", json::object{{"model", url}, {"predict", url + "/predict"}}}});
  }
  response.Send(200, kJson, ml::JsonText(json::object{{"models", std::move(list)}}));
}

void ResultService::DescribeModel(const Principal& principal, const std::string& name,
                                  const std::string& base_url, ResponseWriter& response) {
  Authorizer::Require(principal, "predict:" + name);
  std::shared_ptr<const session::ModelVersion> version = FindModel(name);
  const catalog::ModelRecord& record = version->record;
  const ml::Model& model = *version->model;
  json::object details = ParseObject(record.details_json);
  json::value hyperparameters = json::object();
  if (json::value* found = details.if_contains("hyperparameters")) {
    hyperparameters = std::move(*found);
    details.erase("hyperparameters");
  }
  json::array versions;
  for (const catalog::ModelRecord& other : database_.store()->catalog().Models()) {
    if (other.name == name) versions.push_back(other.version);
  }
  std::string url = base_url + "/v1/models/" + name;
  json::object body{{"name", record.name},
                    {"version", record.version},
                    {"model_type", record.model_type},
                    {"created", core::FormatTimestamp(record.created_micros)},
                    {"options", ParseObject(record.options_json)},
                    {"metrics", ParseObject(record.metrics_json)},
                    {"hyperparameters", std::move(hyperparameters)},
                    {"details", std::move(details)},
                    {"transform", version->transform},
                    {"features", FeaturesJson(model.features())},
                    {"label", LabelJson(model)},
                    {"versions", std::move(versions)},
                    {"links", json::object{{"predict", url + "/predict"}}}};
  response.Send(200, kJson, ml::JsonText(body));
}

void ResultService::Predict(const HttpRequest& request, const Principal& principal,
                            const std::string& name, ResponseWriter& response) {
  Authorizer::Require(principal, "predict:" + name);
  std::shared_ptr<const session::ModelVersion> version = FindModel(name);
  PredictRequest predict = ParsePredictRequest(request.body, *version);
  ml::PredictionColumns predicted;
  if (predict.num_instances > 0) {
    predicted = session::PredictColumns(*version, *predict.input, database_, predict.threshold);
  }
  response.Send(200,
                {{"content-type", "application/json"},
                 {"x-model-version", std::to_string(version->record.version)}},
                PredictResponseJson(predicted, *version));
}

std::shared_ptr<const session::ModelVersion> ResultService::FindModel(const std::string& name) {
  std::shared_ptr<const session::ModelVersion> version = database_.models().Find(name);
  if (version == nullptr) throw HttpError(404, fmt::format("no model named \"{}\"", name));
  return version;
}

}  // namespace sluice::serve
