#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/value.h"
#include "io/parquet/format/parquet_types.h"
#include "io/parquet/parquet_schema.h"
#include "io/scan_predicate.h"

namespace sluice::io::parquet {

/// Is what statistics say about the values of a column in a row group or a page.
struct ValueRange {
  std::optional<core::Value> min;  // absent when unknown
  std::optional<core::Value> max;
  std::optional<int64_t> null_count;
  int64_t num_values = -1;  // rows covered; -1 when unknown
};

/// Decodes one bound of a statistic (the plain encoding of the column's physical type) as a
/// value of the column's type; nothing when the bytes or the type give no usable bound.
std::optional<core::Value> DecodeBound(const ColumnDescriptor& column, const std::string& bytes);

/// Returns the range a column chunk's statistics describe. Only the exact-order fields
/// (min_value / max_value) are used for strings; the deprecated min / max for other types.
ValueRange RangeOf(const ColumnDescriptor& column, const format::Statistics& statistics,
                   int64_t num_values);

/// Returns false when `range` proves that no row in it satisfies `predicate`.
bool MayMatch(const ScanPredicate& predicate, const ValueRange& range);

/// Is a sorted list of disjoint row ranges [begin, end) within a row group.
using RowRanges = std::vector<std::pair<int64_t, int64_t>>;

/// Returns the rows of both `left` and `right`.
RowRanges Intersect(const RowRanges& left, const RowRanges& right);

/// Returns the rows of the pages of a column chunk that may hold rows satisfying `predicate`,
/// using its page index; `num_rows` is the row group's row count.
RowRanges PagesThatMayMatch(const ColumnDescriptor& column, const ScanPredicate& predicate,
                            const format::ColumnIndex& column_index,
                            const format::OffsetIndex& offset_index, int64_t num_rows);

}  // namespace sluice::io::parquet
