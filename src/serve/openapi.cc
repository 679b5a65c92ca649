#include "serve/openapi.h"

#include <cctype>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "base/error.h"
#include "serve/openapi_schemas.h"
#include "serve/predict_request.h"

namespace sluice::serve {
namespace {

namespace json = boost::json;

using openapi::JsonContent;
using openapi::Ref;
using openapi::Response;

// The query parameters of rows requests that are not column filters (see rows_query.h).
constexpr std::string_view kRowsParameters[] = {"select", "order",   "limit", "offset",
                                                "cursor", "version", "format"};

// Returns `name` as an identifier for schema names and operation ids: its letter and digit
// runs in PascalCase ("delays_by_state" -> "DelaysByState").
std::string PascalCase(std::string_view name) {
  std::string identifier;
  bool upper = true;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    identifier += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  if (identifier.empty() || std::isdigit(static_cast<unsigned char>(identifier.front()))) {
    identifier.insert(0, "R");
  }
  return identifier;
}

// Returns `name` percent-encoded as one path segment.
std::string PathSegment(std::string_view name) {
  std::string segment;
  for (char c : name) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      segment += c;
    } else {
      segment += fmt::format("%{:02X}", byte);
    }
  }
  return segment;
}

// Builds the document: paths as it goes, then the components they refer to.
class DocumentBuilder {
 public:
  DocumentBuilder(catalog::CatalogDb& catalog, const OpenApiOptions& options,
                  session::ModelRegistry* models)
      : catalog_(catalog), options_(options), models_(models) {}

  std::string Build() {
    AddFixedRoutes();
    for (const std::string& name : catalog_.ResultNames()) AddResult(name);
    for (const catalog::ModelRecord& model : LatestModels()) AddModel(model);
    json::object document{{"openapi", "3.1.0"},
                          {"info", json::object{{"title", "Sluice results"},
                                                {"version", options_.version},
                                                {"description", kServiceDescription}}},
                          {"servers", json::array{json::object{{"url", options_.base_url}}}},
                          {"tags", Tags()},
                          {"paths", std::move(paths_)},
                          {"components", Components()}};
    if (options_.bearer_auth)
      document["security"] = json::array{json::object{{"bearer", json::array{}}}};
    return json::serialize(document);
  }

 private:
  static constexpr char kServiceDescription[] =
      "Every result and model of a Sluice workspace, generated from its catalog. Rows take "
      "PostgREST-style query parameters; each request reads one whole version.";

  std::vector<catalog::ModelRecord> LatestModels() {
    std::vector<catalog::ModelRecord> latest;
    for (catalog::ModelRecord& model : catalog_.Models()) {
      if (!latest.empty() && latest.back().name == model.name) {
        if (model.version > latest.back().version) latest.back() = std::move(model);
      } else {
        latest.push_back(std::move(model));
      }
    }
    return latest;
  }

  // Returns an identifier for `name` that no other result or model got.
  std::string UniqueIdentifier(std::string_view name) {
    std::string base = PascalCase(name);
    std::string identifier = base;
    for (int n = 2; !identifiers_.insert(identifier).second; ++n) {
      identifier = fmt::format("{}{}", base, n);
    }
    return identifier;
  }

  // Returns an operation with the parts every operation has; `scope` is the one it needs.
  json::object Operation(std::string id, std::string summary, std::string_view tag,
                         std::optional<std::string> scope, bool authenticated = true) {
    json::object operation{{"operationId", std::move(id)},
                           {"summary", std::move(summary)},
                           {"tags", json::array{tag}}};
    if (!options_.bearer_auth) return operation;
    if (!authenticated) {
      operation["security"] = json::array{};
    } else if (scope) {
      operation["security"] = json::array{json::object{{"bearer", json::array{*scope}}}};
    }
    return operation;
  }

  // Adds the 4xx responses of an operation that may not find its object to `responses`.
  void AddErrorResponses(json::object& responses, bool bad_request) const {
    if (bad_request) responses["400"] = Ref("responses", "BadRequest");
    if (options_.bearer_auth) {
      responses["401"] = Ref("responses", "Unauthorized");
      responses["403"] = Ref("responses", "Forbidden");
    }
    responses["404"] = Ref("responses", "NotFound");
  }

