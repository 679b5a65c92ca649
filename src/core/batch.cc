#include "core/batch.h"

#include "base/error.h"

namespace sluice::core {

Batch::Batch(SchemaPtr schema, size_t capacity) : schema_(std::move(schema)) {
  columns_.reserve(schema_->num_fields());
  for (const Field& field : schema_->fields()) columns_.emplace_back(field.type, capacity);
}

Batch::Batch(SchemaPtr schema, size_t capacity, Vector::ForOverwrite overwrite)
    : schema_(std::move(schema)) {
  columns_.reserve(schema_->num_fields());
  for (const Field& field : schema_->fields()) {
    columns_.emplace_back(field.type, capacity, overwrite);
  }
}

void Batch::SetNumRows(size_t rows) {
  num_physical_rows_ = rows;
  for (Vector& column : columns_) column.set_size(rows);
}

Value Batch::GetValue(size_t column, size_t row) const {
  return columns_[column].GetValue(PhysicalRow(row));
}

void Batch::AppendRow(const std::vector<Value>& row) {
  SLUICE_CHECK(!selection_ && row.size() == columns_.size());
  size_t at = num_physical_rows_;
  SLUICE_CHECK(columns_.empty() || at < columns_[0].capacity());
  for (size_t i = 0; i < columns_.size(); ++i) {
    columns_[i].set_size(at + 1);
    columns_[i].SetValue(at, row[i]);
  }
  num_physical_rows_ = at + 1;
}

Batch Batch::Share(SchemaPtr schema) const {
  if (schema == nullptr) schema = schema_;
  SLUICE_CHECK(schema->num_fields() <= columns_.size());
  Batch shared(schema, 0);
  for (size_t c = 0; c < shared.columns_.size(); ++c) shared.columns_[c].Reference(columns_[c]);
  shared.num_physical_rows_ = num_physical_rows_;
  shared.selection_ = selection_;
  return shared;
}

size_t Batch::MemoryBytes() const {
  size_t bytes = 0;
  for (const Vector& column : columns_) {
    bytes += column.capacity() * TypeWidth(column.type()) + column.capacity() / 8;
    if (column.heap_ptr() != nullptr) bytes += column.heap_ptr()->allocated_bytes();
  }
  return bytes;
}

std::string Batch::ToString() const {
  std::string text;
  for (size_t row = 0; row < num_rows(); ++row) {
    for (size_t column = 0; column < columns_.size(); ++column) {
      if (column > 0) text += '|';
      text += GetValue(column, row).ToString();
    }
    text += '\n';
  }
  return text;
}

}  // namespace sluice::core
