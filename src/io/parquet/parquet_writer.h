#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "core/value.h"

namespace sluice::io {

/// Names the compression of the pages a writer produces.
enum class ParquetCompression { kZstd, kSnappy, kGzip, kLz4Raw, kUncompressed };

/// Configures a Parquet writer.
struct ParquetWriteOptions {
  ParquetCompression compression = ParquetCompression::kZstd;
  /// Rows per row group (the last may hold fewer).
  size_t row_group_rows = 1 << 20;
  /// Dictionary-encodes a column chunk when that makes it smaller.
  bool dictionary = true;
  /// Flushes the file to disk (fsync) when it is finished.
  bool sync = false;
};

/// Summarizes one column of a written file.
struct ParquetColumnSummary {
  int64_t null_count = 0;
  core::Value min = core::Value::Null(core::TypeId::kVarchar);  // NULL when all values are
  core::Value max = core::Value::Null(core::TypeId::kVarchar);
};

/// Summarizes a written file.
struct ParquetFileSummary {
  int64_t num_rows = 0;
  int64_t file_bytes = 0;
  std::vector<ParquetColumnSummary> columns;  // in schema order
};

/// Writes batches of one schema to a Parquet file. Not thread-safe; it encodes in parallel
/// internally. A writer destroyed without Finish() (or whose Finish() failed) removes the file,
/// so no file that looks complete is left behind. Write() keeps shared references to the
/// batch's vectors until its rows are written; they must not be modified meanwhile.
class ParquetWriter {
 public:
  virtual ~ParquetWriter() = default;
  /// Appends the rows of `batch` (its schema must be the writer's).
  virtual void Write(const core::Batch& batch) = 0;
  /// Writes the last row group and the footer, closes the file and returns its summary.
  /// Throws IoError naming the path when the disk is full or the file cannot be written.
  virtual ParquetFileSummary Finish() = 0;
};

/// Creates (or truncates) `path` for writing `schema`. Throws IoError when it cannot.
std::unique_ptr<ParquetWriter> CreateParquetWriter(const std::string& path, core::SchemaPtr schema,
                                                   const ParquetWriteOptions& options = {});

}  // namespace sluice::io
