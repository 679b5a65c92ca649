#include "exec/window_rows.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <tuple>
#include <type_traits>

#include "base/hash.h"
#include "exec/group_table.h"

namespace sluice::exec {
namespace {

using core::StringRef;
using core::TypeId;
using core::Vector;

constexpr uint64_t kSignBit = uint64_t{1} << 63;

uint64_t IntegerPrefix(int64_t value) { return static_cast<uint64_t>(value) ^ kSignBit; }

// Orders like CompareValues: -0.0 equals 0.0, NaN after every number and equal to NaN.
uint64_t DoublePrefix(double value) {
  if (value == 0) value = 0;
  uint64_t bits = value != value ? 0x7ff8000000000000ULL : std::bit_cast<uint64_t>(value);
  return (bits & kSignBit) ? ~bits : bits ^ kSignBit;
}

// Returns the first 8 bytes big-endian, zero-padded: equal prefixes still need a full compare.
uint64_t StringPrefix(const StringRef& value) {
  uint64_t bits = 0;
  std::memcpy(&bits, value.data(), std::min<size_t>(value.size(), 8));
  return __builtin_bswap64(bits);
}

template <typename F>
void FillPrefixes(size_t count, uint64_t* keys, F prefix) {
  for (size_t i = 0; i < count; ++i) keys[i] = prefix(i);
}

// Compares value `left_row` of `left` with `right_row` of `right` (same type, both valid).
int CompareValues(const Vector& left, size_t left_row, const Vector& right, size_t right_row) {
  auto three_way = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
  switch (left.type()) {
    case TypeId::kBoolean:
      return three_way(left.data<uint8_t>()[left_row], right.data<uint8_t>()[right_row]);
    case TypeId::kInteger:
    case TypeId::kDate:
      return three_way(left.data<int32_t>()[left_row], right.data<int32_t>()[right_row]);
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      return three_way(left.data<int64_t>()[left_row], right.data<int64_t>()[right_row]);
    case TypeId::kDouble: {
      double a = left.data<double>()[left_row], b = right.data<double>()[right_row];
      if (a != a || b != b) return (a != a) - (b != b);
      return three_way(a, b);
    }
    case TypeId::kVarchar:
      return StringRef::Compare(left.data<StringRef>()[left_row],
                                right.data<StringRef>()[right_row]);
  }
  return 0;
}

// Compares two values of a sort key, NULLs placed as the key says.
int CompareKey(const Vector& left, size_t left_row, const Vector& right, size_t right_row,
               const SortKey& key) {
  bool left_null = left.IsNull(left_row), right_null = right.IsNull(right_row);
  if (left_null || right_null) {
    if (left_null == right_null) return 0;
    return left_null == key.nulls_first ? -1 : 1;
  }
  int order = CompareValues(left, left_row, right, right_row);
  return key.descending ? -order : order;
}

bool PositionLess(const WindowRow& left, const WindowRow& right) {
  return std::make_tuple(left.batch, left.physical_row()) <
         std::make_tuple(right.batch, right.physical_row());
}

// Hashes rows [0, count) of `key`, whose values are T, each read as 64 bits with one pattern
// per distinct value; one loop per type, so the type is not asked again for every row.
template <typename T>
void HashFixed(const Vector& key, size_t count, uint64_t* hashes) {
  const T* values = key.data<T>();
  for (size_t i = 0; i < count; ++i) {
    if constexpr (std::is_same_v<T, double>) {
      hashes[i] = HashInteger(DoublePrefix(values[i]));
    } else if constexpr (std::is_same_v<T, uint8_t>) {
      hashes[i] = HashInteger(values[i]);
    } else {
      hashes[i] = HashInteger(static_cast<uint64_t>(static_cast<int64_t>(values[i])));
    }
  }
}

}  // namespace

std::vector<ColumnTable> MakeColumnTables(const std::vector<core::Batch>& inputs,
                                          size_t num_columns) {
  std::vector<ColumnTable> tables(num_columns);
  for (size_t c = 0; c < num_columns; ++c) {
    for (const core::Batch& batch : inputs) {
      const Vector& column = batch.column(c);
      tables[c].data.push_back(column.data<std::byte>());
      const auto& words = column.validity().words();
      tables[c].validity.push_back(words.empty() ? nullptr : words.data());
    }
  }
  return tables;
}

std::vector<WindowRow> BucketRows(std::span<std::vector<WindowRow>* const> lists,
                                  std::vector<uint32_t>& bounds) {
  size_t total = 0;
  for (const auto* list : lists) total += list->size();
  // About 32 rows a bucket keeps each sort in cache; bits 32-47 lie below any radix bits.
  size_t bits = std::min<size_t>(std::bit_width(total / 32), 16);
  size_t buckets = size_t{1} << bits;
  std::vector<uint32_t> next(buckets + 1, 0);
  for (const auto* list : lists) {
    for (const WindowRow& row : *list) ++next[((row.hash >> 32) & (buckets - 1)) + 1];
  }
  for (size_t b = 0; b < buckets; ++b) next[b + 1] += next[b];
  bounds.assign(next.begin(), next.end());
  std::vector<WindowRow> rows(total);
  for (auto* list : lists) {
    for (const WindowRow& row : *list) rows[next[(row.hash >> 32) & (buckets - 1)]++] = row;
    std::vector<WindowRow>().swap(*list);
  }
  return rows;
}

int CompareSortKeys(const core::Batch& left, size_t left_row, const core::Batch& right,
                    size_t right_row, std::span<const SortKey> keys) {
  for (const SortKey& key : keys) {
    int order =
        CompareKey(left.column(key.column), left_row, right.column(key.column), right_row, key);
    if (order != 0) return order;
  }
  return 0;
}

bool EqualPartitionKeys(const core::Batch& left, size_t left_row, const core::Batch& right,
                        size_t right_row, std::span<const size_t> columns) {
  for (size_t column : columns) {
    if (CompareKey(left.column(column), left_row, right.column(column), right_row,
                   SortKey{column}) != 0) {
      return false;
    }
  }
  return true;
}

void HashPartitionKeys(std::span<const Vector* const> keys, size_t count, uint64_t* hashes) {
  if (keys.size() != 1 || keys[0]->type() == TypeId::kVarchar) {
    HashRows(keys, count, hashes);
    return;
  }
  // The murmur3 finalizer is a bijection, so hashes identify values exactly.
  const Vector& key = *keys[0];
  switch (key.type()) {
    case TypeId::kBoolean:
      HashFixed<uint8_t>(key, count, hashes);
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      HashFixed<int32_t>(key, count, hashes);
      break;
    case TypeId::kDouble:
      HashFixed<double>(key, count, hashes);
      break;
    default:
      HashFixed<int64_t>(key, count, hashes);
      break;
  }
  if (key.validity().all_valid()) return;
  for (size_t i = 0; i < count; ++i) {
    if (key.IsNull(i)) hashes[i] = kNullPartitionHash;
  }
}

void ComputeSortPrefixes(const Vector& column, const SortKey& key, size_t count, uint64_t* keys,
                         uint32_t* late_bits) {
  switch (column.type()) {
    case TypeId::kBoolean:
      FillPrefixes(count, keys, [&](size_t i) { return uint64_t{column.data<uint8_t>()[i]}; });
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      FillPrefixes(count, keys, [&](size_t i) { return IntegerPrefix(column.data<int32_t>()[i]); });
      break;
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      FillPrefixes(count, keys, [&](size_t i) { return IntegerPrefix(column.data<int64_t>()[i]); });
      break;
    case TypeId::kDouble:
      FillPrefixes(count, keys, [&](size_t i) { return DoublePrefix(column.data<double>()[i]); });
      break;
    case TypeId::kVarchar:
      FillPrefixes(count, keys,
                   [&](size_t i) { return StringPrefix(column.data<StringRef>()[i]); });
      break;
  }
  uint64_t flip = key.descending ? ~uint64_t{0} : 0;
  uint32_t null_bit = key.nulls_first ? 0 : WindowRow::kLateBit;
  uint32_t value_bit = key.nulls_first ? WindowRow::kLateBit : 0;
  if (column.validity().all_valid()) {
    for (size_t i = 0; i < count; ++i) keys[i] ^= flip;
    std::fill(late_bits, late_bits + count, value_bit);
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    bool null = column.IsNull(i);
    keys[i] = null ? 0 : keys[i] ^ flip;
    late_bits[i] = null ? null_bit : value_bit;
  }
}

SortedRows::SortedRows(const std::vector<core::Batch>& batches, std::vector<WindowRow> rows,
                       const std::vector<uint32_t>& buckets, const WindowOrdering& ordering,
                       bool find_peers)
    : batches_(batches), rows_(std::move(rows)), ordering_(ordering) {
  exact_prefix_ = ordering_.order_keys.empty() || batches_.empty() ||
                  batches_[0].column(ordering_.order_keys[0].column).type() != TypeId::kVarchar;
  exact_hash_ = ordering_.partition_columns.size() == 1 && !batches_.empty() &&
                batches_[0].column(ordering_.partition_columns[0]).type() != TypeId::kVarchar;
  Sort(buckets);
  if (find_peers) FindPeers();
}

int SortedRows::CompareOrder(const WindowRow& left, const WindowRow& right) const {
  uint32_t left_late = left.row & WindowRow::kLateBit, right_late = right.row & WindowRow::kLateBit;
  if (left_late != right_late) return left_late < right_late ? -1 : 1;
  if (left.key != right.key) return left.key < right.key ? -1 : 1;
  std::span<const SortKey> keys = ordering_.order_keys;
  if (exact_prefix_ && !keys.empty()) keys = keys.subspan(1);
  return CompareSortKeys(batches_[left.batch], left.physical_row(), batches_[right.batch],
                         right.physical_row(), keys);
}

int SortedRows::ComparePartition(const WindowRow& left, const WindowRow& right) const {
  for (size_t column : ordering_.partition_columns) {
    int order =
        CompareKey(batches_[left.batch].column(column), left.physical_row(),
                   batches_[right.batch].column(column), right.physical_row(), SortKey{column});
    if (order != 0) return order;
  }
  return 0;
}

template <typename Less>
void SortedRows::SortBuckets(const std::vector<uint32_t>& buckets, Less less) {
  for (size_t b = 0; b + 1 < buckets.size(); ++b) {
    std::sort(rows_.begin() + buckets[b], rows_.begin() + buckets[b + 1], less);
  }
}

void SortedRows::Sort(const std::vector<uint32_t>& buckets) {
  if (exact_prefix_ && ordering_.order_keys.size() <= 1) {
    // The prefix decides the order: compare integers only, inline.
    SortBuckets(buckets, [](const WindowRow& left, const WindowRow& right) {
      if (left.hash != right.hash) return left.hash < right.hash;
      uint32_t left_late = left.row & WindowRow::kLateBit;
      uint32_t right_late = right.row & WindowRow::kLateBit;
      if (left_late != right_late) return left_late < right_late;
      if (left.key != right.key) return left.key < right.key;
      return left.batch != right.batch ? left.batch < right.batch : left.row < right.row;
    });
  } else {
    SortBuckets(buckets, [&](const WindowRow& left, const WindowRow& right) {
      if (left.hash != right.hash) return left.hash < right.hash;
      int order = CompareOrder(left, right);
      return order != 0 ? order < 0 : PositionLess(left, right);
    });
  }
  for (size_t begin = 0; begin < rows_.size();) {
    size_t end = begin + 1;
    while (end < rows_.size() && rows_[end].hash == rows_[begin].hash) ++end;
    SplitHashRun(begin, end);
    begin = end;
  }
  partition_bounds_.push_back(static_cast<uint32_t>(rows_.size()));
}

// Rows with equal hashes are one partition unless their keys collide: checking each row
// against the first is linear, and only a real collision pays for a sort by the keys.
void SortedRows::SplitHashRun(size_t begin, size_t end) {
  partition_bounds_.push_back(static_cast<uint32_t>(begin));
  if (ordering_.partition_columns.empty()) return;
  if (exact_hash_ && rows_[begin].hash != kNullPartitionHash) return;
  bool collided = false;
  for (size_t i = begin + 1; i < end && !collided; ++i) {
    collided = ComparePartition(rows_[begin], rows_[i]) != 0;
  }
  if (!collided) return;
  std::sort(rows_.begin() + begin, rows_.begin() + end,
            [&](const WindowRow& left, const WindowRow& right) {
              int order = ComparePartition(left, right);
              if (order == 0) order = CompareOrder(left, right);
              return order != 0 ? order < 0 : PositionLess(left, right);
            });
  for (size_t i = begin + 1; i < end; ++i) {
    if (ComparePartition(rows_[i - 1], rows_[i]) != 0) {
      partition_bounds_.push_back(static_cast<uint32_t>(i));
    }
  }
}

void SortedRows::FindPeers() {
  peer_start_.resize(rows_.size());
  peer_end_.resize(rows_.size());
  for (size_t p = 0; p + 1 < partition_bounds_.size(); ++p) {
    uint32_t begin = partition_bounds_[p], end = partition_bounds_[p + 1];
    uint32_t group = begin;
    for (uint32_t i = begin; i < end; ++i) {
      if (i > begin && CompareOrder(rows_[i - 1], rows_[i]) != 0) {
        std::fill(peer_end_.begin() + group, peer_end_.begin() + i, i);
        group = i;
      }
      peer_start_[i] = group;
    }
    std::fill(peer_end_.begin() + group, peer_end_.begin() + end, end);
  }
}

}  // namespace sluice::exec
