#pragma once

// The OpenAPI 3.1 document of a workspace's service (`GET /openapi.json`), generated from the
// catalog: a path per result with its row schema and a path per model.

#include <cstdint>
#include <string>

#include "catalog/catalog_db.h"
#include "session/model_registry.h"

namespace sluice::serve {

/// Configures the generated document.
struct OpenApiOptions {
  std::string base_url = "http://127.0.0.1:7070";  // servers[0].url
  std::string version = "1.0.0";                   // info.version
  bool bearer_auth = false;                        // tokens are configured
  int64_t max_rows = 10'000;                       // the largest limit= accepted
};

/// Returns the OpenAPI 3.1 document (JSON) of the service over `catalog`:
///   - for each result (the latest version's schema): `GET /v1/results/<name>` with the
///     PostgREST query parameters and one filter parameter per column, rows as JSON, NDJSON,
///     CSV or Parquet, and `GET /v1/results/<name>/schema`; a `<Name>Row` schema with a typed,
///     nullable-when-not-NOT-NULL property per column carrying the catalog's semantics
///     (`x-semantic`, `x-pii`);
///   - for each model (the latest version): `GET /v1/models/<name>` and
///     `POST /v1/models/<name>/predict`, with `<Name>Instance`, `<Name>PredictRequest`,
///     `<Name>Prediction` and `<Name>PredictResponse` schemas typed by the trained model (its
///     input columns, label and classes) when `models` (may be null) can load it, else the
///     untyped `PredictRequest` and `PredictResponse`;
///   - `/v1/results`, `/v1/models`, `/openapi.json`, `/metrics`, `/healthz`, `/readyz`;
///   - with `bearer_auth`, a bearer security scheme, each operation naming the scope it needs.
/// Reads the catalog (one transaction per call); throws what CatalogDb throws.
std::string OpenApiDocument(catalog::CatalogDb& catalog, const OpenApiOptions& options,
                            session::ModelRegistry* models = nullptr);

}  // namespace sluice::serve
