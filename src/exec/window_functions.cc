#include "exec/window_functions.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "exec/window_frame.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;
using Kind = WindowFunctionKind;

bool UsesFrame(Kind kind) {
  return kind == Kind::kFirstValue || kind == Kind::kLastValue || kind == Kind::kNthValue ||
         kind == Kind::kAggregate;
}

// Calls `body(begin, end)` for each window partition of `rows`.
template <typename F>
void ForEachPartition(const SortedRows& rows, F body) {
  const std::vector<uint32_t>& bounds = rows.partition_bounds();
  for (size_t p = 0; p + 1 < bounds.size(); ++p) body(bounds[p], bounds[p + 1]);
}

Vector MakeResultVector(TypeId type, size_t size) {
  Vector vector(type, std::max<size_t>(size, 1));
  vector.set_size(size);
  return vector;
}

// Returns the 1-based ntile bucket of row `index` of `count`: PostgreSQL gives the first
// count % buckets buckets one row more than the others.
int64_t NtileBucket(int64_t index, int64_t count, int64_t buckets) {
  int64_t size = count / buckets, larger = count % buckets;
  int64_t boundary = larger * (size + 1);
  if (index < boundary) return index / (size + 1) + 1;
  return larger + (index - boundary) / size + 1;
}

Vector RankingValues(const WindowFunction& function, const SortedRows& rows, TypeId type) {
  Vector out = MakeResultVector(type, rows.size());
  int64_t* integers = type == TypeId::kBigint ? out.data<int64_t>() : nullptr;
  double* doubles = type == TypeId::kDouble ? out.data<double>() : nullptr;
  ForEachPartition(rows, [&](uint32_t begin, uint32_t end) {
    int64_t count = end - begin;
    int64_t dense = 0;
    for (uint32_t i = begin; i < end; ++i) {
      int64_t index = i - begin;
      switch (function.kind) {
        case Kind::kRowNumber:
          integers[i] = index + 1;
          break;
        case Kind::kRank:
          integers[i] = rows.peer_start(i) - begin + 1;
          break;
        case Kind::kDenseRank:
          dense += rows.peer_start(i) == i;
          integers[i] = dense;
          break;
        case Kind::kPercentRank:
          doubles[i] = count > 1 ? double(rows.peer_start(i) - begin) / double(count - 1) : 0.0;
          break;
        case Kind::kCumeDist:
          doubles[i] = double(rows.peer_end(i) - begin) / double(count);
          break;
        default:
          integers[i] = NtileBucket(index, count, function.offset);
      }
    }
  });
  return out;
}

std::vector<int64_t> OffsetPicks(const WindowFunction& function, const SortedRows& rows) {
  std::vector<int64_t> picks(rows.size());
  // Offsets beyond any partition size behave alike; capping them avoids overflow.
  constexpr int64_t kCap = int64_t{1} << 40;
  int64_t offset = std::clamp(function.offset, -kCap, kCap);
  if (function.kind == Kind::kLag) offset = -offset;
  bool has_default = function.default_value && !function.default_value->is_null();
  int64_t outside = has_default ? WindowResult::kDefaultPick : WindowResult::kNullPick;
  ForEachPartition(rows, [&](uint32_t begin, uint32_t end) {
    for (int64_t i = begin; i < end; ++i) {
      int64_t target = i + offset;
      picks[i] = target >= begin && target < end ? target : outside;
    }
  });
  return picks;
}

std::vector<int64_t> FramePicks(const WindowFunction& function, const SortedRows& rows,
                                const SortKey* order_key) {
  std::vector<int64_t> picks(rows.size());
  std::vector<uint32_t> starts(rows.size()), ends(rows.size());
  ForEachPartition(rows, [&](uint32_t begin, uint32_t end) {
    ComputeFrames(rows, begin, end, function.frame, order_key, starts.data(), ends.data());
    for (uint32_t i = begin; i < end; ++i) {
      int64_t size = ends[i] - starts[i];
      int64_t target = WindowResult::kNullPick;
      if (function.kind == Kind::kFirstValue && size > 0) target = starts[i];
      if (function.kind == Kind::kLastValue && size > 0) target = int64_t{ends[i]} - 1;
      if (function.kind == Kind::kNthValue && function.offset <= size) {
        target = starts[i] + function.offset - 1;
      }
      picks[i] = target;
    }
  });
  return picks;
}

// Feeds the arguments of sorted rows to an aggregate's update, a vector at a time, leaving
// out rows with a NULL argument when the aggregate skips NULLs.
class AggregateFeeder {
 public:
  AggregateFeeder(const SortedRows& rows, const WindowFunction& function)
      : rows_(rows),
        aggregate_(*function.aggregate),
        columns_(function.arguments),
        states_(core::kVectorSize) {
    for (TypeId type : aggregate_.arguments) scratch_.emplace_back(type);
    for (const Vector& vector : scratch_) arguments_.push_back(&vector);
  }

  /// Adds the arguments of sorted positions [begin, end) to `state`.
  void Add(std::byte* state, uint32_t begin, uint32_t end) {
    if (state != current_) {
      std::fill(states_.begin(), states_.end(), state);
      current_ = state;
    }
    size_t count = 0;
    for (uint32_t i = begin; i < end; ++i) {
      if (!CopyArguments(i, count)) continue;
      if (++count == core::kVectorSize) Flush(std::exchange(count, 0));
    }
    if (count > 0) Flush(count);
  }

