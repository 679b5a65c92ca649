#include "store/part_writer.h"

#include <mutex>

#include <fmt/format.h>

#include "base/error.h"
#include "base/task.h"
#include "io/parquet/parquet_reader.h"

namespace sluice::store {
namespace {

// Returns [first, last) batch ranges holding about `part_rows` rows each.
std::vector<std::pair<size_t, size_t>> SplitIntoParts(const std::vector<core::Batch>& batches,
                                                      size_t part_rows) {
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t first = 0;
  size_t rows = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    rows += batches[i].num_rows();
    if (rows >= part_rows) {
      ranges.emplace_back(first, i + 1);
      first = i + 1;
      rows = 0;
    }
  }
  if (rows > 0) ranges.emplace_back(first, batches.size());
  return ranges;
}

// Returns -1, 0 or 1 comparing two non-NULL values of the same type.
int Compare(const core::Value& left, const core::Value& right) {
  auto three_way = [](const auto& a, const auto& b) { return a < b ? -1 : (b < a ? 1 : 0); };
  switch (left.type()) {
    case core::TypeId::kDouble:
      return three_way(left.GetDouble(), right.GetDouble());
    case core::TypeId::kVarchar:
      return three_way(left.GetString(), right.GetString());
    default:
      return three_way(left.GetInt64(), right.GetInt64());
  }
}

// Returns `value` as `type`, or NULL when it does not convert.
core::Value As(const core::Value& value, core::TypeId type) {
  if (value.is_null() || value.type() == type) return value;
  try {
    return value.CastTo(type);
  } catch (const Error&) {
    return core::Value::Null(type);
  }
}

}  // namespace

std::vector<WrittenPart> WriteParts(const std::string& folder, const core::SchemaPtr& schema,
                                    const std::vector<core::Batch>& batches, size_t part_rows,
                                    io::ParquetCompression compression,
                                    catalog::TableProfiler& profile) {
  auto ranges = SplitIntoParts(batches, std::max<size_t>(part_rows, 1));
  std::vector<WrittenPart> parts(ranges.size());
  io::ParquetWriteOptions options;
  options.compression = compression;
  options.sync = true;
  std::mutex mutex;
  ParallelFor(ranges.size(), [&](size_t p) {
    parts[p].file_name = fmt::format("part-0-{}.parquet", p);
    auto writer = io::CreateParquetWriter(folder + "/" + parts[p].file_name, schema, options);
    catalog::TableProfiler part_profile(*schema);
    for (size_t b = ranges[p].first; b < ranges[p].second; ++b) {
      if (batches[b].num_rows() == 0) continue;
      // Query results may carry hidden sort columns after the visible ones.
      core::Batch visible = batches[b].Share(schema);
      part_profile.AddBatch(visible);
      writer->Write(visible);
    }
    parts[p].summary = writer->Finish();
    std::lock_guard lock(mutex);
    profile.Merge(std::move(part_profile));
  });
  return parts;
}

void ProfileParts(const std::vector<std::string>& paths, catalog::TableProfiler& profile) {
  std::mutex mutex;
  ParallelFor(paths.size(), [&](size_t p) {
    auto reader = io::OpenParquet(paths[p]);
    catalog::TableProfiler part_profile(*reader->schema());
    while (auto batch = reader->Next()) part_profile.AddBatch(*batch);
    std::lock_guard lock(mutex);
    profile.Merge(std::move(part_profile));
  });
}

void MergeStatistics(std::vector<catalog::ColumnInfo>& columns, const core::Schema& schema,
                     const io::ParquetFileSummary& summary) {
  for (size_t c = 0; c < columns.size() && c < summary.columns.size(); ++c) {
    catalog::ColumnInfo& column = columns[c];
    const io::ParquetColumnSummary& part = summary.columns[c];
    core::TypeId type = schema.field(c).type;
    column.null_count += part.null_count;
    core::Value min = As(part.min, type);
    core::Value max = As(part.max, type);
    if (!min.is_null() && (column.min.is_null() || Compare(min, column.min) < 0)) column.min = min;
    if (!max.is_null() && (column.max.is_null() || Compare(max, column.max) > 0)) column.max = max;
  }
}

}  // namespace sluice::store
