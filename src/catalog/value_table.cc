#include "catalog/value_table.h"

#include <algorithm>
#include <bit>

namespace sluice::catalog {
namespace {

constexpr size_t kInitialSlots = 64;

}  // namespace

ValueTable::ValueTable(bool integers) : integers_(integers), direct_(integers) { Clear(); }

void ValueTable::Clear() {
  ++layout_;
  direct_ = integers_;
  base_ = 0;
  counts_.clear();
  counts_.shrink_to_fit();
  slots_.assign(direct_ ? 0 : kInitialSlots, Slot{});
  slots_.shrink_to_fit();
  mask_ = kInitialSlots - 1;
  shift_ = 64 - std::countr_zero(kInitialSlots);
  entries_.clear();
  entries_.shrink_to_fit();
  text_.clear();
  text_.shrink_to_fit();
}

int64_t ValueTable::Insert(size_t slot, uint64_t key, uint64_t key2, int64_t count) {
  if (entries_.size() == kLimit) return -2;
  if (direct_) {
    counts_[slot] = count;
  } else {
    slots_[slot] = {key, key2, count};
  }
  Entry entry;
  entry.key = key;
  entry.key2 = key2;
  entry.slot = static_cast<uint32_t>(slot);
  entries_.push_back(entry);
  if (integers_) {
    auto value = static_cast<int64_t>(key);
    min_key_ = entries_.size() == 1 ? value : std::min(min_key_, value);
    max_key_ = entries_.size() == 1 ? value : std::max(max_key_, value);
  }
  if (!direct_ && SlotsFor(entries_.size()) > slots_.size()) {
    Rebuild(SlotsFor(entries_.size()), false);
  }
  return static_cast<int64_t>(entries_.size() - 1);
}

size_t ValueTable::SlotsFor(size_t entries) {
  // A lookup that ends at its first slot costs no mispredicted branch: an eighth full, the
  // profiler's loop over known strings takes about 30% less time than a quarter full. Past
  // 2048 slots (48 KiB, beyond the L1 cache) sparser tables measured no faster.
  constexpr size_t kSparse = 2048;
  size_t slots = kInitialSlots;
  while (8 * entries > slots && slots < kSparse) slots *= 2;
  while (2 * entries > slots) slots *= 2;
  return slots;
}

bool ValueTable::Widen(int64_t key) {
  if (entries_.size() == kLimit) return true;  // Insert() then reports the table full
  bool empty = entries_.empty();
  int64_t first = empty ? key : std::min(min_key_, key);
  int64_t last = empty ? key : std::max(max_key_, key);
  uint64_t range = static_cast<uint64_t>(last) - static_cast<uint64_t>(first) + 1;
  if (range == 0 || range > kDirectRange) {
    direct_ = false;
    Rebuild(SlotsFor(entries_.size() + 1), true);
    return false;
  }
  // Room to spare on the side that grew, so that a drifting range is rarely widened again.
  // Offsets are taken modulo 2^64, so a base below the smallest int64 works alike.
  size_t size = std::min<uint64_t>(kDirectRange, std::max<uint64_t>(2 * range, kInitialSlots));
  uint64_t slack = size - range;
  uint64_t below = empty ? slack / 2 : (key < min_key_ ? slack : 0);
  base_ = static_cast<uint64_t>(first) - below;
  Rebuild(size, true);
  return true;
}

void ValueTable::Rebuild(size_t slots, bool was_direct) {
  ++layout_;
  std::vector<int64_t> old_counts = std::move(counts_);
  std::vector<Slot> old_slots = std::move(slots_);
  counts_.clear();
  slots_.clear();
  if (direct_) {
    counts_.assign(slots, 0);
  } else {
    slots_.assign(slots, Slot{});
    mask_ = slots - 1;
    shift_ = 64 - std::countr_zero(slots);
  }
  for (Entry& entry : entries_) {
    int64_t count = was_direct ? old_counts[entry.slot] : old_slots[entry.slot].count;
    if (direct_) {
      entry.slot = static_cast<uint32_t>(offset_of(static_cast<int64_t>(entry.key)));
      counts_[entry.slot] = count;
      continue;
    }
    size_t slot = SlotOf(entry.key, entry.key2);
    while (slots_[slot].count != 0) slot = (slot + 1) & mask_;
    slots_[slot] = {entry.key, entry.key2, count};
    entry.slot = static_cast<uint32_t>(slot);
  }
}

void ValueTable::SetText(size_t index, std::string_view text) {
  entries_[index].text_offset = static_cast<uint32_t>(text_.size());
  entries_[index].text_size = static_cast<uint32_t>(text.size());
  text_.append(text);
}

}  // namespace sluice::catalog
