#include "exec/window_rows.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <tuple>

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

}  // namespace

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
  bool all_valid = column.validity().all_valid();
  for (size_t i = 0; i < count; ++i) {
    if (!all_valid && column.IsNull(i)) {
      keys[i] = 0;
      late_bits[i] = null_bit;
    } else {
      keys[i] ^= flip;
      late_bits[i] = value_bit;
    }
  }
}

SortedRows::SortedRows(const std::vector<core::Batch>& batches, std::vector<WindowRow> rows,
                       const WindowOrdering& ordering, bool find_peers)
    : batches_(batches), rows_(std::move(rows)), ordering_(ordering) {
  exact_prefix_ = ordering_.order_keys.empty() || batches_.empty() ||
                  batches_[0].column(ordering_.order_keys[0].column).type() != TypeId::kVarchar;
  Sort();
  if (find_peers) FindPeers();
}

int SortedRows::CompareOrder(const WindowRow& left, const WindowRow& right) const {
  uint32_t left_late = left.row & WindowRow::kLateBit, right_late = right.row & WindowRow::kLateBit;
  if (left_late != right_late) return left_late < right_late ? -1 : 1;
  if (left.key != right.key) return left.key < right.key ? -1 : 1;
  const auto& keys = ordering_.order_keys;
  for (size_t k = exact_prefix_ ? 1 : 0; k < keys.size(); ++k) {
    const Vector& left_column = batches_[left.batch].column(keys[k].column);
    const Vector& right_column = batches_[right.batch].column(keys[k].column);
    int order =
        CompareKey(left_column, left.physical_row(), right_column, right.physical_row(), keys[k]);
    if (order != 0) return order;
  }
  return 0;
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

void SortedRows::Sort() {
  std::sort(rows_.begin(), rows_.end(), [&](const WindowRow& left, const WindowRow& right) {
    if (left.hash != right.hash) return left.hash < right.hash;
    int order = CompareOrder(left, right);
    return order != 0 ? order < 0 : PositionLess(left, right);
  });
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
