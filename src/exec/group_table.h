#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/batch.h"
#include "core/string_heap.h"
#include "core/vector.h"
#include "exec/aggregate_function.h"

namespace sluice::exec {

/// Computes one 64-bit hash per row over `count` rows of `keys` (flat vectors) into `hashes`.
/// Equal keys hash equal across batches and threads; NULLs hash to a fixed value.
void HashRows(std::span<const core::Vector* const> keys, size_t count, uint64_t* hashes);

/// Maps group keys to groups and keeps, per group, the key values and the aggregate states in
/// one fixed-width row: [hash][key null flags][key values][states]. Open addressing with
/// linear probing; each slot holds 16 bits of the hash beside the group number, so most
/// mismatches are rejected without touching the row. Long key strings are copied into the
/// table's own heap. Groups are also listed by radix partition (top hash bits) so tables of
/// several threads can be merged a partition at a time in parallel. Not thread-safe.
class GroupTable {
 public:
  GroupTable(std::vector<core::TypeId> key_types, std::vector<const AggregateFunction*> aggregates,
             size_t radix_bits);
  ~GroupTable();
  GroupTable(const GroupTable&) = delete;
  GroupTable& operator=(const GroupTable&) = delete;

  /// Finds or adds the group of each of `count` rows of `keys` (flat vectors) whose hashes
  /// are `hashes`; writes each row's group row into `rows`.
  void FindOrAdd(std::span<const core::Vector* const> keys, const uint64_t* hashes, size_t count,
                 std::byte** rows);
  /// Adds one group per row, without looking for the row's group: for inputs where nearly
  /// every row is a new group, pre-aggregation only costs a probe that MergePartition repeats.
  /// The table's later groups can then no longer be found: REQUIRES no FindOrAdd afterwards.
  void AppendGroups(std::span<const core::Vector* const> keys, const uint64_t* hashes, size_t count,
                    std::byte** rows);
  /// Sizes the slot array for `groups` groups, so that adding them does not rehash.
  void Reserve(size_t groups);
  /// Returns the number of groups in radix partition `partition`.
  size_t partition_size(size_t partition) const { return partitions_[partition].size(); }
  /// Adds the groups of radix partition `partition` of `other` into this table, combining the
  /// states of groups present in both.
  void MergePartition(const GroupTable& other, size_t partition);
  /// Adds one group with no keys (the single group of an aggregate without GROUP BY).
  std::byte* AddEmptyGroup();

  size_t num_groups() const { return num_groups_; }
  /// Returns about how many bytes the table holds.
  size_t memory_bytes() const {
    return blocks_.size() * kRowsPerBlock * row_width_ + slots_.size() * 8 + num_groups_ * 4 +
           heap_.allocated_bytes() + direct_.size() * 4;
  }
  size_t num_partitions() const { return partitions_.size(); }
  /// Returns the byte offset of aggregate `i`'s state within a group row.
  size_t state_offset(size_t i) const { return state_offsets_[i]; }
  /// Writes groups [from, from + count) as rows of `out`: the keys, then each aggregate's
  /// final value. REQUIRES: out's columns match; count <= out's capacity.
  void Scan(size_t from, size_t count, core::Batch& out) const;

 private:
  std::byte* Row(size_t group) const {
    return blocks_[group / kRowsPerBlock].get() + (group % kRowsPerBlock) * row_width_;
  }
  bool KeysEqual(const std::byte* row, std::span<const core::Vector* const> keys, size_t i) const;
  bool FindDirect(std::span<const core::Vector* const> keys, const uint64_t* hashes, size_t count,
                  std::byte** rows);
  bool CoverDirect(int64_t low, int64_t high);
  void DisableDirect();
  template <typename Equal>
  void FindOrAddWith(std::span<const core::Vector* const> keys, const uint64_t* hashes,
                     size_t count, std::byte** rows, Equal equal);
  bool RowKeysEqual(const std::byte* left, const std::byte* right) const;
  std::byte* NewGroup(uint64_t hash);
  std::byte* InsertGroup(uint64_t hash);
  void StoreKeys(std::byte* row, std::span<const core::Vector* const> keys, size_t i);
  void StoreRowKeys(std::byte* row, const std::byte* source);
  std::byte* FindOrAddRow(uint64_t hash, const std::byte* source);
  void Grow();
  void Rehash(size_t size);

  static constexpr size_t kRowsPerBlock = 4096;
  static constexpr uint64_t kMaxDirect = uint64_t{1} << 20;

  std::vector<core::TypeId> key_types_;
  std::vector<const AggregateFunction*> aggregates_;
  std::vector<size_t> key_offsets_;
  std::vector<size_t> state_offsets_;
  size_t row_width_ = 0;
  size_t radix_shift_;
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  size_t num_groups_ = 0;
  std::vector<uint64_t> slots_;  // 0 = empty, else salt << 48 | (group + 1)
  std::vector<std::vector<uint32_t>> partitions_;
  core::StringHeap heap_;
  // For one integer key: group + 1 of each value from direct_low_ on (0: none yet).
  std::vector<uint32_t> direct_;
  int64_t direct_low_ = 0;
  bool direct_disabled_ = false;
};

}  // namespace sluice::exec
