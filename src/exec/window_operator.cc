#include "exec/window_operator.h"

#include <algorithm>
#include <span>
#include <type_traits>

#include "base/error.h"
#include "base/task.h"
#include "exec/gather.h"
#include "exec/window_frame.h"
#include "exec/window_functions.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;
using Kind = WindowFunctionKind;

constexpr size_t kRadixBits = 6;
constexpr size_t kPartitions = size_t{1} << kRadixBits;

const char* FunctionName(const WindowFunction& function) {
  switch (function.kind) {
    case Kind::kRowNumber:
      return "row_number";
    case Kind::kRank:
      return "rank";
    case Kind::kDenseRank:
      return "dense_rank";
    case Kind::kPercentRank:
      return "percent_rank";
    case Kind::kCumeDist:
      return "cume_dist";
    case Kind::kNtile:
      return "ntile";
    case Kind::kLag:
      return "lag";
    case Kind::kLead:
      return "lead";
    case Kind::kFirstValue:
      return "first_value";
    case Kind::kLastValue:
      return "last_value";
    case Kind::kNthValue:
      return "nth_value";
    case Kind::kAggregate:
      return function.aggregate != nullptr ? function.aggregate->name.c_str() : "aggregate";
  }
  return "?";
}

size_t ValueArguments(Kind kind) {
  switch (kind) {
    case Kind::kLag:
    case Kind::kLead:
    case Kind::kFirstValue:
    case Kind::kLastValue:
    case Kind::kNthValue:
      return 1;
    default:
      return 0;
  }
}

// Copies the values of the rows `row_at(i)` returns (null for NULL) into out[0, count).
template <typename T, typename RowAt>
void GatherTyped(const ColumnTable& table, size_t count, RowAt row_at, Vector& out) {
  T* target = out.data<T>();
  constexpr size_t kAhead = 16;
  for (size_t i = 0; i < count; ++i) {
    // Rows sit in random places of the input: fetch a few rows ahead.
    if (const WindowRow* next = i + kAhead < count ? row_at(i + kAhead) : nullptr) {
      __builtin_prefetch(reinterpret_cast<const T*>(table.data[next->batch]) +
                         next->physical_row());
    }
    const WindowRow* row = row_at(i);
    if (row == nullptr) {
      out.SetNull(i);
      continue;
    }
    size_t physical = row->physical_row();
    const uint64_t* validity = table.validity[row->batch];
    if (validity != nullptr && !((validity[physical / 64] >> (physical % 64)) & 1)) {
      out.SetNull(i);
      continue;
    }
    const T& value = reinterpret_cast<const T*>(table.data[row->batch])[physical];
    if constexpr (std::is_same_v<T, core::StringRef>) {
      out.SetString(i, value.view());
    } else {
      target[i] = value;
    }
  }
}

template <typename RowAt>
void Gather(const ColumnTable& table, size_t count, RowAt row_at, Vector& out) {
  switch (out.type()) {
    case TypeId::kBoolean:
      return GatherTyped<uint8_t>(table, count, row_at, out);
    case TypeId::kInteger:
    case TypeId::kDate:
      return GatherTyped<int32_t>(table, count, row_at, out);
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      return GatherTyped<int64_t>(table, count, row_at, out);
    case TypeId::kDouble:
      return GatherTyped<double>(table, count, row_at, out);
    case TypeId::kVarchar:
      return GatherTyped<core::StringRef>(table, count, row_at, out);
  }
}

