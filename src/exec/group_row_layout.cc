#include "exec/group_row_layout.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace sluice::exec {
namespace {

using core::StringRef;
using core::TypeId;
using core::Vector;

// Returns the bits a DOUBLE key is stored as: -0.0 groups with 0.0, and all NaNs together.
uint64_t DoubleKeyBits(double value) {
  if (value == 0) return 0;
  if (value != value) return 0x7ff8000000000000ULL;
  return std::bit_cast<uint64_t>(value);
}

StringRef LoadString(const std::byte* stored) {
  StringRef value;
  std::memcpy(&value, stored, sizeof value);
  return value;
}

// Stores value i of the key column `keys` into `rows[i] + offset` through
// `store(destination, i)`, for i in [0, count); NULLs set the flag byte at `flag` instead.
// The type and validity tests stay outside the row loop.
template <typename Store>
void StoreColumn(const Vector& keys, size_t count, std::byte* const* rows, size_t offset,
                 size_t flag, Store store) {
  if (keys.validity().all_valid()) {
    for (size_t i = 0; i < count; ++i) store(rows[i] + offset, i);
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    if (keys.IsNull(i)) {
      rows[i][flag] = std::byte{1};  // the value bytes stay zero
      continue;
    }
    store(rows[i] + offset, i);
  }
}

// Writes the values of a fixed-width key column of `T` from `rows` into `column`.
template <typename T>
void ScanColumn(std::span<const std::byte* const> rows, size_t offset, size_t flag,
                Vector& column) {
  T* values = column.data<T>();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i][flag] != std::byte{0}) {
      column.SetNull(i);
      continue;
    }
    std::memcpy(values + i, rows[i] + offset, sizeof(T));
  }
}

}  // namespace

GroupRowLayout::GroupRowLayout(std::vector<TypeId> key_types,
                               std::vector<const AggregateFunction*> aggregates)
    : key_types_(std::move(key_types)), aggregates_(std::move(aggregates)) {
  size_t offset = key_types_.size();  // the NULL flags come first
  for (TypeId type : key_types_) {
    key_offsets_.push_back(offset);
    key_widths_.push_back(core::TypeWidth(type));
    offset += key_widths_.back();
    has_varchar_ = has_varchar_ || type == TypeId::kVarchar;
  }
  keys_end_ = offset;
  offset = (offset + 7) / 8 * 8;
  for (const AggregateFunction* aggregate : aggregates_) {
    state_offsets_.push_back(offset);
    offset += (aggregate->state_size + 7) / 8 * 8;
    has_destroy_ = has_destroy_ || aggregate->destroy != nullptr;
  }
  row_width_ = std::max<size_t>(offset, 8);
  if (has_destroy_) return;
  initial_row_.assign(row_width_, std::byte{0});
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    aggregates_[a]->initialize(initial_row_.data() + state_offsets_[a]);
  }
}

void GroupRowLayout::InitializeRow(std::byte* row) const {
  if (!initial_row_.empty()) {
    std::memcpy(row, initial_row_.data(), row_width_);
  } else {
    std::memset(row, 0, keys_end_);
    for (size_t a = 0; a < aggregates_.size(); ++a) {
      aggregates_[a]->initialize(row + state_offsets_[a]);
    }
  }
}

void GroupRowLayout::StoreKeys(std::byte* row, std::span<const Vector* const> keys, size_t i,
                               core::StringHeap& heap) const {
  for (size_t k = 0; k < keys.size(); ++k) {
    std::byte* stored = row + key_offsets_[k];
    if (keys[k]->IsNull(i)) {
      row[null_flag_offset(k)] = std::byte{1};
      std::memset(stored, 0, key_widths_[k]);
      continue;
    }
    row[null_flag_offset(k)] = std::byte{0};
    if (key_types_[k] == TypeId::kVarchar) {
      StringRef value = heap.Add(keys[k]->data<StringRef>()[i].view());
      std::memcpy(stored, &value, sizeof value);
    } else if (key_types_[k] == TypeId::kDouble) {
      uint64_t bits = DoubleKeyBits(keys[k]->data<double>()[i]);
      std::memcpy(stored, &bits, 8);
    } else {
      std::memcpy(stored, keys[k]->data<std::byte>() + i * key_widths_[k], key_widths_[k]);
    }
  }
}

