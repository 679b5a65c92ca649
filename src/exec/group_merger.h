#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "exec/group_table.h"

namespace sluice::exec {

/// Merges one radix partition of several group tables (one per thread) in place: the first
/// row found of each group stands for it, and the states of the group's other rows are
/// combined into it. Nothing is copied: the merge only indexes the rows, so equal keys are
/// compared, not stored again. Keeps its index between merges, so that one merger per worker
/// reuses its memory. Not thread-safe; mergers of distinct partitions may run concurrently.
class GroupMerger {
 public:
  GroupMerger() = default;
  GroupMerger(const GroupMerger&) = delete;
  GroupMerger& operator=(const GroupMerger&) = delete;

  /// Returns one row per distinct group of partition `partition` over `tables`, with the
  /// combined states, in the order the rows were added (table by table). The rows stay owned
  /// by their tables; the span is valid until the next Merge. REQUIRES: the tables share one
  /// layout and radix bits.
  std::span<const std::byte* const> Merge(std::span<GroupTable* const> tables, size_t partition);
  /// Returns about how many bytes the merger holds.
  size_t memory_bytes() const { return slots_.capacity() * 8 + groups_.capacity() * 8; }

 private:
  void Index(const GroupRowLayout& layout, std::byte* first, const uint64_t* hashes, size_t count,
             size_t mask);

  std::vector<uint64_t> slots_;  // 0 = empty, else salt << 48 | row address
  std::vector<const std::byte*> groups_;
};

}  // namespace sluice::exec