// Writes a function's results for sorted positions `positions[0, count)` into `out`.
void WriteResult(const SortedRows& rows, const WindowFunction& function, const WindowResult& result,
                 const std::vector<ColumnTable>& tables, const uint32_t* positions, size_t count,
                 Vector& out) {
  if (result.values) {
    if (positions[count - 1] - positions[0] + 1 == count) {  // no rows dropped here
      out.CopyFrom(*result.values, positions[0], 0, count);
      return;
    }
    std::vector<int64_t> sources(positions, positions + count);
    GatherColumn(*result.values, sources.data(), count, out);
    return;
  }
  const int64_t* picks = result.picks.data();
  std::span<const WindowRow> all = rows.rows();
  Gather(
      tables[function.arguments[0]], count,
      [&](size_t i) {
        int64_t pick = picks[positions[i]];
        return pick >= 0 ? &all[pick] : nullptr;
      },
      out);
  if (!function.default_value) return;
  for (size_t i = 0; i < count; ++i) {
    if (picks[positions[i]] == WindowResult::kDefaultPick) {
      out.SetValue(i, *function.default_value);
    }
  }
}

}  // namespace

core::TypeId WindowResultType(const WindowFunction& function, const core::Schema& input) {
  switch (function.kind) {
    case Kind::kPercentRank:
    case Kind::kCumeDist:
      return TypeId::kDouble;
    case Kind::kLag:
    case Kind::kLead:
    case Kind::kFirstValue:
    case Kind::kLastValue:
    case Kind::kNthValue:
      return input.field(function.arguments.at(0)).type;
    case Kind::kAggregate:
      return function.aggregate->result;
    default:
      return TypeId::kBigint;
  }
}

class WindowSink::ThreadState final : public LocalState {
 public:
  std::vector<core::Batch> batches;
  std::vector<std::pair<uint64_t, uint32_t>> sequences;  // (sequence, piece) of batches
  std::vector<std::vector<WindowRow>> partitions = std::vector<std::vector<WindowRow>>(kPartitions);
  std::vector<uint64_t> hashes;
  std::vector<uint64_t> keys;
  std::vector<uint32_t> late_bits;
  std::unique_ptr<WindowTopN> top_n;  // set when rows are pruned as they arrive
};

WindowSink::WindowSink(core::SchemaPtr output, std::vector<size_t> partition_columns,
                       std::vector<SortKey> order_keys, std::vector<WindowFunction> functions)
    : SinkOperator(std::move(output)),
      ordering_{std::move(partition_columns), std::move(order_keys)},
      functions_(std::move(functions)) {
  SLUICE_CHECK(schema()->num_fields() >= functions_.size());
  num_inputs_ = schema()->num_fields() - functions_.size();
  for (size_t column : ordering_.partition_columns) SLUICE_CHECK(column < num_inputs_);
  for (const SortKey& key : ordering_.order_keys) SLUICE_CHECK(key.column < num_inputs_);
  for (size_t f = 0; f < functions_.size(); ++f) {
    Validate(functions_[f]);
    result_types_.push_back(WindowResultType(functions_[f], *schema()));
    SLUICE_CHECK(result_types_[f] == schema()->field(num_inputs_ + f).type);
    needs_peers_ = needs_peers_ || WindowFunctionNeedsPeers(functions_[f]);
  }
}

WindowSink::~WindowSink() = default;

void WindowSink::Validate(const WindowFunction& function) const {
  for (size_t column : function.arguments) SLUICE_CHECK(column < num_inputs_);
  if (function.kind == Kind::kAggregate) {
    SLUICE_CHECK(function.aggregate != nullptr);
    SLUICE_CHECK(function.arguments.size() == function.aggregate->arguments.size());
    for (size_t a = 0; a < function.arguments.size(); ++a) {
      SLUICE_CHECK(schema()->field(function.arguments[a]).type == function.aggregate->arguments[a]);
    }
  } else {
    SLUICE_CHECK(function.arguments.size() == ValueArguments(function.kind));
  }
  if (function.kind == Kind::kNtile && function.offset <= 0) {
    Throw("argument of ntile must be greater than zero");
  }
  if (function.kind == Kind::kNthValue && function.offset <= 0) {
    Throw("argument of nth_value must be greater than zero");
  }
  ValidateFrame(function.frame);
}

