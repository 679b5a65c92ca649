#include "serve/result_service.h"

#include <cmath>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "base/error.h"
#include "catalog/catalog_db.h"
#include "core/datetime.h"
#include "serve/openapi.h"
#include "serve/pii_mask.h"
#include "serve/row_formats.h"
#include "serve/rows_query.h"
#include "serve/version_cache.h"
#include "store/result_store.h"

namespace sluice::serve {
namespace {

namespace json = boost::json;

const Fields kJson = {{"content-type", "application/json"}};

void SendJson(ResponseWriter& response, int status, const json::value& body) {
  response.Send(status, kJson, json::serialize(body));
}

// Splits "/v1/results/delays/schema" into its segments.
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

json::object ColumnJson(const core::Field& field, const catalog::DatasetColumn* column) {
  json::object object{{"name", field.name}, {"type", core::TypeName(field.type)}};
  if (column == nullptr) return object;
  const catalog::ColumnProfile& profile = column->profile;
  object["semantic"] = catalog::SemanticTypeName(column->semantics.type);
  object["pii"] = column->semantics.pii;
  json::object statistics{{"rows", profile.rows},
                          {"null_fraction", profile.null_fraction},
                          {"distinct", static_cast<int64_t>(std::llround(profile.distinct))}};
  if (profile.min) statistics["min"] = *profile.min;
  if (profile.max) statistics["max"] = *profile.max;
  if (profile.mean) statistics["mean"] = *profile.mean;
  if (profile.stddev) statistics["stddev"] = *profile.stddev;
  object["statistics"] = std::move(statistics);
  return object;
}

json::array LineageJson(catalog::CatalogDb& catalog, const std::string& name, int64_t version) {
  json::array edges;
  for (const catalog::LineageEdge& edge : catalog.Lineage(name)) {
    if (edge.to_dataset != name || edge.to_version != version) continue;
    edges.push_back(json::object{{"from_dataset", edge.from_dataset},
                                 {"from_column", edge.from_column},
                                 {"from_version", edge.from_version},
                                 {"to_column", edge.to_column}});
  }
  return edges;
}

// Adds `access-control-allow-origin` to every response when the request's origin is allowed.
class CorsWriter final : public ResponseWriter {
 public:
  CorsWriter(ResponseWriter& inner, std::string origin)
      : inner_(inner), origin_(std::move(origin)) {}
  void Send(int status, const Fields& headers, std::string body) override {
    inner_.Send(status, WithOrigin(headers), std::move(body));
  }
  void Start(int status, const Fields& headers) override {
    inner_.Start(status, WithOrigin(headers));
  }
  void Write(std::string_view data) override { inner_.Write(data); }
  void Finish() override { inner_.Finish(); }
  bool started() const override { return inner_.started(); }

 private:
  Fields WithOrigin(Fields headers) const {
    if (origin_.empty()) return headers;
    headers.emplace_back("access-control-allow-origin", origin_);
    headers.emplace_back("vary", "Origin");
    return headers;
  }

