#include "exec/group_table.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "base/error.h"
#include "base/hash.h"

namespace sluice::exec {
namespace {

using core::StringRef;
using core::TypeId;
using core::Vector;

constexpr uint64_t kNullHash = 0x5bd1e9955bd1e995ULL;
// Partitions start with small blocks, so that tables of a few groups stay small.
constexpr size_t kFirstBlockRows = 64;
constexpr size_t kMaxBlockBytes = size_t{1} << 20;

// Reads value i of a fixed-width vector widened to 64 bits for hashing: -0.0 as 0.0, one NaN.
uint64_t FixedBits(const Vector& vector, size_t i) {
  switch (core::TypeWidth(vector.type())) {
    case 1:
      return vector.data<uint8_t>()[i];
    case 4:
      return static_cast<uint64_t>(static_cast<int64_t>(vector.data<int32_t>()[i]));
    default: {
      uint64_t bits;
      std::memcpy(&bits, vector.data<std::byte>() + i * 8, 8);
      if (vector.type() == TypeId::kDouble) {
        double value = std::bit_cast<double>(bits);
        if (value == 0) bits = 0;                          // -0.0 groups with 0.0
        if (value != value) bits = 0x7ff8000000000000ULL;  // one NaN
      }
      return bits;
    }
  }
}

// Mixes one more 64-bit word into a row's running hash: one multiply per word. A row's words
// are avalanched once at the end (HashRows), not each on its own.
uint64_t Absorb(uint64_t running, uint64_t word) {
  return std::rotl((running ^ word) * 0x9e3779b97f4a7c15ULL, 29);
}

// Absorbs into `running` each of `count` rows of `keys` through `absorb(running, i)` for valid
// rows. The type and validity tests stay outside the row loop.
template <typename AbsorbValue>
void AbsorbColumn(const Vector& keys, size_t count, uint64_t* running, AbsorbValue absorb) {
  if (keys.validity().all_valid()) {
    for (size_t i = 0; i < count; ++i) running[i] = absorb(running[i], i);
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    running[i] = keys.IsNull(i) ? Absorb(running[i], kNullHash) : absorb(running[i], i);
  }
}

void AbsorbKeys(const Vector& keys, size_t count, uint64_t* running) {
  switch (keys.type()) {
    case TypeId::kVarchar: {
      // An inline string is its 16 canonical bytes (length, then zero-padded text); a long one
      // hashes its text. The two never hold equal strings.
      const StringRef* values = keys.data<StringRef>();
      return AbsorbColumn(keys, count, running, [&](uint64_t hash, size_t i) {
        if (!values[i].is_inlined()) return Absorb(hash, HashString(values[i].view()));
        uint64_t words[2];
        std::memcpy(words, values + i, sizeof words);
        return Absorb(Absorb(hash, words[0]), words[1]);
      });
    }
    case TypeId::kInteger:
    case TypeId::kDate: {
      const int32_t* values = keys.data<int32_t>();
      return AbsorbColumn(keys, count, running, [&](uint64_t hash, size_t i) {
        return Absorb(hash, static_cast<uint64_t>(static_cast<int64_t>(values[i])));
      });
    }
    case TypeId::kBigint:
    case TypeId::kTimestamp: {
      const int64_t* values = keys.data<int64_t>();
      return AbsorbColumn(keys, count, running, [&](uint64_t hash, size_t i) {
        return Absorb(hash, static_cast<uint64_t>(values[i]));
      });
    }
    default:
      return AbsorbColumn(keys, count, running, [&](uint64_t hash, size_t i) {
        return Absorb(hash, FixedBits(keys, i));
      });
  }
}

}  // namespace

void HashRows(std::span<const Vector* const> keys, size_t count, uint64_t* hashes) {
  if (keys.empty()) {
    std::fill(hashes, hashes + count, kNullHash);
    return;
  }
  std::fill(hashes, hashes + count, 0);
  for (const Vector* column : keys) AbsorbKeys(*column, count, hashes);
  for (size_t i = 0; i < count; ++i) hashes[i] = HashInteger(hashes[i]);
}

GroupTable::GroupTable(std::vector<TypeId> key_types,
                       std::vector<const AggregateFunction*> aggregates, size_t radix_bits)
    : layout_(std::move(key_types), std::move(aggregates)),
      radix_shift_(63 - radix_bits),
      partitions_(size_t{1} << radix_bits),
      slots_(1024, 0) {}

GroupTable::~GroupTable() {
  for (size_t p = 0; p < partitions_.size(); ++p) ReleasePartition(p);
}

void GroupTable::AddBlock(Partition& partition) {
  size_t width = layout_.row_width();
  size_t capacity = kFirstBlockRows;
  if (!partition.blocks.empty()) {
    capacity = std::max(std::min(partition.blocks.back().capacity * 2, kMaxBlockBytes / width),
                        partition.blocks.back().capacity);
  }
  size_t bytes = capacity * width;
  partition.blocks.push_back({std::make_unique_for_overwrite<std::byte[]>(bytes),
                              std::make_unique_for_overwrite<uint64_t[]>(capacity), capacity});
  partition.cursor = partition.blocks.back().rows.get();
  partition.end = partition.cursor + bytes;
  partition.hash_cursor = partition.blocks.back().hashes.get();
  partition.allocated += bytes + capacity * 8;
}

size_t GroupTable::num_groups() const {
  size_t groups = 0;
  for (const Partition& partition : partitions_) groups += partition.size;
  return groups;
}

size_t GroupTable::memory_bytes() const {
  size_t bytes = slots_.size() * 8 + heap_.allocated_bytes() + direct_.size() * 8;
  for (const Partition& partition : partitions_) bytes += partition.allocated;
  return bytes;
}

size_t GroupTable::ReleasePartition(size_t partition) {
  Partition& part = partitions_[partition];
  if (layout_.has_destroy()) {
    ForEachRun(partition, [&](std::byte* first, const uint64_t*, size_t count) {
      for (size_t i = 0; i < count; ++i) layout_.Destroy(first + i * layout_.row_width());
    });
  }
  size_t freed = part.allocated;
  part = Partition();
  return freed;
}

std::byte* GroupTable::InsertGroup(uint64_t hash) {
  if ((indexed_groups_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
  ++indexed_groups_;
  std::byte* row = AllocateRow(hash);
  layout_.InitializeRow(row);
  size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  while (slots_[slot] != 0) slot = (slot + 1) & mask;
  slots_[slot] = GroupSlot::Make(hash, row);
  return row;
}

std::byte* GroupTable::AddEmptyGroup() {
  empty_group_ = InsertGroup(kNullHash);
  return empty_group_;
}

void GroupTable::Rehash(size_t size) {
  std::vector<uint64_t> slots(size, 0);
  size_t mask = slots.size() - 1;
  for (size_t p = 0; p < partitions_.size(); ++p) {
    ForEachRun(p, [&](std::byte* first, const uint64_t* hashes, size_t count) {
      for (size_t i = 0; i < count; ++i) {
        size_t slot = hashes[i] & mask;
        while (slots[slot] != 0) slot = (slot + 1) & mask;
        slots[slot] = GroupSlot::Make(hashes[i], first + i * layout_.row_width());
      }
    });
  }
  slots_ = std::move(slots);
}

void GroupTable::FindOrAdd(std::span<const Vector* const> keys, const uint64_t* hashes,
                           size_t count, std::byte** rows) {
  SLUICE_DCHECK(!has_duplicates_);
  // Large tables miss the cache on every probe: fetch the slots, then the rows they name, for
  // the whole vector before probing, so the misses overlap instead of queueing.
  if (slots_.size() > (1 << 15)) {
    size_t mask = slots_.size() - 1;
    for (size_t i = 0; i < count; ++i) __builtin_prefetch(&slots_[hashes[i] & mask]);
    for (size_t i = 0; i < count; ++i) {
      uint64_t entry = slots_[hashes[i] & mask];
      if (entry != 0) __builtin_prefetch(GroupSlot::Row(entry));
    }
  }
  if (count == 0) return;
  if (keys.empty()) {  // an aggregate without GROUP BY: one group for every row
    std::byte* row = empty_group_ != nullptr ? empty_group_ : AddEmptyGroup();
    std::fill(rows, rows + count, row);
    return;
  }
  bool single = keys.size() == 1 && keys[0]->validity().all_valid();
  if (single && FindDirect(keys, hashes, count, rows)) return;
  if (!direct_.empty()) DisableDirect();  // groups added below would be missing from direct_
  // One key without NULLs (most GROUP BYs): compare it directly, without the per-key loop.
  if (single) {
    const Vector& key = *keys[0];
    size_t offset = layout_.key_offset(0);
    auto valid = [](const std::byte* row) {
      return row[GroupRowLayout::null_flag_offset(0)] == std::byte{0};
    };
    switch (key.type()) {
      case TypeId::kVarchar: {
        const StringRef* values = key.data<StringRef>();
        return FindOrAddWith(keys, hashes, count, rows, [&](const std::byte* row, size_t i) {
          StringRef stored;
          std::memcpy(&stored, row + offset, sizeof stored);
          return valid(row) && stored == values[i];
        });
      }
      case TypeId::kInteger:
      case TypeId::kDate: {
        const int32_t* values = key.data<int32_t>();
        return FindOrAddWith(keys, hashes, count, rows, [&](const std::byte* row, size_t i) {
          int32_t stored;
          std::memcpy(&stored, row + offset, 4);
          return valid(row) && stored == values[i];
        });
      }
      case TypeId::kBigint:
      case TypeId::kTimestamp: {
        const int64_t* values = key.data<int64_t>();
        return FindOrAddWith(keys, hashes, count, rows, [&](const std::byte* row, size_t i) {
          int64_t stored;
          std::memcpy(&stored, row + offset, 8);
          return valid(row) && stored == values[i];
        });
      }
      default:
        break;
    }
  }
  FindOrAddWith(keys, hashes, count, rows,
                [&](const std::byte* row, size_t i) { return layout_.KeysEqual(row, keys, i); });
}

namespace {

template <typename T>
void MinMax(const T* values, size_t count, int64_t* low, int64_t* high) {
  T min = values[0], max = values[0];
  for (size_t i = 1; i < count; ++i) {
    min = std::min(min, values[i]);
    max = std::max(max, values[i]);
  }
  *low = min;
  *high = max;
}

}  // namespace

// Finds groups of one integer key through an array indexed by value while the values seen
// span at most kMaxDirect (db-benchmark's id4 and id6): a read of a small array instead of a
// probe of the slot array. Returns false when the key does not qualify; the table then hashes.
bool GroupTable::FindDirect(std::span<const Vector* const> keys, const uint64_t* hashes,
                            size_t count, std::byte** rows) {
  TypeId type = keys[0]->type();
  bool narrow = type == TypeId::kInteger || type == TypeId::kDate;
  bool wide = type == TypeId::kBigint || type == TypeId::kTimestamp;
  if (direct_disabled_ || count == 0 || !(narrow || wide)) return false;
  int64_t low, high;
  if (narrow) {
    MinMax(keys[0]->data<int32_t>(), count, &low, &high);
  } else {
    MinMax(keys[0]->data<int64_t>(), count, &low, &high);
  }
  if (!CoverDirect(low, high)) {
    DisableDirect();
    return false;
  }
  for (size_t i = 0; i < count; ++i) {
    int64_t value = narrow ? keys[0]->data<int32_t>()[i] : keys[0]->data<int64_t>()[i];
    std::byte*& row = direct_[static_cast<uint64_t>(value) - static_cast<uint64_t>(direct_low_)];
    if (row == nullptr) {
      row = InsertGroup(hashes[i]);
      layout_.StoreKeys(row, keys, i, heap_);
    }
    rows[i] = row;
  }
  return true;
}

// Makes direct_ cover [low, high]; false when that would exceed kMaxDirect, or when the table
// already holds groups direct_ does not know.
bool GroupTable::CoverDirect(int64_t low, int64_t high) {
  if (direct_.empty()) {
    if (indexed_groups_ != 0) return false;
    if (static_cast<uint64_t>(high) - static_cast<uint64_t>(low) >= kMaxDirect) return false;
    direct_low_ = low;
    direct_.assign(static_cast<uint64_t>(high) - static_cast<uint64_t>(low) + 1, nullptr);
    return true;
  }
  int64_t old_high = direct_low_ + static_cast<int64_t>(direct_.size()) - 1;
  if (low >= direct_low_ && high <= old_high) return true;
  int64_t new_low = std::min(low, direct_low_), new_high = std::max(high, old_high);
  uint64_t span = static_cast<uint64_t>(new_high) - static_cast<uint64_t>(new_low);
  if (span >= kMaxDirect) return false;
  // Grow by at least the current size (within kMaxDirect), so keys that rise or fall batch by
  // batch copy the array a logarithmic number of times.
  uint64_t slack = std::min<uint64_t>(direct_.size(), kMaxDirect - 1 - span);
  if (new_low == direct_low_) {
    new_high += static_cast<int64_t>(std::min<uint64_t>(
        slack, static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(new_high)));
  } else if (new_high == old_high) {
    new_low -= static_cast<int64_t>(std::min<uint64_t>(
        slack, static_cast<uint64_t>(new_low) - static_cast<uint64_t>(INT64_MIN)));
  }
  span = static_cast<uint64_t>(new_high) - static_cast<uint64_t>(new_low);
  std::vector<std::byte*> grown(span + 1, nullptr);
  std::copy(direct_.begin(), direct_.end(), grown.begin() + (direct_low_ - new_low));
  direct_ = std::move(grown);
  direct_low_ = new_low;
  return true;
}

void GroupTable::DisableDirect() {
  direct_disabled_ = true;
  direct_ = {};
}

template <typename Equal>
void GroupTable::FindOrAddWith(std::span<const Vector* const> keys, const uint64_t* hashes,
                               size_t count, std::byte** rows, Equal equal) {
  for (size_t i = 0; i < count; ++i) {
    uint64_t hash = hashes[i];
    size_t mask = slots_.size() - 1;
    size_t slot = hash & mask;
    while (true) {
      uint64_t entry = slots_[slot];
      if (entry == 0) {
        rows[i] = InsertGroup(hash);
        layout_.StoreKeys(rows[i], keys, i, heap_);
        break;
      }
      if (GroupSlot::Matches(entry, hash) && equal(GroupSlot::Row(entry), i)) {
        rows[i] = GroupSlot::Row(entry);
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
}

void GroupTable::AppendGroups(std::span<const Vector* const> keys, const uint64_t* hashes,
                              size_t count, std::byte** rows) {
  if (!has_duplicates_) {
    // Nothing is looked up any more: free the index.
    has_duplicates_ = true;
    slots_ = {};
    DisableDirect();
  }
  for (size_t i = 0; i < count; ++i) {
    rows[i] = AllocateRow(hashes[i]);
    layout_.InitializeRow(rows[i]);
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    layout_.StoreKeyColumn(k, *keys[k], count, rows, heap_);
  }
}

}  // namespace sluice::exec
