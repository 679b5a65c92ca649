#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "io/csv/csv_writer.h"
#include "io/json/json_writer.h"
#include "io/parquet/parquet_writer.h"
#include "sql/ast.h"

namespace sluice::session {

/// Names the file formats COPY ... TO writes.
enum class CopyFormat { kParquet, kCsv, kJson };

/// Is what COPY ... TO writes: the format and the options of its writer.
struct CopyTarget {
  CopyFormat format = CopyFormat::kParquet;
  io::ParquetWriteOptions parquet;
  io::CsvWriteOptions csv;
  io::JsonWriteOptions json;
};

/// Returns the target of `statement` from its options (FORMAT, COMPRESSION, ROW_GROUP_SIZE,
/// HEADER, DELIMITER, ARRAY), the format from the path's extension when FORMAT is not given.
/// Throws UserError naming the option for an unknown format or option, or a bad value.
CopyTarget ParseCopyTarget(const sql::CopyStatement& statement);

/// Writes `batches` (their first schema->num_fields() columns) to `path` as `target` says:
/// into a temporary file beside `path`, renamed onto it once complete, so a failed COPY leaves
/// no partial file. Returns the number of rows written. Throws IoError naming `path`.
size_t WriteCopyFile(const std::string& path, const CopyTarget& target,
                     const core::SchemaPtr& schema, const std::vector<core::Batch>& batches);

}  // namespace sluice::session
