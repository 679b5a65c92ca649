#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice::io {

/// Says how to write a CSV file.
struct CsvWriteOptions {
  char delimiter = ',';
  bool header = true;  // a first line of column names
  char quote = '"';
};

/// Appends `text` as one CSV field: quoted when it holds the delimiter, the quote, a line break,
/// or leading or trailing spaces (or is empty), with quotes inside doubled.
void AppendCsvField(std::string_view text, const CsvWriteOptions& options, std::string* out);

/// Appends row `physical` of `batch` as one CSV line ending in `\n`: NULL as an empty unquoted
/// field, strings by AppendCsvField, other values as io/value_text.h prints them.
void AppendCsvRow(const core::Batch& batch, size_t physical, const CsvWriteOptions& options,
                  std::string* out);

/// Writes batches as CSV (RFC 4180): a field is quoted when it holds the delimiter, the quote,
/// a line break, or leading or trailing spaces, with quotes inside doubled; NULL is an empty
/// unquoted field and the empty string `""`, as the CSV reader reads them back. Values are
/// printed as io/value_text.h says. Lines end with `\n`. Not thread-safe.
class CsvWriter {
 public:
  /// Creates (or truncates) `path`; throws IoError naming the path when it cannot.
  static std::unique_ptr<CsvWriter> Create(const std::string& path, core::SchemaPtr schema,
                                           const CsvWriteOptions& options = {});
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  /// Appends the rows of `batch`, whose columns must have the writer's types.
  void Write(const core::Batch& batch);
  /// Finishes the file and returns the number of rows written. Throws IoError naming the path
  /// when the disk is full or the file cannot be written; a writer destroyed before Finish()
  /// removes its file.
  size_t Finish(bool sync = false);

 private:
  class Impl;
  explicit CsvWriter(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::io