void WindowSink::ValidateFrame(const WindowFrame& frame) const {
  if (frame.start.kind == FrameBoundKind::kUnboundedFollowing) {
    Throw("frame start cannot be UNBOUNDED FOLLOWING");
  }
  if (frame.end.kind == FrameBoundKind::kUnboundedPreceding) {
    Throw("frame end cannot be UNBOUNDED PRECEDING");
  }
  bool start_current = frame.start.kind == FrameBoundKind::kCurrentRow;
  bool start_following = frame.start.kind == FrameBoundKind::kFollowing;
  if ((start_current || start_following) && frame.end.kind == FrameBoundKind::kPreceding) {
    Throw("frame starting from {} row cannot have preceding rows",
          start_current ? "current" : "following");
  }
  if (start_following && frame.end.kind == FrameBoundKind::kCurrentRow) {
    Throw("frame starting from following row cannot end with current row");
  }
  if (frame.start.offset < 0) Throw("frame starting offset must not be negative");
  if (frame.end.offset < 0) Throw("frame ending offset must not be negative");
  if (!HasRangeOffset(frame)) return;
  if (ordering_.order_keys.size() != 1) {
    Throw("RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column");
  }
  TypeId type = schema()->field(ordering_.order_keys[0].column).type;
  if (!core::IsNumeric(type) && type != TypeId::kDate && type != TypeId::kTimestamp) {
    Throw("RANGE with offset PRECEDING/FOLLOWING is not supported for column type {}",
          core::TypeName(type));
  }
}

std::string WindowSink::details() const {
  std::string text;
  for (size_t column : ordering_.partition_columns) {
    text += (text.empty() ? "partition by #" : ", #") + std::to_string(column);
  }
  for (size_t k = 0; k < ordering_.order_keys.size(); ++k) {
    const SortKey& key = ordering_.order_keys[k];
    text += (k == 0 ? (text.empty() ? "order by #" : " order by #") : ", #") +
            std::to_string(key.column) + (key.descending ? " DESC" : "");
  }
  for (size_t f = 0; f < functions_.size(); ++f) {
    text += (f == 0 ? (text.empty() ? "" : ": ") : ", ") + std::string(FunctionName(functions_[f]));
  }
  for (const auto& [function, limit] : rank_limits_) {
    text += fmt::format("; keep {} <= {}", FunctionName(functions_[function]), limit);
  }
  if (top_n_) text += "; top-N per partition as rows arrive";
  return text;
}

std::unique_ptr<LocalState> WindowSink::MakeLocalState() {
  auto state = std::make_unique<ThreadState>();
  if (top_n_) {
    state->top_n = std::make_unique<WindowTopN>(ordering_, top_n_->ranking, top_n_->limit);
  }
  return state;
}

// Computes the partition hashes and first-key sort prefixes of every physical row of `batch`.
void WindowSink::ComputeRowKeys(const core::Batch& batch, ThreadState& state) const {
  size_t physical = batch.num_physical_rows();
  state.hashes.resize(physical);
  state.keys.assign(physical, 0);
  state.late_bits.assign(physical, 0);
  std::vector<const Vector*> keys;
  for (size_t column : ordering_.partition_columns) keys.push_back(&batch.column(column));
  HashPartitionKeys(keys, physical, state.hashes.data());
  if (!ordering_.order_keys.empty()) {
    const SortKey& first = ordering_.order_keys[0];
    ComputeSortPrefixes(batch.column(first.column), first, physical, state.keys.data(),
                        state.late_bits.data());
  }
}

