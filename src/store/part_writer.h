#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/column_profiler.h"
#include "catalog/version_info.h"
#include "core/batch.h"
#include "io/parquet/parquet_writer.h"

namespace sluice::store {

/// Is a part WriteParts wrote: its position among the commit's parts, its file name in the
/// folder and the writer's summary.
struct WrittenPart {
  size_t index = 0;
  std::string file_name;
  io::ParquetFileSummary summary;
};

/// Says which parts of a commit this writer writes when several write one version together
/// (the ranks of a job, each holding all the rows): part p is written by writer p % size.
struct PartShare {
  int rank = 0;
  int size = 1;
};

/// Writes this writer's share of the rows of `batches` into `folder` as
/// `part-<rank>-<n>.parquet` files of about `part_rows` rows each, concurrently, each flushed to
/// disk (fsync) when finished, and returns them in part order. Writes no file when there are no
/// rows. When `profile` is not null every row is added to it, those of parts other writers
/// write included (the catalog's column profiles, computed while writing). Throws IoError naming
/// the file that could not be written.
std::vector<WrittenPart> WriteParts(const std::string& folder, const core::SchemaPtr& schema,
                                    const std::vector<core::Batch>& batches, size_t part_rows,
                                    io::ParquetCompression compression, PartShare share,
                                    catalog::TableProfiler* profile);

/// Returns `parts` as bytes for another process (statistics bit for bit), and back.
std::string EncodeParts(const std::vector<WrittenPart>& parts);
/// Throws InternalError when `bytes` were not made by EncodeParts.
std::vector<WrittenPart> DecodeParts(std::string_view bytes);

/// Adds the rows of the Parquet files `paths` to `profile`, reading the files in parallel.
void ProfileParts(const std::vector<std::string>& paths, catalog::TableProfiler& profile);

/// Folds the statistics of a written file into `columns` (one per schema field): null counts
/// add up, minimum and maximum widen.
void MergeStatistics(std::vector<catalog::ColumnInfo>& columns, const core::Schema& schema,
                     const io::ParquetFileSummary& summary);

}  // namespace sluice::store
