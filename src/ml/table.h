#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/types.h"

namespace sluice::ml {

/// Is one column of a model's input held in memory: numbers (INTEGER, BIGINT, DOUBLE; BOOLEAN
/// as 0/1; DATE as days and TIMESTAMP as microseconds since 1970) with NaN for NULL, or texts
/// (VARCHAR) with `null` flags.
struct Column {
  std::string name;
  core::TypeId type = core::TypeId::kDouble;
  std::vector<double> numbers;
  std::vector<std::string> texts;
  std::vector<uint8_t> null;  // VARCHAR only: 1 where NULL

  bool is_text() const { return type == core::TypeId::kVarchar; }
  bool IsNull(size_t row) const;
};

/// Returns the value at `row` of `column` as text: integers without decimals, booleans as
/// true/false, doubles in their shortest form.
std::string TextAt(const Column& column, size_t row);

/// Is a model's input (training rows or rows to predict), column by column.
struct Table {
  std::vector<Column> columns;
  size_t num_rows = 0;

  /// Returns the column named `name` (exact, else ignoring case), or nullptr.
  const Column* Find(std::string_view name) const;
};

/// Returns the rows of `batches` (all of `schema`) as a table.
Table TableFromBatches(const core::Schema& schema, const std::vector<core::Batch>& batches);

/// Returns a hash of each row's values (column by column; every NaN and NULL alike), the same on
/// every platform and rank: what a row is, not where it is.
std::vector<uint64_t> HashRows(const Table& table);

/// Returns the rows `indices` of `table`, in that order.
Table SelectTableRows(const Table& table, const std::vector<size_t>& indices);

}  // namespace sluice::ml