void WindowSink::Consume(Morsel morsel, LocalState& local) {
  auto& state = static_cast<ThreadState&>(local);
  core::Batch& batch = morsel.batch;
  if (batch.num_rows() == 0 || keeps_nothing_) return;
  ComputeRowKeys(batch, state);
  if (state.top_n != nullptr) {
    TrackMemory(state.top_n->Consume(std::move(batch), morsel.sequence, morsel.piece,
                                     state.hashes.data(), state.keys.data(),
                                     state.late_bits.data()));
    return;
  }
  // Row references take 24 bytes beside the batch itself.
  TrackMemory(static_cast<int64_t>(batch.MemoryBytes() + batch.num_rows() * 24));
  auto index = static_cast<uint32_t>(state.batches.size());
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    size_t p = batch.PhysicalRow(r);
    uint64_t hash = state.hashes[p];
    state.partitions[hash >> (64 - kRadixBits)].push_back(
        {hash, state.keys[p], index, static_cast<uint32_t>(p) | state.late_bits[p]});
  }
  state.batches.push_back(std::move(batch));
  state.sequences.emplace_back(morsel.sequence, morsel.piece);
}

void WindowSink::Combine(LocalState& local) {
  auto& state = static_cast<ThreadState&>(local);
  auto owned = std::make_unique<ThreadState>();
  if (state.top_n != nullptr) {
    TopNRows kept = state.top_n->TakeRows();
    state.batches = std::move(kept.batches);
    state.sequences = std::move(kept.sequences);
    for (const WindowRow& row : kept.rows) {
      state.partitions[row.hash >> (64 - kRadixBits)].push_back(row);
    }
  }
  owned->batches = std::move(state.batches);
  owned->sequences = std::move(state.sequences);
  owned->partitions = std::move(state.partitions);
  std::lock_guard lock(mutex_);
  states_.push_back(std::move(owned));
}

// Moves every batch into one list in source order; global_numbers[thread][local batch] gives
// a batch's place there, so ties in the ORDER BY keep the input order at any thread count.
std::vector<core::Batch> WindowSink::GatherInputs(
    std::vector<std::vector<uint32_t>>& global_numbers) {
  struct Entry {
    std::pair<uint64_t, uint32_t> sequence;
    size_t thread;
    size_t batch;
  };
  std::vector<Entry> entries;
  global_numbers.resize(states_.size());
  for (size_t t = 0; t < states_.size(); ++t) {
    global_numbers[t].resize(states_[t]->batches.size());
    for (size_t b = 0; b < states_[t]->batches.size(); ++b) {
      entries.push_back({states_[t]->sequences[b], t, b});
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.sequence < b.sequence; });
  std::vector<core::Batch> inputs;
  for (const Entry& entry : entries) {
    global_numbers[entry.thread][entry.batch] = static_cast<uint32_t>(inputs.size());
    inputs.push_back(std::move(states_[entry.thread]->batches[entry.batch]));
  }
  return inputs;
}

std::vector<WindowRow> WindowSink::TakeRows(const std::vector<std::vector<uint32_t>>& numbers,
                                            size_t partition, std::vector<uint32_t>& buckets) {
  std::vector<std::vector<WindowRow>*> lists;
  for (size_t t = 0; t < states_.size(); ++t) {
    std::vector<WindowRow>& list = states_[t]->partitions[partition];
    for (WindowRow& row : list) row.batch = numbers[t][row.batch];
    lists.push_back(&list);
  }
  return BucketRows(lists, buckets);
}

