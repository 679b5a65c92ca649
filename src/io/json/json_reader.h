#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/types.h"
#include "io/batch_reader.h"

namespace sluice::io {

/// Names the layout of a JSON input: one object per line, or one top-level array of objects.
enum class JsonFormat {
  kAuto,   // an array when the first non-space character is '[', else lines
  kLines,  // NDJSON: one object per non-blank line
  kArray,  // `[{...}, {...}]`, pretty-printed or not
};

/// Names how nested objects become columns.
enum class NestedMode {
  kFlatten,     // {"a": {"b": 1}} gives a column `a.b`
  kJsonString,  // {"a": {"b": 1}} gives a VARCHAR column `a` holding `{"b":1}`
};

/// Configures a JSON reader.
struct JsonOptions {
  JsonFormat format = JsonFormat::kAuto;
  NestedMode nested = NestedMode::kFlatten;
  /// Records used for schema inference; 0 means all of them.
  size_t sample_rows = 20480;
  /// Types forced by the user, by column name; these are never widened.
  std::map<std::string, core::TypeId> column_types;
  /// Projection: only these columns, in this order; empty means all.
  std::vector<std::string> columns;
  /// Threads used for conversion; 0 means ThreadCount().
  size_t threads = 0;
  /// Input bytes converted per step, which bounds memory; 0 means 32 MiB. Types can still be
  /// widened while the first step is converted, so this is also how far widening reaches.
  size_t window_bytes = 0;
};

/// Opens a JSON-lines or JSON-array file (plain, .gz or .zst) and infers its schema.
/// Throws IoError when the file cannot be read and DataError when its start is malformed.
/// An empty (or whitespace-only) file and `[]` give zero rows and an empty schema.
std::unique_ptr<BatchReader> OpenJson(const std::string& path, const JsonOptions& options = {});

/// Opens JSON held in memory; `name` stands for the file name in error messages.
std::unique_ptr<BatchReader> OpenJsonBuffer(std::string bytes, std::string name,
                                            const JsonOptions& options = {});

}  // namespace sluice::io