 private:
  bool CopyArguments(uint32_t position, size_t slot) {
    size_t row = rows_.physical_row(position);
    if (aggregate_.skips_nulls) {
      for (size_t column : columns_) {
        if (rows_.column(position, column).IsNull(row)) return false;
      }
    }
    for (size_t k = 0; k < columns_.size(); ++k) {
      const Vector& source = rows_.column(position, columns_[k]);
      Vector& target = scratch_[k];
      if (source.IsNull(row)) {
        target.SetNull(slot);
        continue;
      }
      target.validity().SetValid(slot);
      size_t width = core::TypeWidth(target.type());
      std::memcpy(target.data<std::byte>() + slot * width, source.data<std::byte>() + row * width,
                  width);
    }
    return true;
  }

  void Flush(size_t count) {
    for (Vector& vector : scratch_) vector.set_size(count);
    aggregate_.update(arguments_, count, states_.data(), 0);
  }

  const SortedRows& rows_;
  const AggregateFunction& aggregate_;
  const std::vector<size_t>& columns_;
  std::vector<Vector> scratch_;
  std::vector<const Vector*> arguments_;
  std::vector<std::byte*> states_;
  std::byte* current_ = nullptr;
};

// Computes frames that all start at the partition's first row by adding rows to one running
// state as the frame end moves; rows whose frame equals the previous row's copy its value.
void RunningAggregate(AggregateFeeder& feeder, const AggregateFunction& aggregate, std::byte* state,
                      uint32_t begin, uint32_t end, const uint32_t* ends, Vector& out) {
  aggregate.initialize(state);
  uint32_t added = begin;
  for (uint32_t i = begin; i < end; ++i) {
    if (i > begin && ends[i] == ends[i - 1]) {
      out.CopyFrom(out, i - 1, i, 1);
      continue;
    }
    if (ends[i] > added) feeder.Add(state, added, ends[i]);
    added = std::max(added, ends[i]);
    aggregate.finalize(state, out, i);
  }
  if (aggregate.destroy != nullptr) aggregate.destroy(state);
}

// Computes other frames by aggregating each row's frame afresh: O(rows * frame size).
void FrameAggregate(AggregateFeeder& feeder, const AggregateFunction& aggregate, std::byte* state,
                    uint32_t begin, uint32_t end, const uint32_t* starts, const uint32_t* ends,
                    Vector& out) {
  for (uint32_t i = begin; i < end; ++i) {
    if (i > begin && starts[i] == starts[i - 1] && ends[i] == ends[i - 1]) {
      out.CopyFrom(out, i - 1, i, 1);
      continue;
    }
    aggregate.initialize(state);
    feeder.Add(state, starts[i], ends[i]);
    aggregate.finalize(state, out, i);
    if (aggregate.destroy != nullptr) aggregate.destroy(state);
  }
}

Vector AggregateValues(const WindowFunction& function, const SortedRows& rows,
                       const SortKey* order_key, TypeId type) {
  const AggregateFunction& aggregate = *function.aggregate;
  Vector out = MakeResultVector(type, rows.size());
  AggregateFeeder feeder(rows, function);
  std::vector<uint32_t> starts(rows.size()), ends(rows.size());
  std::vector<std::max_align_t> buffer(aggregate.state_size / sizeof(std::max_align_t) + 1);
  auto* state = reinterpret_cast<std::byte*>(buffer.data());
  bool running = function.frame.start.kind == FrameBoundKind::kUnboundedPreceding;
  ForEachPartition(rows, [&](uint32_t begin, uint32_t end) {
    ComputeFrames(rows, begin, end, function.frame, order_key, starts.data(), ends.data());
    if (running) {
      RunningAggregate(feeder, aggregate, state, begin, end, ends.data(), out);
    } else {
      FrameAggregate(feeder, aggregate, state, begin, end, starts.data(), ends.data(), out);
    }
  });
  return out;
}

}  // namespace

bool WindowFunctionNeedsPeers(const WindowFunction& function) {
  switch (function.kind) {
    case Kind::kRank:
    case Kind::kDenseRank:
    case Kind::kPercentRank:
    case Kind::kCumeDist:
      return true;
    default:
      return UsesFrame(function.kind) && FrameNeedsPeers(function.frame);
  }
}

WindowResult EvaluateWindowFunction(const WindowFunction& function, const SortedRows& rows,
                                    const SortKey* order_key, TypeId result) {
  WindowResult output;
  switch (function.kind) {
    case Kind::kLag:
    case Kind::kLead:
      output.picks = OffsetPicks(function, rows);
      break;
    case Kind::kFirstValue:
    case Kind::kLastValue:
    case Kind::kNthValue:
      output.picks = FramePicks(function, rows, order_key);
      break;
    case Kind::kAggregate:
      output.values = AggregateValues(function, rows, order_key, result);
      break;
    default:
      output.values = RankingValues(function, rows, result);
  }
  return output;
}

}  // namespace sluice::exec
