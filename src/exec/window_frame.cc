#include "exec/window_frame.h"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <vector>

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

bool IsOffset(FrameBoundKind kind) {
  return kind == FrameBoundKind::kPreceding || kind == FrameBoundKind::kFollowing;
}

bool IsUnbounded(FrameBoundKind kind) {
  return kind == FrameBoundKind::kUnboundedPreceding || kind == FrameBoundKind::kUnboundedFollowing;
}

// Returns a ROWS bound of position `i`; an end bound is exclusive.
int64_t RowsBound(const FrameBound& bound, int64_t i, int64_t begin, int64_t end, bool is_end) {
  // Offsets beyond the partition's size reach past it anyway; capping them avoids overflow.
  int64_t offset = std::min(bound.offset, end - begin + 1);
  int64_t position = i;
  switch (bound.kind) {
    case FrameBoundKind::kUnboundedPreceding:
      return begin;
    case FrameBoundKind::kUnboundedFollowing:
      return end;
    case FrameBoundKind::kPreceding:
      position = i - offset;
      break;
    case FrameBoundKind::kFollowing:
      position = i + offset;
      break;
    case FrameBoundKind::kCurrentRow:
      break;
  }
  return std::clamp<int64_t>(position + (is_end ? 1 : 0), begin, end);
}

// Returns a RANGE bound without an offset (an offset bound of a NULL key also means the peers).
uint32_t RangeBound(const SortedRows& rows, const FrameBound& bound, uint32_t i, uint32_t begin,
                    uint32_t end, bool is_end) {
  if (bound.kind == FrameBoundKind::kUnboundedPreceding) return begin;
  if (bound.kind == FrameBoundKind::kUnboundedFollowing) return end;
  return is_end ? rows.peer_end(i) : rows.peer_start(i);
}

template <typename T>
T ReadKey(const Vector& column, size_t row) {
  switch (column.type()) {
    case TypeId::kInteger:
    case TypeId::kDate:
      return static_cast<T>(column.data<int32_t>()[row]);
    case TypeId::kDouble:
      return static_cast<T>(column.data<double>()[row]);
    default:
      return static_cast<T>(column.data<int64_t>()[row]);
  }
}

// Returns value + offset or value - offset, saturating for integers.
template <typename T>
T Shift(T value, int64_t offset, bool add) {
  if constexpr (std::is_floating_point_v<T>) {
    return add ? value + static_cast<T>(offset) : value - static_cast<T>(offset);
  } else {
    T result;
    bool overflow = add ? __builtin_add_overflow(value, offset, &result)
                        : __builtin_sub_overflow(value, offset, &result);
    if (!overflow) return result;
    return add ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
  }
}

// Computes RANGE frames with an offset bound by binary search over the non-NULL keys, which
// sit together at one end of the partition.
template <typename T>
void RangeOffsetFrames(const SortedRows& rows, uint32_t begin, uint32_t end,
                       const WindowFrame& frame, const SortKey& key, uint32_t* starts,
                       uint32_t* ends) {
  std::vector<T> values(end - begin);
  uint32_t valid_begin = end, valid_end = begin;
  for (uint32_t i = begin; i < end; ++i) {
    const Vector& column = rows.column(i, key.column);
    size_t row = rows.physical_row(i);
    if (column.IsNull(row)) continue;
    values[i - begin] = ReadKey<T>(column, row);
    valid_begin = std::min(valid_begin, i);
    valid_end = i + 1;
  }
  auto before = [&](T left, T right) { return key.descending ? right < left : left < right; };
  auto first = values.begin() + (valid_begin - begin);
  auto last = values.begin() + (std::max(valid_begin, valid_end) - begin);
  auto bound_of = [&](const FrameBound& bound, uint32_t i, bool is_end) -> uint32_t {
    bool is_null = i < valid_begin || i >= valid_end;
    if (!IsOffset(bound.kind) || is_null) return RangeBound(rows, bound, i, begin, end, is_end);
    bool add = (bound.kind == FrameBoundKind::kFollowing) != key.descending;
    T target = Shift(values[i - begin], bound.offset, add);
    auto found = is_end ? std::upper_bound(first, last, target, before)
                        : std::lower_bound(first, last, target, before);
    return begin + static_cast<uint32_t>(found - values.begin());
  };
  for (uint32_t i = begin; i < end; ++i) {
    starts[i] = bound_of(frame.start, i, false);
    ends[i] = std::max(starts[i], bound_of(frame.end, i, true));
  }
}

}  // namespace

bool HasRangeOffset(const WindowFrame& frame) {
  return frame.unit == FrameUnit::kRange &&
         (IsOffset(frame.start.kind) || IsOffset(frame.end.kind));
}

bool FrameNeedsPeers(const WindowFrame& frame) {
  return frame.unit == FrameUnit::kRange &&
         !(IsUnbounded(frame.start.kind) && IsUnbounded(frame.end.kind));
}

void ComputeFrames(const SortedRows& rows, uint32_t begin, uint32_t end, const WindowFrame& frame,
                   const SortKey* order_key, uint32_t* starts, uint32_t* ends) {
  if (frame.unit == FrameUnit::kRows) {
    for (uint32_t i = begin; i < end; ++i) {
      starts[i] = static_cast<uint32_t>(RowsBound(frame.start, i, begin, end, false));
      ends[i] =
          std::max(starts[i], static_cast<uint32_t>(RowsBound(frame.end, i, begin, end, true)));
    }
    return;
  }
  if (HasRangeOffset(frame)) {
    TypeId type = rows.column(begin, order_key->column).type();
    if (type == TypeId::kDouble) {
      RangeOffsetFrames<double>(rows, begin, end, frame, *order_key, starts, ends);
    } else {
      RangeOffsetFrames<int64_t>(rows, begin, end, frame, *order_key, starts, ends);
    }
    return;
  }
  for (uint32_t i = begin; i < end; ++i) {
    starts[i] = RangeBound(rows, frame.start, i, begin, end, false);
    ends[i] = std::max(starts[i], RangeBound(rows, frame.end, i, begin, end, true));
  }
}

}  // namespace sluice::exec
