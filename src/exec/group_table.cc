#include "exec/group_table.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "base/error.h"
#include "base/hash.h"

namespace sluice::exec {
namespace {

using core::StringRef;
using core::TypeId;
using core::Vector;

constexpr uint64_t kNullHash = 0x5bd1e9955bd1e995ULL;
constexpr uint64_t kGroupMask = (uint64_t{1} << 48) - 1;

size_t KeyWidth(TypeId type) { return type == TypeId::kVarchar ? 16 : 8; }

// Reads value i of a fixed-width vector widened to 64 bits, the way keys are stored.
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

// Hashes rows [0, count) of `keys` with `hash_of(i)` for valid rows, combining with the hashes
// already in `hashes` unless `first`. The type and validity tests stay outside the row loop.
template <typename HashOf>
void HashValues(const Vector& keys, size_t count, uint64_t* hashes, bool first, HashOf hash_of) {
  bool all_valid = keys.validity().all_valid();
  for (size_t i = 0; i < count; ++i) {
    uint64_t hash = all_valid || !keys.IsNull(i) ? hash_of(i) : kNullHash;
    hashes[i] = first ? hash : CombineHashes(hashes[i], hash);
  }
}

void HashColumn(const Vector& keys, size_t count, uint64_t* hashes, bool first) {
  switch (keys.type()) {
    case TypeId::kVarchar: {
      const StringRef* values = keys.data<StringRef>();
      return HashValues(keys, count, hashes, first,
                        [&](size_t i) { return HashString(values[i].view()); });
    }
    case TypeId::kInteger:
    case TypeId::kDate: {
      const int32_t* values = keys.data<int32_t>();
      return HashValues(keys, count, hashes, first, [&](size_t i) {
        return HashInteger(static_cast<uint64_t>(static_cast<int64_t>(values[i])));
      });
    }
    case TypeId::kBigint:
    case TypeId::kTimestamp: {
      const int64_t* values = keys.data<int64_t>();
      return HashValues(keys, count, hashes, first,
                        [&](size_t i) { return HashInteger(static_cast<uint64_t>(values[i])); });
    }
    default:
      return HashValues(keys, count, hashes, first,
                        [&](size_t i) { return HashInteger(FixedBits(keys, i)); });
  }
}

}  // namespace

void HashRows(std::span<const Vector* const> keys, size_t count, uint64_t* hashes) {
  if (keys.empty()) {
    std::fill(hashes, hashes + count, kNullHash);
    return;
  }
  for (size_t k = 0; k < keys.size(); ++k) HashColumn(*keys[k], count, hashes, k == 0);
}

GroupTable::GroupTable(std::vector<TypeId> key_types,
                       std::vector<const AggregateFunction*> aggregates, size_t radix_bits)
    : key_types_(std::move(key_types)),
      aggregates_(std::move(aggregates)),
      radix_shift_(64 - radix_bits),
      slots_(1024, 0),
      partitions_(size_t{1} << radix_bits) {
  size_t offset = 8 + ((key_types_.size() + 7) / 8) * 8;  // hash, then null flags
  for (TypeId type : key_types_) {
    key_offsets_.push_back(offset);
    offset += KeyWidth(type);
  }
  for (const AggregateFunction* aggregate : aggregates_) {
    state_offsets_.push_back(offset);
    offset += (aggregate->state_size + 7) / 8 * 8;
  }
  row_width_ = std::max<size_t>(offset, 8);
}

GroupTable::~GroupTable() {
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    if (aggregates_[a]->destroy == nullptr) continue;
    for (size_t g = 0; g < num_groups_; ++g) aggregates_[a]->destroy(Row(g) + state_offsets_[a]);
  }
}

std::byte* GroupTable::NewGroup(uint64_t hash) {
  if (num_groups_ % kRowsPerBlock == 0) {
    blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(kRowsPerBlock * row_width_));
  }
  size_t group = num_groups_++;
  std::byte* row = Row(group);
  std::memcpy(row, &hash, 8);
  std::memset(row + 8, 0, (key_types_.size() + 7) / 8 * 8);  // null flags and their padding
  for (size_t a = 0; a < aggregates_.size(); ++a)
    aggregates_[a]->initialize(row + state_offsets_[a]);
  partitions_[radix_shift_ == 64 ? 0 : hash >> radix_shift_].push_back(
      static_cast<uint32_t>(group));
  return row;
}

std::byte* GroupTable::InsertGroup(uint64_t hash) {
  if ((num_groups_ + 1) * 2 > slots_.size()) Grow();
  std::byte* row = NewGroup(hash);
  size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  while (slots_[slot] != 0) slot = (slot + 1) & mask;
  slots_[slot] = ((hash >> 32) & 0xffff) << 48 | num_groups_;
  return row;
}

std::byte* GroupTable::AddEmptyGroup() { return InsertGroup(kNullHash); }

void GroupTable::Reserve(size_t groups) {
  size_t size = slots_.size();
  while (groups * 2 > size) size *= 2;
  if (size != slots_.size()) Rehash(size);
}

void GroupTable::Grow() { Rehash(slots_.size() * 2); }

