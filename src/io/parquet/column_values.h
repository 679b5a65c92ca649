#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/string_ref.h"
#include "io/parquet/column_writer.h"

namespace sluice::io::parquet {

/// Is a column chunk's values gathered from batches into one flat array. T is the physical
/// value type: uint8_t (BOOLEAN), int32_t, int64_t, double or std::string_view (views into the
/// batches, which must outlive this).
template <typename T>
struct ColumnValues {
  std::vector<T> values;         // the non-NULL values, in row order
  std::vector<uint8_t> defined;  // 1 per non-NULL row, 0 per NULL; empty when nothing is NULL
  size_t num_rows = 0;
  bool has_nulls = false;
};

/// Gathers the rows of `slices` whose vectors store `Native` values into `out`.
template <typename T, typename Native>
void GatherValues(std::span<const ColumnSlice> slices, ColumnValues<T>* out) {
  size_t total = 0;
  for (const ColumnSlice& slice : slices) total += slice.end - slice.begin;
  out->values.reserve(total);
  for (const ColumnSlice& slice : slices) {
    const Native* data = slice.vector->data<Native>();
    const core::ValidityMask& validity = slice.vector->validity();
    auto convert = [](const Native& value) {
      if constexpr (std::is_same_v<T, std::string_view>) {
        return value.view();
      } else {
        return static_cast<T>(value);
      }
    };
    if (slice.selection == nullptr && validity.all_valid() && !out->has_nulls) {
      for (size_t row = slice.begin; row < slice.end; ++row)
        out->values.push_back(convert(data[row]));
      out->num_rows += slice.end - slice.begin;
      continue;
    }
    for (size_t row = slice.begin; row < slice.end; ++row) {
      size_t physical = slice.selection ? (*slice.selection)[row] : row;
      bool valid = validity.IsValid(physical);
      if (!valid && !out->has_nulls) {
        out->defined.reserve(total);
        out->defined.assign(out->num_rows, 1);
        out->has_nulls = true;
      }
      if (out->has_nulls) out->defined.push_back(valid ? 1 : 0);
      if (valid) out->values.push_back(convert(data[physical]));
      ++out->num_rows;
    }
  }
}

/// Returns true when `left` sorts before `right` in Parquet's order for T: signed for numbers,
/// false < true for booleans, unsigned bytes for strings.
template <typename T>
bool ParquetLess(T left, T right) {
  return left < right;  // std::string_view compares bytes as unsigned char
}

/// Tracks the smallest and largest value of a run of values; NaNs are left out.
template <typename T>
struct MinMax {
  bool has_value = false;
  T min{};
  T max{};

  void Update(T value) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(value)) return;
    }
    if (!has_value) {
      min = max = value;
      has_value = true;
      return;
    }
    if (ParquetLess(value, min)) min = value;
    if (ParquetLess(max, value)) max = value;
  }

  void Merge(const MinMax& other) {
    if (!other.has_value) return;
    Update(other.min);
    Update(other.max);
  }

  /// Makes a zero minimum -0.0 and a zero maximum +0.0, as the Parquet spec asks of writers.
  void NormalizeZeros() {
    if constexpr (std::is_floating_point_v<T>) {
      if (has_value && min == 0) min = -0.0;
      if (has_value && max == 0) max = 0.0;
    }
  }
};

/// Returns `value` as statistics bytes: PLAIN without a length prefix.
template <typename T>
std::string StatisticsBytes(T value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return std::string(value);
  } else {
    return std::string(reinterpret_cast<const char*>(&value), sizeof(T));
  }
}

}  // namespace sluice::io::parquet
