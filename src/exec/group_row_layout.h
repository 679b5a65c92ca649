#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/batch.h"
#include "core/string_heap.h"
#include "core/vector.h"
#include "exec/aggregate_function.h"

namespace sluice::exec {

/// Describes the fixed-width row that holds one group: [one NULL flag byte per key][keys at
/// their storage width, VARCHAR as a 16-byte StringRef][aggregate states, each 8-byte
/// aligned]. Rows hold no hash: GroupTable keeps the hashes apart, so that merging reads them
/// without the rows. Key bytes are canonical (a NULL key is zeroed, -0.0 is stored as 0.0 and
/// every NaN alike, inline strings are zero-padded as StringRef's equality expects), so keys
/// without long strings are equal exactly when their bytes are.
/// Immutable after construction; thread-safe to read.
class GroupRowLayout {
 public:
  GroupRowLayout(std::vector<core::TypeId> key_types,
                 std::vector<const AggregateFunction*> aggregates);

  size_t row_width() const { return row_width_; }
  /// Returns the byte offset of key `k`'s NULL flag (0: not NULL) within a row.
  static size_t null_flag_offset(size_t k) { return k; }
  /// Returns the byte offset of key `k`'s value within a row.
  size_t key_offset(size_t k) const { return key_offsets_[k]; }
  /// Returns the byte offset of aggregate `i`'s state within a row.
  size_t state_offset(size_t i) const { return state_offsets_[i]; }
  /// Returns true when some aggregate state owns memory that Destroy must free.
  bool has_destroy() const { return has_destroy_; }

  /// Makes `row` a group with all keys zero and not NULL, and empty states.
  void InitializeRow(std::byte* row) const;
  /// Stores the keys of row `i` of `keys` (flat vectors) into `row`; long strings are copied
  /// into `heap`.
  void StoreKeys(std::byte* row, std::span<const core::Vector* const> keys, size_t i,
                 core::StringHeap& heap) const;
  /// Stores key `k` of each of `count` rows of `keys` (a flat vector) into `rows[i]`, a
  /// column at a time. REQUIRES: the rows were initialized.
  void StoreKeyColumn(size_t k, const core::Vector& keys, size_t count, std::byte* const* rows,
                      core::StringHeap& heap) const;
  /// Returns whether `row` holds the keys of row `i` of `keys`.
  bool KeysEqual(const std::byte* row, std::span<const core::Vector* const> keys, size_t i) const;
  /// Returns whether two rows hold equal keys.
  bool RowKeysEqual(const std::byte* left, const std::byte* right) const;
  /// Merges the states of `source` into those of `target`.
  void Combine(const std::byte* source, std::byte* target) const;
  /// Frees what the states of `row` own.
  void Destroy(std::byte* row) const;
  /// Writes `rows` as the rows of `out`: the keys, then each aggregate's final value.
  /// REQUIRES: out's columns match; rows.size() <= out's capacity.
  void Scan(std::span<const std::byte* const> rows, core::Batch& out) const;

 private:
  std::vector<core::TypeId> key_types_;
  std::vector<const AggregateFunction*> aggregates_;
  std::vector<size_t> key_offsets_;
  std::vector<size_t> key_widths_;
  std::vector<size_t> state_offsets_;
  size_t keys_end_ = 0;
  size_t row_width_ = 8;
  bool has_varchar_ = false;
  bool has_destroy_ = false;
  // A row with zero keys and initialized states, copied into new rows when every state is
  // plain bytes (empty otherwise).
  std::vector<std::byte> initial_row_;
};

}  // namespace sluice::exec