void GroupTable::Rehash(size_t size) {
  std::vector<uint64_t> slots(size, 0);
  size_t mask = slots.size() - 1;
  for (size_t group = 0; group < num_groups_; ++group) {
    uint64_t hash;
    std::memcpy(&hash, Row(group), 8);
    size_t slot = hash & mask;
    while (slots[slot] != 0) slot = (slot + 1) & mask;
    slots[slot] = ((hash >> 32) & 0xffff) << 48 | (group + 1);
  }
  slots_ = std::move(slots);
}

bool GroupTable::KeysEqual(const std::byte* row, std::span<const Vector* const> keys,
                           size_t i) const {
  const auto* nulls = reinterpret_cast<const uint8_t*>(row + 8);
  for (size_t k = 0; k < keys.size(); ++k) {
    bool is_null = keys[k]->IsNull(i);
    if (nulls[k] != is_null) return false;
    if (is_null) continue;
    const std::byte* stored = row + key_offsets_[k];
    if (key_types_[k] == TypeId::kVarchar) {
      if (!(*reinterpret_cast<const StringRef*>(stored) == keys[k]->data<StringRef>()[i])) {
        return false;
      }
    } else {
      uint64_t bits = FixedBits(*keys[k], i);
      if (std::memcmp(stored, &bits, 8) != 0) return false;
    }
  }
  return true;
}

void GroupTable::StoreKeys(std::byte* row, std::span<const Vector* const> keys, size_t i) {
  auto* nulls = reinterpret_cast<uint8_t*>(row + 8);
  for (size_t k = 0; k < keys.size(); ++k) {
    nulls[k] = keys[k]->IsNull(i);
    std::byte* stored = row + key_offsets_[k];
    if (key_types_[k] == TypeId::kVarchar) {
      StringRef value = nulls[k] ? StringRef() : keys[k]->data<StringRef>()[i];
      value = heap_.Add(value.view());
      std::memcpy(stored, &value, 16);
    } else {
      uint64_t bits = nulls[k] ? 0 : FixedBits(*keys[k], i);
      std::memcpy(stored, &bits, 8);
    }
  }
}

