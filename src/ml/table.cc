#include "ml/table.h"

#include <bit>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "base/strings.h"

namespace sluice::ml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double NumberAt(const core::Vector& vector, size_t row) {
  if (vector.IsNull(row)) return kNaN;
  switch (vector.type()) {
    case core::TypeId::kBoolean:
      return vector.data<uint8_t>()[row] != 0 ? 1 : 0;
    case core::TypeId::kInteger:
    case core::TypeId::kDate:
      return vector.data<int32_t>()[row];
    case core::TypeId::kBigint:
    case core::TypeId::kTimestamp:
      return static_cast<double>(vector.data<int64_t>()[row]);
    case core::TypeId::kDouble:
      return vector.data<double>()[row];
    case core::TypeId::kVarchar:
      break;
  }
  return kNaN;
}

void AppendBatch(const core::Batch& batch, std::vector<Column>& columns) {
  for (size_t c = 0; c < columns.size(); ++c) {
    const core::Vector& vector = batch.column(c);
    Column& column = columns[c];
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      size_t row = batch.PhysicalRow(r);
      if (!column.is_text()) {
        column.numbers.push_back(NumberAt(vector, row));
      } else if (vector.IsNull(row)) {
        column.texts.emplace_back();
        column.null.push_back(1);
      } else {
        column.texts.emplace_back(vector.GetString(row));
        column.null.push_back(0);
      }
    }
  }
}

}  // namespace

bool Column::IsNull(size_t row) const {
  return is_text() ? null[row] != 0 : std::isnan(numbers[row]);
}

std::string TextAt(const Column& column, size_t row) {
  if (column.is_text()) return column.texts[row];
  double value = column.numbers[row];
  switch (column.type) {
    case core::TypeId::kBoolean:
      return value != 0 ? "true" : "false";
    case core::TypeId::kDouble:
      return fmt::format("{}", value);
    default:
      return fmt::format("{}", static_cast<int64_t>(value));
  }
}

const Column* Table::Find(std::string_view name) const {
  for (const Column& column : columns) {
    if (column.name == name) return &column;
  }
  for (const Column& column : columns) {
    if (EqualsIgnoreCase(column.name, name)) return &column;
  }
  return nullptr;
}

Table TableFromBatches(const core::Schema& schema, const std::vector<core::Batch>& batches) {
  Table table;
  for (const core::Field& field : schema.fields()) {
    table.columns.push_back(Column{field.name, field.type, {}, {}, {}});
  }
  for (const core::Batch& batch : batches) {
    AppendBatch(batch, table.columns);
    table.num_rows += batch.num_rows();
  }
  return table;
}

Table SelectTableRows(const Table& table, const std::vector<size_t>& indices) {
  Table out;
  out.num_rows = indices.size();
  for (const Column& column : table.columns) {
    Column selected{column.name, column.type, {}, {}, {}};
    for (size_t index : indices) {
      if (column.is_text()) {
        selected.texts.push_back(column.texts[index]);
        selected.null.push_back(column.null[index]);
      } else {
        selected.numbers.push_back(column.numbers[index]);
      }
    }
    out.columns.push_back(std::move(selected));
  }
  return out;
}

namespace {

// Returns `state` mixed with `value` (SplitMix64's finalizer over their combination).
uint64_t Mix(uint64_t state, uint64_t value) {
  uint64_t z = state ^ (value + 0x9e3779b97f4a7c15 + (state << 6) + (state >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<uint64_t> HashRows(const Table& table) {
  std::vector<uint64_t> hashes(table.num_rows, 0);
  for (const Column& column : table.columns) {
    for (size_t row = 0; row < table.num_rows; ++row) {
      uint64_t value = 0x6e756c6c;  // NULL
      if (!column.IsNull(row) && column.is_text()) {
        for (unsigned char c : column.texts[row]) value = Mix(value, c);
        value = Mix(value, column.texts[row].size());
      } else if (!column.IsNull(row)) {
        const double number = column.numbers[row] == 0 ? 0.0 : column.numbers[row];  // -0 as 0
        value = std::bit_cast<uint64_t>(number);
      }
      hashes[row] = Mix(hashes[row], value);
    }
  }
  return hashes;
}

}  // namespace sluice::ml