std::vector<core::Batch> WindowSink::ProcessPartition(const Inputs& inputs, size_t partition) {
  std::vector<uint32_t> buckets;
  std::vector<WindowRow> rows = TakeRows(inputs.numbers, partition, buckets);
  if (rows.empty()) return {};
  SortedRows sorted(inputs.batches, std::move(rows), buckets, ordering_, needs_peers_);
  const SortKey* order_key = ordering_.order_keys.empty() ? nullptr : &ordering_.order_keys[0];
  std::vector<WindowResult> results;
  for (size_t f = 0; f < functions_.size(); ++f) {
    results.push_back(EvaluateWindowFunction(functions_[f], sorted, order_key, result_types_[f]));
  }
  std::vector<uint32_t> kept = KeptPositions(results, sorted.size());
  const std::vector<ColumnTable>& tables = inputs.tables;
  std::vector<core::Batch> output;
  std::span<const WindowRow> all = sorted.rows();
  for (size_t from = 0; from < kept.size(); from += core::kVectorSize) {
    size_t count = std::min(core::kVectorSize, kept.size() - from);
    const uint32_t* positions = kept.data() + from;
    core::Batch batch(schema(), count);
    batch.SetNumRows(count);
    for (size_t c = 0; c < num_inputs_; ++c) {
      Gather(
          tables[c], count, [&](size_t i) { return &all[positions[i]]; }, batch.column(c));
    }
    for (size_t f = 0; f < functions_.size(); ++f) {
      WriteResult(sorted, functions_[f], results[f], tables, positions, count,
                  batch.column(num_inputs_ + f));
    }
    output.push_back(std::move(batch));
  }
  return output;
}

void WindowSink::KeepRanksUpTo(size_t function, int64_t limit) {
  Kind kind = functions_.at(function).kind;
  SLUICE_CHECK(kind == Kind::kRowNumber || kind == Kind::kRank || kind == Kind::kDenseRank);
  rank_limits_.emplace_back(function, limit);
  keeps_nothing_ = keeps_nothing_ || limit < 1;
  ChooseTopN();
}

// Prunes by the limit likely to keep the fewest rows (the smallest; at equal limits
// row_number, which keeps no ties, then rank, then dense_rank), when every function's value on
// the rows within it is the same over those rows alone as over all rows: row_number, rank and
// dense_rank look only at rows ahead. One limit only: pruning by several at once could drop the
// rows that push a row past one of the limits.
void WindowSink::ChooseTopN() {
  top_n_.reset();
  for (const WindowFunction& function : functions_) {
    Kind kind = function.kind;
    if (kind != Kind::kRowNumber && kind != Kind::kRank && kind != Kind::kDenseRank) return;
  }
  for (const auto& [function, limit] : rank_limits_) {
    Kind kind = functions_[function].kind;
    // Without ORDER BY every row ties for rank 1: nothing to prune.
    if (limit < 1 || limit > WindowTopN::kMaxLimit ||
        (kind != Kind::kRowNumber && ordering_.order_keys.empty())) {
      continue;
    }
    TopNRanking ranking = kind == Kind::kRowNumber ? TopNRanking::kRowNumber
                          : kind == Kind::kRank    ? TopNRanking::kRank
                                                   : TopNRanking::kDenseRank;
    if (!top_n_ || std::pair(limit, ranking) < std::pair(top_n_->limit, top_n_->ranking)) {
      top_n_ = TopN{ranking, limit};
    }
  }
}

// Returns the sorted positions to emit: all of them, or those within every rank limit.
std::vector<uint32_t> WindowSink::KeptPositions(const std::vector<WindowResult>& results,
                                                size_t size) const {
  std::vector<uint32_t> kept;
  kept.reserve(rank_limits_.empty() ? size : 0);
  for (size_t position = 0; position < size; ++position) {
    bool keep = true;
    for (const auto& [function, limit] : rank_limits_) {
      keep = keep && results[function].values->data<int64_t>()[position] <= limit;
    }
    if (keep) kept.push_back(static_cast<uint32_t>(position));
  }
  return kept;
}

void WindowSink::Finalize() {
  Inputs inputs;
  inputs.batches = GatherInputs(inputs.numbers);
  inputs.tables = MakeColumnTables(inputs.batches, num_inputs_);
  std::vector<std::vector<core::Batch>> outputs(kPartitions);
  ParallelFor(kPartitions, [&](size_t p) { outputs[p] = ProcessPartition(inputs, p); });
  states_.clear();
  for (auto& batches : outputs) {
    for (core::Batch& batch : batches) output_.push_back(std::move(batch));
  }
}

}  // namespace sluice::exec