void GroupTable::FindOrAdd(std::span<const Vector* const> keys, const uint64_t* hashes,
                           size_t count, std::byte** rows) {
  // Large tables miss the cache on every probe: fetch the slots, then the rows they name, for
  // the whole vector before probing, so the misses overlap instead of queueing.
  if (slots_.size() > (1 << 15)) {
    size_t mask = slots_.size() - 1;
    for (size_t i = 0; i < count; ++i) __builtin_prefetch(&slots_[hashes[i] & mask]);
    for (size_t i = 0; i < count; ++i) {
      uint64_t entry = slots_[hashes[i] & mask];
      if (entry != 0) __builtin_prefetch(Row((entry & kGroupMask) - 1));
    }
  }
  if (count == 0) return;
  if (keys.empty()) {  // an aggregate without GROUP BY: one group for every row
    std::byte* row = num_groups_ == 0 ? AddEmptyGroup() : Row(0);
    std::fill(rows, rows + count, row);
    return;
  }
  bool single = keys.size() == 1 && keys[0]->validity().all_valid();
  if (single && FindDirect(keys, hashes, count, rows)) return;
  if (!direct_.empty()) DisableDirect();  // groups added below would be missing from direct_
  // One key without NULLs (most GROUP BYs): compare it directly, without the per-key loop.
  if (single) {
    const Vector& key = *keys[0];
    size_t offset = key_offsets_[0];
    auto valid = [](const std::byte* row) { return row[8] == std::byte{0}; };
    switch (key.type()) {
      case TypeId::kVarchar: {
        const StringRef* values = key.data<StringRef>();
        return FindOrAddWith(keys, hashes, count, rows, [&](const std::byte* row, size_t i) {
          return valid(row) && *reinterpret_cast<const StringRef*>(row + offset) == values[i];
        });
      }
      case TypeId::kInteger:
      case TypeId::kDate: {
        const int32_t* values = key.data<int32_t>();
        return FindOrAddWith(keys, hashes, count, rows, [&](const std::byte* row, size_t i) {
          int64_t stored;
          std::memcpy(&stored, row + offset, 8);
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
                [&](const std::byte* row, size_t i) { return KeysEqual(row, keys, i); });
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
    uint32_t& group = direct_[static_cast<uint64_t>(value) - static_cast<uint64_t>(direct_low_)];
    if (group != 0) {
      rows[i] = Row(group - 1);
      continue;
    }
    rows[i] = InsertGroup(hashes[i]);
    StoreKeys(rows[i], keys, i);
    group = static_cast<uint32_t>(num_groups_);
  }
  return true;
}

// Makes direct_ cover [low, high]; false when that would exceed kMaxDirect, or when the table
// already holds groups direct_ does not know.
bool GroupTable::CoverDirect(int64_t low, int64_t high) {
  if (direct_.empty()) {
    if (num_groups_ != 0) return false;
    if (static_cast<uint64_t>(high) - static_cast<uint64_t>(low) >= kMaxDirect) return false;
    direct_low_ = low;
    direct_.assign(static_cast<uint64_t>(high) - static_cast<uint64_t>(low) + 1, 0);
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
  std::vector<uint32_t> grown(span + 1, 0);
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
    uint64_t salt = ((hash >> 32) & 0xffff) << 48;
    size_t mask = slots_.size() - 1;
    size_t slot = hash & mask;
    while (true) {
      uint64_t entry = slots_[slot];
      if (entry == 0) {
        rows[i] = InsertGroup(hash);
        StoreKeys(rows[i], keys, i);
        break;
      }
      if ((entry & ~kGroupMask) == salt) {
        std::byte* row = Row((entry & kGroupMask) - 1);
        if (equal(row, i)) {
          rows[i] = row;
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
  }
}

bool GroupTable::RowKeysEqual(const std::byte* left, const std::byte* right) const {
  size_t flags = (key_types_.size() + 7) / 8 * 8;
  if (std::memcmp(left + 8, right + 8, flags) != 0) return false;
  for (size_t k = 0; k < key_types_.size(); ++k) {
    const std::byte* a = left + key_offsets_[k];
    const std::byte* b = right + key_offsets_[k];
    if (key_types_[k] == TypeId::kVarchar) {
      if (!(*reinterpret_cast<const StringRef*>(a) == *reinterpret_cast<const StringRef*>(b))) {
        return false;
      }
    } else if (std::memcmp(a, b, 8) != 0) {
      return false;
    }
  }
  return true;
}

void GroupTable::StoreRowKeys(std::byte* row, const std::byte* source) {
  size_t flags = (key_types_.size() + 7) / 8 * 8;
  std::memcpy(row + 8, source + 8, flags);
  for (size_t k = 0; k < key_types_.size(); ++k) {
    std::byte* stored = row + key_offsets_[k];
    std::memcpy(stored, source + key_offsets_[k], KeyWidth(key_types_[k]));
    if (key_types_[k] == TypeId::kVarchar) {
      StringRef value = heap_.Add(reinterpret_cast<const StringRef*>(stored)->view());
      std::memcpy(stored, &value, 16);
    }
  }
}

std::byte* GroupTable::FindOrAddRow(uint64_t hash, const std::byte* source) {
  uint64_t salt = ((hash >> 32) & 0xffff) << 48;
  size_t mask = slots_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    uint64_t entry = slots_[slot];
    if (entry == 0) break;
    if ((entry & ~kGroupMask) == salt) {
      std::byte* row = Row((entry & kGroupMask) - 1);
      if (RowKeysEqual(row, source)) return row;
    }
  }
  std::byte* row = InsertGroup(hash);
  StoreRowKeys(row, source);
  return row;
}

void GroupTable::AppendGroups(std::span<const Vector* const> keys, const uint64_t* hashes,
                              size_t count, std::byte** rows) {
  for (size_t i = 0; i < count; ++i) {
    rows[i] = NewGroup(hashes[i]);
    StoreKeys(rows[i], keys, i);
  }
}

void GroupTable::MergePartition(const GroupTable& other, size_t partition) {
  const std::vector<uint32_t>& groups = other.partitions_[partition];
  // Fetch slots a little ahead: a large merge target misses the cache on every probe.
  constexpr size_t kAhead = 16;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g + kAhead < groups.size()) {
      uint64_t ahead;
      std::memcpy(&ahead, other.Row(groups[g + kAhead]), 8);
      __builtin_prefetch(&slots_[ahead & (slots_.size() - 1)]);
    }
    const std::byte* source = other.Row(groups[g]);
    uint64_t hash;
    std::memcpy(&hash, source, 8);
    std::byte* row = FindOrAddRow(hash, source);
    for (size_t a = 0; a < aggregates_.size(); ++a) {
      aggregates_[a]->combine(source + state_offsets_[a], row + state_offsets_[a]);
    }
  }
}

void GroupTable::Scan(size_t from, size_t count, core::Batch& out) const {
  out.SetNumRows(count);
  for (size_t k = 0; k < key_types_.size(); ++k) {
    Vector& column = out.column(k);
    for (size_t i = 0; i < count; ++i) {
      const std::byte* row = Row(from + i);
      if (reinterpret_cast<const uint8_t*>(row + 8)[k]) {
        column.SetNull(i);
        continue;
      }
      const std::byte* stored = row + key_offsets_[k];
      switch (core::TypeWidth(key_types_[k])) {
        case 1:
          column.data<uint8_t>()[i] = static_cast<uint8_t>(stored[0]);
          break;
        case 4:
          std::memcpy(column.data<int32_t>() + i, stored, 4);
          break;
        case 8:
          std::memcpy(column.data<int64_t>() + i, stored, 8);
          break;
        default:
          column.SetString(i, reinterpret_cast<const StringRef*>(stored)->view());
      }
    }
  }
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    Vector& column = out.column(key_types_.size() + a);
    for (size_t i = 0; i < count; ++i) {
      aggregates_[a]->finalize(Row(from + i) + state_offsets_[a], column, i);
    }
  }
}

}  // namespace sluice::exec
