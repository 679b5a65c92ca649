#pragma once

// The routes of the access layer over one workspace: every result as a REST resource, its
// schema, every model with its predictions, the OpenAPI document, metrics and health.

#include <memory>
#include <mutex>
#include <string>

#include "serve/auth.h"
#include "serve/http.h"
#include "serve/metrics.h"
#include "serve/response_cache.h"
#include "serve/row_formats.h"
#include "serve/rows_query.h"
#include "serve/serve_config.h"
#include "serve/version_cache.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::serve {

/// Serves the results and models of a workspace:
///   GET  /v1/results                  the results: name, version, rows, updated, links
///   GET  /v1/results/{name}           rows (PostgREST query string; JSON, NDJSON, CSV, Parquet)
///   GET  /v1/results/{name}/schema    columns, types, semantics, statistics, lineage, versions
///   GET  /v1/models                   the models: name, version, model_type, created, metrics
///   GET  /v1/models/{name}            options, metrics, hyperparameters, details, features,
///                                     label and classes, versions
///   POST /v1/models/{name}/predict    {"instances": [...]} -> {"predictions": [...]} (see
///                                     predict_request.h)
///   GET  /openapi.json  /metrics  /healthz  /readyz
/// Each rows request reads one whole version (the latest when it starts, or `version=`); each
/// predict request uses the latest model version when it starts. Results need the scope
/// `read:<name>`, models `predict:<name>` (listings show only what the token may use).
/// Thread-safe: requests are handled concurrently.
class ResultService {
 public:
  /// Is the most rows a version may have for its rows to be held in memory with a key index.
  static constexpr size_t kMaxIndexedRows = 1 << 20;

  /// Serves `database` (a workspace) as `config` says; `base_url` (scheme://host:port) is what
  /// the OpenAPI document names as its server and links start with, unless
  /// `config.trust_forwarded_headers` lets a request's X-Forwarded-* headers say otherwise.
  ResultService(session::Database& database, const ServeConfig& config, std::string base_url);

  /// Answers `request`; throws HttpError for what ends it with a 4xx.
  void Handle(const HttpRequest& request, ResponseWriter& response);
  /// Sets the base URL the OpenAPI document and the listings name (once the port is known).
  void set_base_url(std::string base_url);
  /// Returns the request counters and latency histograms.
  Metrics& metrics() { return metrics_; }
  /// Returns the versions it serves.
  VersionCache& versions() { return versions_; }
  /// Returns the route template of `path`, as metrics label requests ("/v1/results/{name}",
  /// "/v1/models/{name}/predict"; "other" for paths that are no route).
  static std::string RouteOf(const std::string& path);

 private:
  void Route(const HttpRequest& request, ResponseWriter& response);
  bool AllowsOrigin(const std::string& origin) const;
  void ListResults(const Principal& principal, const std::string& base_url,
                   ResponseWriter& response);
  void Rows(const HttpRequest& request, const Principal& principal, const std::string& name,
            ResponseWriter& response);
  void Schema(const Principal& principal, const std::string& name, ResponseWriter& response);
  void Ready(ResponseWriter& response);
  // In result_service_models.cc: the model routes.
  void ListModels(const Principal& principal, const std::string& base_url,
                  ResponseWriter& response);
  void DescribeModel(const Principal& principal, const std::string& name,
                     const std::string& base_url, ResponseWriter& response);
  void Predict(const HttpRequest& request, const Principal& principal, const std::string& name,
               ResponseWriter& response);
  // Returns the latest version of model `name`; HttpError 404 when there is none.
  std::shared_ptr<const session::ModelVersion> FindModel(const std::string& name);
  // Returns the base URL of links in the answer to `request`.
  std::string BaseUrl(const HttpRequest& request) const;
  // Returns the version a rows request reads; HttpError 404 when there is none.
  std::shared_ptr<const ServedVersion> Serve(const std::string& name,
                                             std::optional<int64_t> version);
  // Answers `rows` from `served` (with its key index, or a query), masking the columns `pii`
  // marks; returns what was sent when it was sent whole.
  std::optional<CachedResponse> Answer(const RowsQuery& rows, const std::string& name,
                                       const std::shared_ptr<const ServedVersion>& served,
                                       RowFormat format, const std::vector<bool>& pii,
                                       ResponseWriter& response);
  // Returns the answer to `rows` from the version's key index when it asks for one key value
  // (`key=eq.v`), or nothing when the index cannot answer it.
  std::optional<core::Batch> LookUp(const RowsQuery& rows, const ServedVersion& served,
                                    const core::Schema& schema);
  // Returns the rows the query of `rows` reads from memory: when an `eq` filter's column has
  // been grouped, the batches holding its value (the narrowest such), else every row; null
  // when the version is not held in memory (not yet prepared, or too large). Asks for the
  // groups of the `eq` filters' columns not grouped yet.
  std::shared_ptr<const std::vector<core::Batch>> RowsToQuery(
      const RowsQuery& rows, const std::shared_ptr<const ServedVersion>& served,
      const core::Schema& schema);
  // Sends `batches` (of one schema; their columns are columns of `schema`), masking the
  // columns `pii` marks (per column of `schema`; empty: none). Returns the body when it was
  // sent whole (small enough), nothing when it was streamed.
  std::optional<std::string> SendRows(RowFormat format, const std::vector<core::Batch>& batches,
                                      const core::Schema& schema, const std::vector<bool>& pii,
                                      const Fields& headers, ResponseWriter& response);

  session::Database& database_;
  ServeConfig config_;
  mutable std::mutex base_url_mutex_;
  std::string base_url_;
  Authorizer authorizer_;
  Metrics metrics_;
  VersionCache versions_;
};

}  // namespace sluice::serve
