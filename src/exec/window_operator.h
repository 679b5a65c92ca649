#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/schema.h"
#include "core/value.h"
#include "exec/aggregate_function.h"
#include "exec/collect_operators.h"
#include "exec/operator.h"
#include "exec/window_rows.h"
#include "exec/window_top_n.h"

namespace sluice::exec {
struct WindowResult;
}  // namespace sluice::exec

namespace sluice::exec {

/// Names the window functions a WindowSink computes.
enum class WindowFunctionKind : uint8_t {
  kRowNumber,
  kRank,
  kDenseRank,
  kPercentRank,
  kCumeDist,
  kNtile,
  kLag,
  kLead,
  kFirstValue,
  kLastValue,
  kNthValue,
  kAggregate,
};

/// Says whether frame offsets count rows (ROWS) or ORDER BY key distance (RANGE).
enum class FrameUnit : uint8_t { kRows, kRange };

/// Names the kinds of frame bound.
enum class FrameBoundKind : uint8_t {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing,
};

/// Is one end of a window frame. `offset` (>= 0) is used by kPreceding and kFollowing: a row
/// count for ROWS, a distance in the ORDER BY key's unit for RANGE (days for DATE, microseconds
/// for TIMESTAMP).
struct FrameBound {
  FrameBoundKind kind;
  int64_t offset = 0;
};

/// Is a window frame; the default is SQL's RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW,
/// which without ORDER BY spans the whole partition (every row is a peer).
struct WindowFrame {
  FrameUnit unit = FrameUnit::kRange;
  FrameBound start{FrameBoundKind::kUnboundedPreceding};
  FrameBound end{FrameBoundKind::kCurrentRow};
};

/// Is one window function call. Arguments are input column indices:
/// - lag/lead, first_value/last_value/nth_value: one, the value column;
/// - kAggregate: the aggregate's arguments (none for count(*)), of exactly its argument types;
/// - ranking functions and ntile: none.
/// `offset` is the lag/lead offset (may be negative or 0), the ntile bucket count and the
/// nth_value position (both > 0). `default_value` is lag/lead's default (NULL when absent).
/// The frame is used by first/last/nth_value and aggregates; the others ignore it.
struct WindowFunction {
  WindowFunctionKind kind;
  std::vector<size_t> arguments;
  int64_t offset = 1;
  std::optional<core::Value> default_value = std::nullopt;
  const AggregateFunction* aggregate = nullptr;
  WindowFrame frame = {};
};

/// Returns the result type of `function` over input rows of `input`: BIGINT for row_number,
/// rank, dense_rank and ntile; DOUBLE for percent_rank and cume_dist; the value column's type
/// for lag/lead/first/last/nth_value; the aggregate's result type for aggregates.
core::TypeId WindowResultType(const WindowFunction& function, const core::Schema& input);

/// Computes window functions over partitions, with PostgreSQL semantics. Every function of one
/// sink shares the PARTITION BY columns and ORDER BY keys (chain sinks for several windows).
/// Output: every input column, then one column per function (see WindowResultType); rows come
/// out grouped by partition, each partition in ORDER BY order (ties in input order), the
/// partitions in no particular order. NULL partition keys form one partition.
///
/// Rows are radix-partitioned by a hash of the partition keys as they arrive; Finalize sorts
/// and evaluates the radix partitions in parallel. When every function is row_number, rank or
/// dense_rank and one of them has a rank limit (KeepRanksUpTo), each thread keeps only the
/// rows of each partition within that limit as they arrive (WindowTopN), so Finalize sorts
/// only those. RANGE frames with an offset need exactly one ORDER BY key of type INTEGER,
/// BIGINT, DOUBLE, DATE or TIMESTAMP.
class WindowSink final : public SinkOperator {
 public:
  /// Makes the sink. `output` is the input schema followed by one field per function; throws
  /// UserError for invalid frames or function constants (PostgreSQL's messages).
  WindowSink(core::SchemaPtr output, std::vector<size_t> partition_columns,
             std::vector<SortKey> order_keys, std::vector<WindowFunction> functions);
  ~WindowSink() override;

  /// Emits only the rows whose result of function `function` (row_number, rank or dense_rank)
  /// is at most `limit`, for a filter above that drops the others (top-N per partition: only
  /// the kept rows are gathered). Several limits must all hold. REQUIRES: before any input.
  void KeepRanksUpTo(size_t function, int64_t limit);

  std::string name() const override { return "WINDOW"; }
  std::string details() const override;
  std::unique_ptr<LocalState> MakeLocalState() override;
  void Consume(Morsel morsel, LocalState& state) override;
  void Combine(LocalState& state) override;
  void Finalize() override;
  std::vector<core::Batch> TakeOutput() override { return std::move(output_); }

 private:
  class ThreadState;
  // Is every input batch in source order; numbers[thread][local batch] is a batch's index.
  struct Inputs {
    std::vector<core::Batch> batches;
    std::vector<std::vector<uint32_t>> numbers;
    std::vector<ColumnTable> tables;
  };

  // Is the rank limit rows are pruned by as they arrive.
  struct TopN {
    TopNRanking ranking;
    int64_t limit;
  };

  void Validate(const WindowFunction& function) const;
  void ChooseTopN();
  void ComputeRowKeys(const core::Batch& batch, ThreadState& state) const;
  void ValidateFrame(const WindowFrame& frame) const;
  std::vector<core::Batch> GatherInputs(std::vector<std::vector<uint32_t>>& global_numbers);
  std::vector<WindowRow> TakeRows(const std::vector<std::vector<uint32_t>>& numbers,
                                  size_t partition, std::vector<uint32_t>& buckets);
  std::vector<core::Batch> ProcessPartition(const Inputs& inputs, size_t partition);
  std::vector<uint32_t> KeptPositions(const std::vector<WindowResult>& results, size_t size) const;

  size_t num_inputs_;
  WindowOrdering ordering_;
  std::vector<WindowFunction> functions_;
  std::vector<core::TypeId> result_types_;
  bool needs_peers_ = false;
  std::vector<std::pair<size_t, int64_t>> rank_limits_;  // (function, largest rank kept)
  bool keeps_nothing_ = false;                           // a limit below 1
  std::optional<TopN> top_n_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<ThreadState>> states_;
  std::vector<core::Batch> output_;
};

}  // namespace sluice::exec