  void AddFixedRoutes() {
    json::object list = Operation("listResults", "List the results", "results", std::nullopt);
    json::object responses{{"200", Response("The results this token may read",
                                            JsonContent(Ref("schemas", "ResultList")))}};
    if (options_.bearer_auth) responses["401"] = Ref("responses", "Unauthorized");
    list["responses"] = std::move(responses);
    paths_["/v1/results"] = json::object{{"get", std::move(list)}};
    json::object models = Operation("listModels", "List the models", "models", std::nullopt);
    json::object listed{{"200", Response("The models this token may predict with",
                                         JsonContent(Ref("schemas", "ModelList")))}};
    if (options_.bearer_auth) listed["401"] = Ref("responses", "Unauthorized");
    models["responses"] = std::move(listed);
    paths_["/v1/models"] = json::object{{"get", std::move(models)}};
    json::object text{{"text/plain", json::object{{"schema", json::object{{"type", "string"}}}}}};
    AddPublicRoute("/openapi.json", "getOpenApi", "This document",
                   {{"200", Response("The OpenAPI 3.1 document",
                                     JsonContent(json::object{{"type", "object"}}))}});
    AddPublicRoute("/metrics", "getMetrics", "Request counters and latencies (Prometheus)",
                   {{"200", Response("Prometheus text exposition format", text)}});
    AddPublicRoute("/healthz", "getHealth", "Liveness: the process answers",
                   {{"200", Response("Alive", JsonContent(Ref("schemas", "Status")))}});
    AddPublicRoute("/readyz", "getReady", "Readiness: the catalog can be read",
                   {{"200", Response("Ready", JsonContent(Ref("schemas", "Status")))},
                    {"503", Response("Not ready: the catalog cannot be read",
                                     JsonContent(Ref("schemas", "Status")))}});
  }

  void AddPublicRoute(std::string_view path, std::string id, std::string summary,
                      json::object responses) {
    json::object operation =
        Operation(std::move(id), std::move(summary), "service", std::nullopt, false);
    operation["responses"] = std::move(responses);
    paths_[path] = json::object{{"get", std::move(operation)}};
  }

  void AddResult(const std::string& name) {
    std::vector<int64_t> versions = catalog_.Versions(name);
    if (versions.empty()) return;
    std::optional<catalog::VersionInfo> info = catalog_.FindVersion(name, versions.back());
    if (!info || info->schema == nullptr) return;
    std::optional<catalog::DatasetRecord> dataset = catalog_.FindDataset(name);
    std::string description = dataset ? dataset->description : std::string();
    std::vector<catalog::DatasetColumn> columns = catalog_.DatasetColumns(name, info->version);
    std::string identifier = UniqueIdentifier(name);
    std::string row_schema = identifier + "Row";
    schemas_[row_schema] = openapi::RowSchema(name, description, *info, columns);
    std::string path = "/v1/results/" + PathSegment(name);
    paths_[path] = json::object{{"get", RowsOperation(name, identifier, description, *info)}};
    json::object schema =
        Operation("get" + identifier + "Schema", "Schema of " + name, "results", "read:" + name);
    json::object responses{{"200", Response("Columns, types, semantics, statistics, lineage",
                                            JsonContent(Ref("schemas", "ResultSchema")))}};
    AddErrorResponses(responses, false);
    schema["responses"] = std::move(responses);
    paths_[path + "/schema"] = json::object{{"get", std::move(schema)}};
  }

  json::object RowsOperation(const std::string& name, const std::string& identifier,
                             const std::string& description, const catalog::VersionInfo& info) {
    json::object operation =
        Operation("get" + identifier + "Rows", "Rows of " + name, "results", "read:" + name);
    operation["description"] = fmt::format(
        "{}{}Latest version: {} ({} rows). Filter with one parameter per column "
        "(`column=op.value`); page with `limit` and `offset`, or with `cursor` (from the "
        "X-Next-Cursor header); pick the format with `format` or Accept.",
        description, description.empty() ? "" : "\n\n", info.version, info.num_rows);
    json::array parameters;
    for (std::string_view parameter : kRowsParameters) {
      parameters.push_back(Ref("parameters", parameter));
    }
    for (const core::Field& field : info.schema->fields()) {
      if (IsRowsParameter(field.name)) continue;
      parameters.push_back(openapi::FilterParameter(field));
    }
    operation["parameters"] = std::move(parameters);
    json::object responses{{"200", openapi::RowsResponse(identifier + "Row")}};
    AddErrorResponses(responses, true);
    operation["responses"] = std::move(responses);
    return operation;
  }

  static bool IsRowsParameter(std::string_view name) {
    for (std::string_view parameter : kRowsParameters) {
      if (parameter == name) return true;
    }
    return false;
  }

