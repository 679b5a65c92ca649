#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/schema.h"
#include "core/value.h"
#include "core/vector.h"

namespace sluice::core {

/// Is a list of row positions into a batch's vectors: the rows that are "in" the batch.
using SelectionVector = std::vector<uint32_t>;

/// Is a schema plus one vector per field, all of the same length, and optionally a selection
/// vector naming which of those rows the batch holds. Movable, not copyable.
class Batch {
 public:
  /// Makes an empty batch with vectors of `capacity` values for every field of `schema`.
  explicit Batch(SchemaPtr schema, size_t capacity = kVectorSize);
  /// Makes a batch whose vectors are Vector::ForOverwrite: the caller writes all `capacity`
  /// values of every column before the batch is read.
  Batch(SchemaPtr schema, size_t capacity, Vector::ForOverwrite);
  Batch(Batch&&) = default;
  Batch& operator=(Batch&&) = default;

  const Schema& schema() const { return *schema_; }
  const SchemaPtr& schema_ptr() const { return schema_; }
  size_t num_columns() const { return columns_.size(); }
  Vector& column(size_t i) { return columns_[i]; }
  const Vector& column(size_t i) const { return columns_[i]; }

  /// Returns the number of rows the batch holds (the selection's size when there is one).
  size_t num_rows() const { return selection_ ? selection_->size() : num_physical_rows_; }
  /// Returns the number of values in each vector, selected or not.
  size_t num_physical_rows() const { return num_physical_rows_; }
  /// Sets the number of values in use in every vector.
  void SetNumRows(size_t rows);

  const std::optional<SelectionVector>& selection() const { return selection_; }
  void SetSelection(SelectionVector selection) { selection_ = std::move(selection); }
  /// Returns the physical position of logical row `row`.
  size_t PhysicalRow(size_t row) const { return selection_ ? (*selection_)[row] : row; }

  /// Returns the value at logical `row` of column `column`.
  Value GetValue(size_t column, size_t row) const;
  /// Appends one row of values (cast to the column types). REQUIRES: no selection, room left.
  void AppendRow(const std::vector<Value>& row);
  /// Returns a batch that shows this one's first columns (as many as `schema` has; all when
  /// null), sharing the vectors and the selection instead of copying values.
  Batch Share(SchemaPtr schema = nullptr) const;
  /// Returns about how many bytes the batch's vectors and string heaps hold.
  size_t MemoryBytes() const;
  /// Returns the batch as text, a row per line with values separated by `|` (for tests).
  std::string ToString() const;

 private:
  SchemaPtr schema_;
  std::vector<Vector> columns_;
  size_t num_physical_rows_ = 0;
  std::optional<SelectionVector> selection_;
};

}  // namespace sluice::core
