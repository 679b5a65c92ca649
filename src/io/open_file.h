#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/batch_reader.h"
#include "io/scan_predicate.h"

namespace sluice::io {

/// Names the file formats Sluice reads.
enum class FileFormat { kCsv, kJson, kParquet };

/// Returns the format of `path` from its extension, ignoring .gz/.zst (.csv .tsv .txt → CSV;
/// .json .jsonl .ndjson → JSON; .parquet .parq → Parquet), or nothing for an unknown extension.
std::optional<FileFormat> FormatOfPath(std::string_view path);

/// Returns "csv", "json" or "parquet".
std::string_view FormatName(FileFormat format);

/// Opens `path` with the reader its extension names, default options (TSV: tab-delimited).
/// A path with `*`, `?` or `[` is a glob: every matching file, in name order, read as one
/// table (they must have the same columns).
/// Throws UserError for an unknown extension, IoError/DataError from the reader.
/// With `columns`, only those columns are read (in the file's order when given in it).
/// `predicates` let readers that keep statistics (Parquet) skip data; rows are not filtered.
std::unique_ptr<BatchReader> OpenFile(const std::string& path,
                                      const std::vector<std::string>& columns = {},
                                      const std::vector<ScanPredicate>& predicates = {});

}  // namespace sluice::io
