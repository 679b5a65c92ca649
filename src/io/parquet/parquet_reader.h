#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/batch_reader.h"
#include "io/scan_predicate.h"

namespace sluice::io {

/// Configures a Parquet reader.
struct ParquetOptions {
  /// Projection: only these columns, in the file's order; empty means all.
  std::vector<std::string> columns;
  /// Conjuncts of the query's filter: row groups (and pages, where the file has a page index)
  /// whose statistics prove that no row matches are skipped. Rows that are read are not
  /// filtered, so the engine still applies the filter.
  std::vector<ScanPredicate> predicates;
  /// Threads decoding row groups; 0 means ThreadCount().
  size_t threads = 0;
};

/// Opens a Parquet file. Throws IoError when it cannot be read and DataError naming the file
/// (and row group and column) when it is not valid Parquet or uses what Sluice cannot read.
std::unique_ptr<BatchReader> OpenParquet(const std::string& path,
                                         const ParquetOptions& options = {});

/// Reads Parquet bytes held in memory, which must outlive the reader; `name` is used in errors.
std::unique_ptr<BatchReader> OpenParquetBuffer(std::string_view bytes, const std::string& name,
                                               const ParquetOptions& options = {});

}  // namespace sluice::io
