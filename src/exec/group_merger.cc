#include "exec/group_merger.h"

#include <algorithm>

namespace sluice::exec {

std::span<const std::byte* const> GroupMerger::Merge(std::span<GroupTable* const> tables,
                                                     size_t partition) {
  groups_.clear();
  size_t total = 0, sources = 0;
  bool duplicates = false;
  for (const GroupTable* table : tables) {
    size_t size = table->partition_size(partition);
    total += size;
    sources += size > 0 ? 1 : 0;
    duplicates = duplicates || (size > 0 && table->has_duplicates());
  }
  if (total == 0) return {};
  groups_.reserve(total);
  const GroupRowLayout& layout = tables[0]->layout();
  size_t width = layout.row_width();
  if (sources == 1 && !duplicates) {  // the distinct groups of one table: nothing to merge
    for (const GroupTable* table : tables) {
      table->ForEachRun(partition, [&](std::byte* first, const uint64_t*, size_t count) {
        for (size_t i = 0; i < count; ++i) groups_.push_back(first + i * width);
      });
    }
    return groups_;
  }
  // The index is sized from the row count, so it never grows while indexing.
  size_t size = 1024;
  while (size < total * 2) size *= 2;
  if (slots_.size() < size) {
    slots_.assign(size, 0);
  } else {
    std::fill(slots_.begin(), slots_.begin() + static_cast<ptrdiff_t>(size), 0);
  }
  for (const GroupTable* table : tables) {
    table->ForEachRun(partition, [&](std::byte* first, const uint64_t* hashes, size_t count) {
      Index(layout, first, hashes, count, size - 1);
    });
  }
  return groups_;
}

void GroupMerger::Index(const GroupRowLayout& layout, std::byte* first, const uint64_t* hashes,
                        size_t count, size_t mask) {
  size_t width = layout.row_width();
  // Hashes are read in order, but their slots are scattered: fetch the slots a little ahead.
  // Rows are read only to compare keys after 16 bits of their hashes matched.
  constexpr size_t kAhead = 16;
  for (size_t i = 0; i < count; ++i) {
    if (i + kAhead < count) __builtin_prefetch(&slots_[hashes[i + kAhead] & mask]);
    std::byte* row = first + i * width;
    uint64_t hash = hashes[i];
    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      uint64_t entry = slots_[slot];
      if (entry == 0) {
        slots_[slot] = GroupSlot::Make(hash, row);
        groups_.push_back(row);
        break;
      }
      if (!GroupSlot::Matches(entry, hash)) continue;
      std::byte* target = GroupSlot::Row(entry);
      if (layout.RowKeysEqual(target, row)) {
        layout.Combine(row, target);
        break;
      }
    }
  }
}

}  // namespace sluice::exec
