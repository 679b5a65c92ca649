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

// Bodies up to this size are sent whole; larger ones are streamed.
constexpr size_t kWholeBodyBytes = 64 << 10;

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

// Throws 403 when `rows` filters or orders by a column `pii` marks: masking hides the values,
// but a filter or an order on them would still reveal them.
void RefusePiiConditions(const RowsQuery& rows, const core::Schema& schema,
                         const std::vector<bool>& pii) {
  auto refuse = [&](const std::string& column) {
    std::optional<size_t> index = schema.FindField(column);
    if (!index || *index >= pii.size() || !pii[*index]) return;
    throw HttpError(403,
                    fmt::format("column \"{}\" holds personal data: filtering or ordering "
                                "by it needs the pii scope",
                                column),
                    column);
  };
  for (const RowFilter& filter : rows.filters) refuse(filter.column);
  for (const RowOrder& order : rows.order) refuse(order.column);
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

// Resolves names in the database, except the served version of one result, which is read
// from memory when it is held there.
class VersionOverlay final : public planner::Catalog {
 public:
  VersionOverlay(const session::Database& database, const std::string& name,
                 const ServedVersion& served)
      : database_(database), name_(name), served_(served) {}

  std::shared_ptr<const planner::TableEntry> FindTable(std::string_view name) const override {
    return database_.FindTable(name);
  }
  std::shared_ptr<const planner::ViewEntry> FindView(std::string_view name) const override {
    return database_.FindView(name);
  }
  std::vector<std::string> TableNames() const override { return database_.TableNames(); }
  std::shared_ptr<const planner::TableEntry> FindTableVersion(std::string_view name,
                                                              int64_t version) const override {
    const catalog::VersionInfo& info = served_.info();
    auto rows = served_.Rows(ResultService::kMaxIndexedRows);
    if (name != name_ || version != info.version || rows == nullptr) {
      return database_.FindTableVersion(name, version);
    }
    auto entry = std::make_shared<planner::TableEntry>();
    entry->schema = info.schema;
    entry->batches = std::move(rows);
    entry->estimated_rows = static_cast<size_t>(info.num_rows);
    entry->version = info.version;
    entry->unique_keys = info.unique_keys;
    for (const catalog::ColumnInfo& column : info.columns) {
      entry->not_null.push_back(column.not_null);
    }
    return entry;
  }

 private:
  const session::Database& database_;
  const std::string& name_;
  const ServedVersion& served_;
};

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
      versions_(StoreOf(database)) {}

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

void ResultService::Rows(const HttpRequest& request, const Principal& principal,
                         const std::string& name, ResponseWriter& response) {
  Authorizer::Require(principal, "read:" + name);
  RowsQuery rows = ParseRowsQuery(request.query);
  RowFormat format = ChooseRowFormat(rows.format, request.Header("accept"));
  std::shared_ptr<const ServedVersion> served = Serve(name, rows.version);
  const catalog::VersionInfo& info = served->info();
  // The query names the version pinned here: one whole version, even if a new one commits.
  rows.version = info.version;
  metrics_.SetResultVersion(name, info.version);
  const core::Schema& schema = *info.schema;
  std::vector<bool> pii;  // per column of `schema`; empty when nothing is masked
  if (!Authorizer::Allows(principal, "pii")) {
    pii = served->pii();
    RefusePiiConditions(rows, schema, pii);
    if (std::find(pii.begin(), pii.end(), true) == pii.end()) pii.clear();
  }
  RowsPlan plan = BuildRowsQuery(rows, name, schema, config_.max_rows);
  Fields headers = {{"content-type", ContentType(format)},
                    {"x-result-version", std::to_string(info.version)}};
  if (std::optional<core::Batch> row = LookUp(rows, *served, schema)) {
    std::vector<core::Batch> batches;
    batches.push_back(std::move(*row));
    return SendRows(format, batches, schema, pii, headers, response);
  }
  // A version small enough is queried where it is held in memory, not read again.
  VersionOverlay overlay(database_, name, *served);
  session::QueryResult result = session::Connection(database_).Query(*plan.query, overlay);
  // A cursor holds the last row's values of every paging column: none while masking.
  std::string cursor = pii.empty() ? NextCursor(rows, schema, plan, result.batches) : "";
  if (!cursor.empty()) headers.emplace_back("x-next-cursor", cursor);
  std::vector<core::Field> fields(result.schema->fields().begin(),
                                  result.schema->fields().begin() + plan.num_columns);
  auto visible = std::make_shared<core::Schema>(std::move(fields));
  std::vector<core::Batch> shown;
  for (const core::Batch& batch : result.batches) shown.push_back(batch.Share(visible));
  SendRows(format, shown, schema, pii, headers, response);
}

std::optional<core::Batch> ResultService::LookUp(const RowsQuery& rows, const ServedVersion& served,
                                                 const core::Schema& schema) {
  if (rows.filters.size() != 1 || rows.cursor || rows.offset != 0) return std::nullopt;
  if (rows.limit && *rows.limit == 0) return std::nullopt;
  const RowFilter& filter = rows.filters[0];
  if (filter.op != "eq" || filter.negated || filter.values.size() != 1) return std::nullopt;
  size_t column = ResolveColumn(schema, filter.column, filter.column);
  const KeyIndex* index = served.Index(kMaxIndexedRows);
  if (index == nullptr || index->column != column) return std::nullopt;
  // BuildRowsQuery has checked that the value is of the column's type.
  std::string key =
      core::Value::Varchar(filter.values[0]).CastTo(schema.field(column).type).ToString();
  std::vector<size_t> columns;
  for (const std::string& name : rows.select) columns.push_back(ResolveColumn(schema, name, name));
  if (columns.empty()) {
    for (size_t c = 0; c < schema.num_fields(); ++c) columns.push_back(c);
  }
  std::vector<core::Field> fields;
  for (size_t c : columns) fields.push_back(schema.field(c));
  core::Batch batch(std::make_shared<core::Schema>(std::move(fields)), 1);
  auto found = index->rows.find(key);
  if (found == index->rows.end()) return batch;
  const core::Batch& source = (*served.Rows(kMaxIndexedRows))[found->second.first];
  std::vector<core::Value> values;
  for (size_t c : columns) values.push_back(source.GetValue(c, found->second.second));
  batch.AppendRow(values);
  return batch;
}

void ResultService::SendRows(RowFormat format, const std::vector<core::Batch>& batches,
                             const core::Schema& schema, const std::vector<bool>& pii,
                             const Fields& headers, ResponseWriter& response) {
  core::SchemaPtr visible =
      batches.empty() ? std::make_shared<core::Schema>() : batches[0].schema_ptr();
  std::vector<bool> masked(visible->num_fields(), false);
  for (size_t c = 0; c < masked.size() && !pii.empty(); ++c) {
    masked[c] = pii[*schema.FindField(visible->field(c).name)];
  }
  auto encoder = RowEncoder::Make(format, visible);
  // A small body goes out whole with a Content-Length (one write); a large one is streamed in
  // chunks once it outgrows the buffer.
  std::string buffer = encoder->Begin();
  for (const core::Batch& batch : batches) {
    buffer += pii.empty() ? encoder->Encode(batch) : encoder->Encode(MaskColumns(batch, masked));
    if (buffer.size() < kWholeBodyBytes) continue;
    if (!response.started()) response.Start(200, headers);
    response.Write(buffer);
    buffer.clear();
  }
  buffer += encoder->End();
  if (!response.started()) return response.Send(200, headers, std::move(buffer));
  response.Write(buffer);
  response.Finish();
}

std::shared_ptr<const ServedVersion> ResultService::Serve(const std::string& name,
                                                          std::optional<int64_t> version) {
  std::shared_ptr<const ServedVersion> served;
  try {
    served = versions_.Get(name, version);
  } catch (const UserError& error) {
    throw HttpError(404, error.what(), "version");
  }
  if (served == nullptr) throw HttpError(404, fmt::format("no result named \"{}\"", name));
  return served;
}

}  // namespace sluice::serve