  // Returns the trained model `record` describes, or nullptr when it cannot be loaded (or is
  // no longer the latest version): its document then has the untyped schemas.
  std::shared_ptr<const session::ModelVersion> TrainedModel(const catalog::ModelRecord& record) {
    if (models_ == nullptr) return nullptr;
    std::shared_ptr<const session::ModelVersion> version;
    try {
      version = models_->Find(record.name);
    } catch (const Error&) {
      return nullptr;  // one unreadable artifact should not take the whole document down
    }
    if (version == nullptr || version->record.version != record.version) return nullptr;
    return version;
  }

  void AddModel(const catalog::ModelRecord& model) {
    std::string identifier = UniqueIdentifier(model.name);
    std::string path = "/v1/models/" + PathSegment(model.name);
    AddPredictPath(model, identifier, path + "/predict");
    json::object get = Operation("get" + identifier + "Model", "Model " + model.name, "models",
                                 "predict:" + model.name);
    json::object responses{{"200", Response("Options, metrics, hyperparameters, features, label",
                                            JsonContent(Ref("schemas", "Model")))}};
    AddErrorResponses(responses, false);
    get["responses"] = std::move(responses);
    paths_[path] = json::object{{"get", std::move(get)}};
  }

  void AddPredictPath(const catalog::ModelRecord& model, const std::string& identifier,
                      const std::string& path) {
    std::string request = "PredictRequest", response = "PredictResponse";
    if (std::shared_ptr<const session::ModelVersion> trained = TrainedModel(model)) {
      request = identifier + "PredictRequest";
      response = identifier + "PredictResponse";
      schemas_[identifier + "Instance"] =
          openapi::InstanceSchema(*trained->model, trained->transform);
      schemas_[request] = openapi::PredictRequestSchema(*trained->model, identifier + "Instance");
      schemas_[identifier + "Prediction"] = openapi::PredictionSchema(*trained->model);
      schemas_[response] = openapi::PredictResponseSchema(model.name, identifier + "Prediction");
    }
    json::object operation = Operation("predict" + identifier, "Predict with " + model.name,
                                       "models", "predict:" + model.name);
    operation["description"] = fmt::format(
        "Model {} ({}), version {}. One prediction per instance, in order; at most {} "
        "instances. A missing feature or null is imputed as at training; a category not seen "
        "in training counts as the other category (or none).",
        model.name, model.model_type, model.version, kMaxInstances);
    operation["x-model-type"] = model.model_type;
    operation["x-model-version"] = model.version;
    operation["requestBody"] =
        json::object{{"required", true}, {"content", JsonContent(Ref("schemas", request))}};
    json::object ok =
        Response("One prediction per instance, in order", JsonContent(Ref("schemas", response)));
    ok["headers"] = json::object{
        {"X-Model-Version", json::object{{"description", "The model version that predicted"},
                                         {"schema", json::object{{"type", "integer"}}}}}};
    json::object responses{{"200", std::move(ok)}};
    AddErrorResponses(responses, true);
    operation["responses"] = std::move(responses);
    paths_[path] = json::object{{"post", std::move(operation)}};
  }

  json::array Tags() const {
    return {
        json::object{{"name", "results"}, {"description", "Rows and schemas of results"}},
        json::object{{"name", "models"}, {"description", "Trained models and their predictions"}},
        json::object{{"name", "service"}, {"description", "Health, metrics, this document"}}};
  }

  json::object Components() {
    for (auto& [name, schema] : openapi::FixedSchemas()) schemas_[name] = std::move(schema);
    json::object components{{"schemas", std::move(schemas_)},
                            {"parameters", openapi::RowsParameters(options_.max_rows)},
                            {"responses", openapi::ErrorResponses()}};
    if (options_.bearer_auth) {
      components["securitySchemes"] =
          json::object{{"bearer", json::object{{"type", "http"},
                                               {"scheme", "bearer"},
                                               {"description", kBearerDescription}}}};
    }
    return components;
  }

  static constexpr char kBearerDescription[] =
      "A token of sluice.yaml's serve.tokens: `Authorization: Bearer <secret>`. Operations "
      "name the scope they need (read:<result>, predict:<model>; read:*, predict:* and * "
      "cover them); PII columns are masked unless the token has the pii scope.";

  catalog::CatalogDb& catalog_;
  const OpenApiOptions& options_;
  session::ModelRegistry* models_;
  json::object paths_;
  json::object schemas_;
  std::set<std::string> identifiers_;
};

}  // namespace

std::string OpenApiDocument(catalog::CatalogDb& catalog, const OpenApiOptions& options,
                            session::ModelRegistry* models) {
  return DocumentBuilder(catalog, options, models).Build();
}

}  // namespace sluice::serve
