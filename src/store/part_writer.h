#pragma once

#include <string>
#include <vector>

#include "catalog/column_profiler.h"
#include "catalog/version_info.h"
#include "core/batch.h"
#include "io/parquet/parquet_writer.h"

namespace sluice::store {

/// Is a part WriteParts wrote: its file name in the folder and the writer's summary.
struct WrittenPart {
  std::string file_name;
  io::ParquetFileSummary summary;
};

/// Writes the rows of `batches` into `folder` as `part-0-<n>.parquet` files of about
/// `part_rows` rows each, concurrently, each flushed to disk (fsync) when finished. Writes no
/// file when there are no rows. Every row written is also added to `profile` (the catalog's
/// column profiles, computed while writing). Throws IoError naming the file that could not be
/// written.
std::vector<WrittenPart> WriteParts(const std::string& folder, const core::SchemaPtr& schema,
                                    const std::vector<core::Batch>& batches, size_t part_rows,
                                    io::ParquetCompression compression,
                                    catalog::TableProfiler& profile);

/// Adds the rows of the Parquet files `paths` to `profile`, reading the files in parallel.
void ProfileParts(const std::vector<std::string>& paths, catalog::TableProfiler& profile);

/// Folds the statistics of a written file into `columns` (one per schema field): null counts
/// add up, minimum and maximum widen.
void MergeStatistics(std::vector<catalog::ColumnInfo>& columns, const core::Schema& schema,
                     const io::ParquetFileSummary& summary);

}  // namespace sluice::store
