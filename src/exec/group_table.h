#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/error.h"
#include "core/string_heap.h"
#include "core/vector.h"
#include "exec/aggregate_function.h"
#include "exec/group_row_layout.h"

namespace sluice::exec {

/// Computes one 64-bit hash per row over `count` rows of `keys` (flat vectors) into `hashes`.
/// Equal keys hash equal across batches and threads; NULLs hash to a fixed value.
void HashRows(std::span<const core::Vector* const> keys, size_t count, uint64_t* hashes);

/// Packs 16 bits of a row's hash beside the row's address into one 64-bit slot of an
/// open-addressing index over group rows; 0 is an empty slot.
class GroupSlot {
 public:
  static uint64_t Make(uint64_t hash, const std::byte* row) {
    SLUICE_DCHECK((reinterpret_cast<uintptr_t>(row) & ~kAddressMask) == 0);
    return Salt(hash) | reinterpret_cast<uintptr_t>(row);
  }
  /// Returns whether `entry` may be the slot of a row with hash `hash`.
  static bool Matches(uint64_t entry, uint64_t hash) {
    return (entry & ~kAddressMask) == Salt(hash);
  }
  static std::byte* Row(uint64_t entry) {
    return reinterpret_cast<std::byte*>(entry & kAddressMask);
  }

 private:
  // User-space addresses fit in 48 bits on the 64-bit platforms Sluice runs on.
  static constexpr uint64_t kAddressMask = (uint64_t{1} << 48) - 1;
  static uint64_t Salt(uint64_t hash) { return ((hash >> 32) & 0xffff) << 48; }
};

/// Maps group keys to groups, each a row of `layout()` that holds the keys and the aggregate
/// states. Rows are stored by radix partition (the top bits of their hash), each partition in
/// its own blocks with the rows' hashes beside them, so that the tables of several threads can
/// be merged a partition at a time in parallel (GroupMerger) from contiguous memory. Open
/// addressing with linear probing; each slot holds 16 bits of the hash beside the row's
/// address, so most mismatches are rejected without touching the row. Long key strings are
/// copied into the table's own heap. Rows never move. Not thread-safe, except that distinct
/// partitions may be visited and released concurrently.
class GroupTable {
 public:
  GroupTable(std::vector<core::TypeId> key_types, std::vector<const AggregateFunction*> aggregates,
             size_t radix_bits);
  ~GroupTable();
  GroupTable(const GroupTable&) = delete;
  GroupTable& operator=(const GroupTable&) = delete;

  const GroupRowLayout& layout() const { return layout_; }
  /// Returns the byte offset of aggregate `i`'s state within a group row.
  size_t state_offset(size_t i) const { return layout_.state_offset(i); }

  /// Finds or adds the group of each of `count` rows of `keys` (flat vectors) whose hashes
  /// are `hashes`; writes each row's group row into `rows`.
  void FindOrAdd(std::span<const core::Vector* const> keys, const uint64_t* hashes, size_t count,
                 std::byte** rows);
  /// Adds one group per row, without looking for the row's group: for inputs where nearly
  /// every row is a new group, pre-aggregation only costs a probe that the merge repeats.
  /// The table then holds groups with equal keys (has_duplicates()), and its later groups can
  /// no longer be found: REQUIRES no FindOrAdd afterwards.
  void AppendGroups(std::span<const core::Vector* const> keys, const uint64_t* hashes, size_t count,
                    std::byte** rows);
  /// Adds one group with no keys (the single group of an aggregate without GROUP BY).
  std::byte* AddEmptyGroup();

  size_t num_groups() const;
  size_t num_partitions() const { return partitions_.size(); }
  /// Returns the number of group rows in radix partition `partition`.
  size_t partition_size(size_t partition) const { return partitions_[partition].size; }
  /// Returns true when two rows of the table may hold equal keys (after AppendGroups).
  bool has_duplicates() const { return has_duplicates_; }
  /// Calls `visit(first, hashes, count)` for each run of `count` consecutive rows
  /// (row_width() apart, from `first`) of partition `partition`, whose hashes are `hashes`, in
  /// the order the rows were added.
  template <typename Visit>
  void ForEachRun(size_t partition, Visit visit) const;
  /// Destroys the rows of partition `partition`, which must not be used afterwards, and
  /// returns the bytes freed. Thread-safe against the visits and releases of other partitions.
  size_t ReleasePartition(size_t partition);
  /// Returns about how many bytes the table holds.
  size_t memory_bytes() const;

 private:
  struct Block {
    std::unique_ptr<std::byte[]> rows;
    std::unique_ptr<uint64_t[]> hashes;
    size_t capacity;  // in rows
  };
  struct Partition {
    std::vector<Block> blocks;
    std::byte* cursor = nullptr;  // the next row of the last block
    std::byte* end = nullptr;
    uint64_t* hash_cursor = nullptr;  // the next row's hash in the last block
    size_t size = 0;
    size_t allocated = 0;  // bytes of the blocks
  };

  std::byte* AllocateRow(uint64_t hash) {
    Partition& partition = partitions_[hash >> radix_shift_ >> 1];
    if (partition.cursor == partition.end) AddBlock(partition);
    std::byte* row = partition.cursor;
    partition.cursor += layout_.row_width();
    *partition.hash_cursor++ = hash;
    ++partition.size;
    return row;
  }
  void AddBlock(Partition& partition);
  std::byte* InsertGroup(uint64_t hash);
  bool FindDirect(std::span<const core::Vector* const> keys, const uint64_t* hashes, size_t count,
                  std::byte** rows);
  bool CoverDirect(int64_t low, int64_t high);
  void DisableDirect();
  template <typename Equal>
  void FindOrAddWith(std::span<const core::Vector* const> keys, const uint64_t* hashes,
                     size_t count, std::byte** rows, Equal equal);
  void Rehash(size_t size);

  static constexpr uint64_t kMaxDirect = uint64_t{1} << 20;

  GroupRowLayout layout_;
  // Shifting right by radix_shift_ and then by 1 leaves the radix bits (none when 0 bits).
  size_t radix_shift_;
  std::vector<Partition> partitions_;
  size_t indexed_groups_ = 0;  // the groups slots_ holds
  bool has_duplicates_ = false;
  std::byte* empty_group_ = nullptr;
  std::vector<uint64_t> slots_;  // 0 = empty, else salt << 48 | row address
  core::StringHeap heap_;
  // For one integer key: the row of each value from direct_low_ on (null: none yet).
  std::vector<std::byte*> direct_;
  int64_t direct_low_ = 0;
  bool direct_disabled_ = false;
};

template <typename Visit>
void GroupTable::ForEachRun(size_t partition, Visit visit) const {
  const Partition& part = partitions_[partition];
  size_t width = layout_.row_width();
  for (size_t b = 0; b < part.blocks.size(); ++b) {
    std::byte* first = part.blocks[b].rows.get();
    size_t rows = b + 1 < part.blocks.size() ? part.blocks[b].capacity
                                             : static_cast<size_t>(part.cursor - first) / width;
    if (rows > 0) visit(first, part.blocks[b].hashes.get(), rows);
  }
}

}  // namespace sluice::exec