void GroupRowLayout::StoreKeyColumn(size_t k, const Vector& keys, size_t count,
                                    std::byte* const* rows, core::StringHeap& heap) const {
  size_t offset = key_offsets_[k];
  size_t flag = null_flag_offset(k);
  switch (key_types_[k]) {
    case TypeId::kVarchar: {
      const StringRef* values = keys.data<StringRef>();
      return StoreColumn(keys, count, rows, offset, flag, [&](std::byte* stored, size_t i) {
        StringRef value = values[i].is_inlined() ? values[i] : heap.Add(values[i].view());
        std::memcpy(stored, &value, sizeof value);
      });
    }
    case TypeId::kDouble: {
      const double* values = keys.data<double>();
      return StoreColumn(keys, count, rows, offset, flag, [&](std::byte* stored, size_t i) {
        uint64_t bits = DoubleKeyBits(values[i]);
        std::memcpy(stored, &bits, 8);
      });
    }
    case TypeId::kBigint:
    case TypeId::kTimestamp: {
      const int64_t* values = keys.data<int64_t>();
      return StoreColumn(keys, count, rows, offset, flag,
                         [&](std::byte* stored, size_t i) { std::memcpy(stored, values + i, 8); });
    }
    case TypeId::kInteger:
    case TypeId::kDate: {
      const int32_t* values = keys.data<int32_t>();
      return StoreColumn(keys, count, rows, offset, flag,
                         [&](std::byte* stored, size_t i) { std::memcpy(stored, values + i, 4); });
    }
    case TypeId::kBoolean: {
      const uint8_t* values = keys.data<uint8_t>();
      return StoreColumn(keys, count, rows, offset, flag,
                         [&](std::byte* stored, size_t i) { std::memcpy(stored, values + i, 1); });
    }
  }
}

bool GroupRowLayout::KeysEqual(const std::byte* row, std::span<const Vector* const> keys,
                               size_t i) const {
  for (size_t k = 0; k < keys.size(); ++k) {
    bool is_null = keys[k]->IsNull(i);
    if ((row[null_flag_offset(k)] != std::byte{0}) != is_null) return false;
    if (is_null) continue;
    const std::byte* stored = row + key_offsets_[k];
    if (key_types_[k] == TypeId::kVarchar) {
      if (!(LoadString(stored) == keys[k]->data<StringRef>()[i])) return false;
    } else if (key_types_[k] == TypeId::kDouble) {
      uint64_t bits = DoubleKeyBits(keys[k]->data<double>()[i]);
      if (std::memcmp(stored, &bits, 8) != 0) return false;
    } else if (std::memcmp(stored, keys[k]->data<std::byte>() + i * key_widths_[k],
                           key_widths_[k]) != 0) {
      return false;
    }
  }
  return true;
}

bool GroupRowLayout::RowKeysEqual(const std::byte* left, const std::byte* right) const {
  // Equal bytes are equal keys; unequal bytes differ in a key unless long strings with equal
  // text sit at different addresses.
  if (std::memcmp(left, right, keys_end_) == 0) return true;
  if (!has_varchar_) return false;
  if (std::memcmp(left, right, key_types_.size()) != 0) return false;  // the NULL flags
  for (size_t k = 0; k < key_types_.size(); ++k) {
    const std::byte* a = left + key_offsets_[k];
    const std::byte* b = right + key_offsets_[k];
    if (key_types_[k] == TypeId::kVarchar) {
      if (!(LoadString(a) == LoadString(b))) return false;
    } else if (std::memcmp(a, b, key_widths_[k]) != 0) {
      return false;
    }
  }
  return true;
}

void GroupRowLayout::Combine(const std::byte* source, std::byte* target) const {
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    aggregates_[a]->combine(source + state_offsets_[a], target + state_offsets_[a]);
  }
}

void GroupRowLayout::Destroy(std::byte* row) const {
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    if (aggregates_[a]->destroy != nullptr) aggregates_[a]->destroy(row + state_offsets_[a]);
  }
}

void GroupRowLayout::Scan(std::span<const std::byte* const> rows, core::Batch& out) const {
  out.SetNumRows(rows.size());
  for (size_t k = 0; k < key_types_.size(); ++k) {
    Vector& column = out.column(k);
    column.validity().Reset();
    size_t offset = key_offsets_[k];
    size_t flag = null_flag_offset(k);
    switch (key_widths_[k]) {
      case 1:
        ScanColumn<uint8_t>(rows, offset, flag, column);
        break;
      case 4:
        ScanColumn<int32_t>(rows, offset, flag, column);
        break;
      case 8:
        ScanColumn<int64_t>(rows, offset, flag, column);
        break;
      default: {
        StringRef* values = column.data<StringRef>();
        for (size_t i = 0; i < rows.size(); ++i) {
          if (rows[i][flag] != std::byte{0}) {
            values[i] = StringRef();
            column.SetNull(i);
            continue;
          }
          // Copied as bytes: a StringRef assembled in registers and stored whole would wait
          // for its two halves (a store-forwarding stall).
          std::memcpy(values + i, rows[i] + offset, sizeof(StringRef));
          if (!values[i].is_inlined()) values[i] = column.heap().Add(values[i].view());
        }
      }
    }
  }
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    Vector& column = out.column(key_types_.size() + a);
    column.validity().Reset();
    for (size_t i = 0; i < rows.size(); ++i) {
      aggregates_[a]->finalize(rows[i] + state_offsets_[a], column, i);
    }
  }
}

}  // namespace sluice::exec
