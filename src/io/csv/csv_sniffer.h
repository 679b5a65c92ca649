#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "io/csv/csv_reader.h"
#include "io/csv/csv_tokenizer.h"

namespace sluice::io::csv {

/// Is what sniffing learned about a file: its dialect, where its data starts, its columns.
struct CsvLayout {
  CsvDialect dialect;
  size_t data_start = 0;  // offset of the first data record
  std::vector<std::string> names;
  std::vector<core::TypeId> types;  // inferred from the sample, before any forced type
};

/// Sniffs the delimiter, the header, the column names and types of the CSV text in `buffer`.
/// Types come from options.sample_rows rows at the start and, with `spread_samples`, as many
/// again from ten places further in, the last at the very end. Throws DataError naming `name`
/// for an empty file.
CsvLayout SniffCsv(std::string_view buffer, const std::string& name, const CsvOptions& options,
                   bool spread_samples);

/// Returns the 1-based line and byte column of `offset` in `buffer`.
std::pair<size_t, size_t> LineAndColumn(std::string_view buffer, size_t offset);

}  // namespace sluice::io::csv
