#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice::io {

/// Appends value `physical` of `vector` as a JSON value, as JsonWriter writes it.
void AppendJsonValue(const core::Vector& vector, size_t physical, std::string* out);

/// Says how to write JSON.
struct JsonWriteOptions {
  /// Writes one top-level array of objects instead of one object per line (NDJSON).
  bool array = false;
};

/// Writes batches as JSON objects, one per row with the columns as keys in schema order:
/// NULL as null, booleans and numbers bare, doubles as io/value_text.h prints them (NaN and
/// infinities, which JSON cannot hold, as null), strings, dates and timestamps as JSON strings
/// (`"2024-01-31"`, `"2024-01-31 12:00:00.5"`) that the JSON reader reads back as such. Not
/// thread-safe.
class JsonWriter {
 public:
  /// Creates (or truncates) `path`; throws IoError naming the path when it cannot.
  static std::unique_ptr<JsonWriter> Create(const std::string& path, core::SchemaPtr schema,
                                            const JsonWriteOptions& options = {});
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  /// Appends the rows of `batch`, whose columns must have the writer's types.
  void Write(const core::Batch& batch);
  /// Finishes the file and returns the number of rows written. Throws IoError naming the path
  /// when the disk is full or the file cannot be written; a writer destroyed before Finish()
  /// removes its file.
  size_t Finish(bool sync = false);

 private:
  class Impl;
  explicit JsonWriter(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::io
