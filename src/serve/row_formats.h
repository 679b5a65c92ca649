#pragma once

// Rows encoded for an HTTP response, batch by batch so large results stream.

#include <memory>
#include <string>
#include <string_view>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice::serve {

/// Is a response format.
enum class RowFormat { kJson, kNdjson, kCsv, kParquet };

/// Returns the format `format=` names ("json", "ndjson", "csv", "parquet"), else the one the
/// Accept header prefers by q-value (application/json, application/x-ndjson, text/csv,
/// application/vnd.apache.parquet; JSON for */*, application/* or no header; CSV for text/*;
/// equal q-values: the first listed). Throws HttpError 400 (parameter "format") for an
/// unknown format name, or 406 for an Accept nothing matches.
RowFormat ChooseRowFormat(std::string_view format_parameter, std::string_view accept_header);

/// Returns the Content-Type of `format`.
const char* ContentType(RowFormat format);

/// Encodes rows of one schema: Begin, Encode per batch, End; the concatenation is the body.
/// JSON: an array of objects, a row per line; NDJSON: an object per line; CSV: a header line
/// then RFC 4180 rows; Parquet: a whole file (Encode buffers in a temporary file; End returns
/// all of it). Values are typed as io/json and io/csv write them: numbers bare, BOOLEAN
/// true/false, NULL null (CSV: an empty field), DATE and TIMESTAMP as ISO text
/// ("2024-01-31", "2024-01-31 12:00:00.5"). Not thread-safe.
class RowEncoder {
 public:
  /// Makes an encoder of `format` for rows of `schema`. Throws IoError when a Parquet encoder
  /// cannot make its temporary file.
  static std::unique_ptr<RowEncoder> Make(RowFormat format, core::SchemaPtr schema);
  RowEncoder() = default;
  virtual ~RowEncoder() = default;
  RowEncoder(const RowEncoder&) = delete;
  RowEncoder& operator=(const RowEncoder&) = delete;

  /// Returns the bytes that start the body. Call once, first.
  virtual std::string Begin() = 0;
  /// Returns the bytes of the rows of `batch`, whose columns have the schema's types.
  virtual std::string Encode(const core::Batch& batch) = 0;
  /// Returns the bytes that end the body. Call once, last.
  virtual std::string End() = 0;
};

}  // namespace sluice::serve