  ResponseWriter& inner_;
  std::string origin_;
};

// Returns how the service keeps versions: prepared in the background, the version whose key
// index is built shown in `metrics`.
VersionCacheOptions CacheOptions(Metrics& metrics) {
  VersionCacheOptions options;
  options.max_rows = ResultService::kMaxIndexedRows;
  options.on_prepared = [&metrics](const std::string& name, const ServedVersion& served) {
    if (served.index() != nullptr) metrics.SetIndexedVersion(name, served.info().version);
  };
  return options;
}

store::ResultStore& StoreOf(session::Database& database) {
  if (database.store() == nullptr) Throw<UserError>("serving needs a workspace (sluice init)");
  return *database.store();
}

}  // namespace

ResultService::ResultService(session::Database& database, const ServeConfig& config,
                             std::string base_url)
    : database_(database),
      config_(config),
      base_url_(std::move(base_url)),
      authorizer_(config),
      versions_(StoreOf(database), CacheOptions(metrics_)) {}

std::string ResultService::RouteOf(const std::string& path) {
  std::vector<std::string> segments = Segments(path);
  bool v1 = segments.size() >= 3 && segments[0] == "v1";
  if (v1 && segments[1] == "results" && segments.size() == 3) return "/v1/results/{name}";
  if (v1 && segments[1] == "results" && segments.size() == 4 && segments[3] == "schema") {
    return "/v1/results/{name}/schema";
  }
  if (v1 && segments[1] == "models" && segments.size() == 3) return "/v1/models/{name}";
  if (v1 && segments[1] == "models" && segments.size() == 4 && segments[3] == "predict") {
    return "/v1/models/{name}/predict";
  }
  for (const char* fixed :
       {"/v1/results", "/v1/models", "/openapi.json", "/metrics", "/healthz", "/readyz"}) {
    if (path == fixed) return fixed;
  }
  return "other";
}

void ResultService::Handle(const HttpRequest& request, ResponseWriter& response) {
  Metrics::InFlight in_flight(metrics_);
  std::string origin = request.Header("origin");
  bool cors = !origin.empty() && AllowsOrigin(origin);
  CorsWriter writer(response, cors ? origin : "");
  if (cors && request.method == "OPTIONS") {
    return writer.Send(204,
                       {{"access-control-allow-methods", "GET, HEAD, POST, OPTIONS"},
                        {"access-control-allow-headers", "authorization, content-type, accept"},
                        {"access-control-max-age", "600"}},
                       "");
  }
  // Errors are answered here rather than by the server so they carry the CORS header too.
  try {
    Route(request, writer);
  } catch (const HttpError& error) {
    if (writer.started()) throw;
    Fields headers = kJson;
    if (error.status() == 401) headers.emplace_back("www-authenticate", kBearerChallenge);
    writer.Send(error.status(), headers,
                ErrorJson(error.status(), error.what(), error.parameter()));
  } catch (const IoError&) {
    throw;  // the server's to answer: 500, or the client went away
  } catch (const UserError& error) {
    if (writer.started()) throw;
    writer.Send(400, kJson, ErrorJson(400, error.what()));
  }
}

void ResultService::set_base_url(std::string base_url) {
  std::lock_guard lock(base_url_mutex_);
  base_url_ = std::move(base_url);
}

std::string ResultService::BaseUrl(const HttpRequest& request) const {
  std::string own;
  {
    std::lock_guard lock(base_url_mutex_);
    own = base_url_;
  }
  if (!config_.trust_forwarded_headers) return own;
  return ForwardedBaseUrl(request, own);
}

bool ResultService::AllowsOrigin(const std::string& origin) const {
  for (const std::string& allowed : config_.cors_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

void ResultService::Route(const HttpRequest& request, ResponseWriter& response) {
  const std::string& path = request.path;
  if (path == "/healthz") return SendJson(response, 200, json::object{{"status", "ok"}});
  if (path == "/readyz") return Ready(response);
  std::vector<std::string> segments = Segments(path);
  bool v1 = segments.size() >= 2 && segments[0] == "v1";
  bool results = v1 && segments[1] == "results";
  bool models = v1 && segments[1] == "models";
  bool predict = models && segments.size() == 4 && segments[3] == "predict";
  if (predict && request.method != "POST") {
    throw HttpError(405, fmt::format("{} is not allowed on {}; use POST", request.method, path));
  }
  if (!predict && request.method != "GET" && request.method != "HEAD") {
    throw HttpError(405, fmt::format("{} is not allowed on {}; use GET", request.method, path));
  }
  if (path == "/metrics") {
    return response.Send(200, {{"content-type", "text/plain; version=0.0.4"}},
                         metrics_.Prometheus());
  }
  if (path == "/openapi.json") {
    OpenApiOptions options;
    options.base_url = BaseUrl(request);
    options.bearer_auth = authorizer_.enabled();
    options.max_rows = config_.max_rows;
    return response.Send(
        200, kJson, OpenApiDocument(database_.store()->catalog(), options, &database_.models()));
  }
  Principal principal = authorizer_.Authenticate(request);
  if (results && segments.size() == 2) return ListResults(principal, BaseUrl(request), response);
  if (results && segments.size() == 3) return Rows(request, principal, segments[2], response);
  if (results && segments.size() == 4 && segments[3] == "schema") {
    return Schema(principal, segments[2], response);
  }
  if (models && segments.size() == 2) return ListModels(principal, BaseUrl(request), response);
  if (models && segments.size() == 3) {
    return DescribeModel(principal, segments[2], BaseUrl(request), response);
  }
  if (predict) return Predict(request, principal, segments[2], response);
  throw HttpError(404, fmt::format("no route {}; see /openapi.json", path));
}

void ResultService::Ready(ResponseWriter& response) {
  try {
    database_.store()->catalog().ResultNames();
  } catch (const Error& error) {
    return SendJson(response, 503,
                    json::object{{"status", "unavailable"}, {"error", error.what()}});
  }
  SendJson(response, 200, json::object{{"status", "ready"}});
}

void ResultService::ListResults(const Principal& principal, const std::string& base_url,
                                ResponseWriter& response) {
  catalog::CatalogDb& catalog = database_.store()->catalog();
  json::array list;
  for (const std::string& name : catalog.ResultNames()) {
    if (!Authorizer::Allows(principal, "read:" + name)) continue;
    std::vector<int64_t> versions = catalog.Versions(name);
    if (versions.empty()) continue;
    std::optional<catalog::VersionInfo> info = catalog.FindVersion(name, versions.back());
    if (!info) continue;
    std::string url = base_url + "/v1/results/" + name;
    list.push_back(
        json::object{{"name", name},
                     {"version", info->version},
                     {"rows", info->num_rows},
                     {"updated", core::FormatTimestamp(info->created_micros)},
                     {"links", json::object{{"rows", url}, {"schema", url + "/schema"}}}});
  }
  SendJson(response, 200, json::object{{"results", std::move(list)}});
}

void ResultService::Schema(const Principal& principal, const std::string& name,
                           ResponseWriter& response) {
  Authorizer::Require(principal, "read:" + name);
  catalog::CatalogDb& catalog = database_.store()->catalog();
  std::vector<int64_t> versions = catalog.Versions(name);
  if (versions.empty()) throw HttpError(404, fmt::format("no result named \"{}\"", name));
  std::optional<catalog::VersionInfo> info = catalog.FindVersion(name, versions.back());
  if (!info) throw HttpError(404, fmt::format("no result named \"{}\"", name));
  std::vector<catalog::DatasetColumn> columns = catalog.DatasetColumns(name, info->version);
  json::array column_list;
  for (size_t c = 0; c < info->schema->num_fields(); ++c) {
    column_list.push_back(
        ColumnJson(info->schema->field(c), c < columns.size() ? &columns[c] : nullptr));
  }
  json::array version_list;
  for (int64_t version : versions) version_list.push_back(version);
  json::array expectations;
  for (const catalog::ExpectationResult& result : catalog.Expectations(name, info->version)) {
    expectations.push_back(json::object{{"name", result.name},
                                        {"expression", result.expression},
                                        {"action", result.action},
                                        {"rows_checked", result.rows_checked},
                                        {"violations", result.violations}});
  }
  SendJson(response, 200,
           json::object{{"name", name},
                        {"version", info->version},
                        {"rows", info->num_rows},
                        {"updated", core::FormatTimestamp(info->created_micros)},
                        {"columns", std::move(column_list)},
                        {"lineage", LineageJson(catalog, name, info->version)},
                        {"expectations", std::move(expectations)},
                        {"versions", std::move(version_list)}});
}

}  // namespace sluice::serve
