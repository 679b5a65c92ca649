#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/value.h"
#include "testing/sqllogictest_parser.h"

namespace sluice::testing {

/// Returns `value` as sqllogictest prints it in a column of type `type`: NULL as "NULL"; 'I' as
/// an integer (booleans 1/0, reals truncated, text by its leading integer); 'R' with three
/// decimals; 'T' as text, the empty string as "(empty)", control characters as '@'.
std::string FormatValue(const core::Value& value, char type);

/// Returns every value of `batches`, row by row, formatted by the column types in `types`.
/// REQUIRES: types.size() equals the batches' number of columns.
std::vector<std::string> FormatValues(const std::vector<core::Batch>& batches,
                                      std::string_view types);

/// Sorts `values` (rows of `num_columns` values) as `mode` says, comparing text bytewise.
void SortValues(std::vector<std::string>& values, size_t num_columns, SortMode mode);

/// Returns "N values hashing to <md5>", the MD5 taken over every value followed by a newline.
std::string HashValues(const std::vector<std::string>& values);

/// Compares `actual` (sorted, formatted values) with a query record's expected lines: either
/// one "N values hashing to H" line, or values one per line (SQLite) or a row per line with
/// tab-separated values (DuckDB); expected values are sorted as the record's sort mode says.
/// Returns nothing on a match, else what differs.
std::optional<std::string> CompareValues(const std::vector<std::string>& actual,
                                         const Record& record);

}  // namespace sluice::testing
