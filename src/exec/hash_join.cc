#include "exec/hash_join.h"

#include <bit>
#include <cstring>
#include <optional>

#include "exec/expression_evaluator.h"
#include "exec/gather.h"
#include "exec/group_table.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

bool ValuesEqual(const Vector& left, size_t i, const Vector& right, size_t j) {
  switch (left.type()) {
    case TypeId::kBoolean:
      return left.data<uint8_t>()[i] == right.data<uint8_t>()[j];
    case TypeId::kInteger:
    case TypeId::kDate:
      return left.data<int32_t>()[i] == right.data<int32_t>()[j];
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      return left.data<int64_t>()[i] == right.data<int64_t>()[j];
    case TypeId::kDouble:
      return left.data<double>()[i] == right.data<double>()[j];
    case TypeId::kVarchar:
      return left.data<core::StringRef>()[i] == right.data<core::StringRef>()[j];
  }
  return false;
}

bool AnyNull(const std::vector<const Vector*>& keys, size_t i) {
  for (const Vector* key : keys) {
    if (key->IsNull(i)) return true;
  }
  return false;
}

class MorselList final : public LocalState {
 public:
  std::vector<Morsel> morsels;
};

}  // namespace

void JoinHashTable::Append(std::vector<core::Batch> batches) {
  for (core::Batch& batch : batches) {
    if (batch.num_rows() > 0) batches_.push_back(Flatten(std::move(batch)));
  }
}

void JoinHashTable::Build() {
  std::vector<uint64_t> hashes;
  for (uint32_t b = 0; b < batches_.size(); ++b) {
    const core::Batch& batch = batches_[b];
    std::vector<const Vector*> keys;
    for (size_t key : keys_) keys.push_back(&batch.column(key));
    hashes.resize(batch.num_rows());
    HashRows(keys, batch.num_rows(), hashes.data());
    for (uint32_t r = 0; r < batch.num_rows(); ++r) {
      if (AnyNull(keys, r)) {
        has_null_key_ = true;
        if (!keys_.empty()) continue;  // never matches, but RIGHT/FULL joins still emit it
      }
      rows_.push_back({hashes[r], b, r, 0});
    }
  }
  size_t slots = std::bit_ceil(std::max<size_t>(rows_.size() * 2, 16));
  slots_.assign(slots, 0);
  for (uint32_t i = 0; i < rows_.size(); ++i) {
    uint32_t& head = slots_[rows_[i].hash & (slots - 1)];
    rows_[i].next = head;
    head = i + 1;
  }
  matched_ = std::make_unique<std::atomic<uint8_t>[]>(rows_.size());
}

bool JoinHashTable::KeysEqual(const std::vector<const Vector*>& probe_keys, size_t i,
                              const Row& row) const {
  const core::Batch& batch = batches_[row.batch];
  for (size_t k = 0; k < keys_.size(); ++k) {
    if (probe_keys[k]->IsNull(i)) return false;
    if (!ValuesEqual(*probe_keys[k], i, batch.column(keys_[k]), row.row)) return false;
  }
  return true;
}

HashJoinBuild::HashJoinBuild(core::SchemaPtr schema, std::shared_ptr<JoinHashTable> table)
    : SinkOperator(std::move(schema)), table_(std::move(table)) {}

std::unique_ptr<LocalState> HashJoinBuild::MakeLocalState() {
  return std::make_unique<MorselList>();
}

void HashJoinBuild::Consume(Morsel morsel, LocalState& state) {
  TrackMemory(static_cast<int64_t>(morsel.batch.MemoryBytes()));
  static_cast<MorselList&>(state).morsels.push_back(std::move(morsel));
}

void HashJoinBuild::Combine(LocalState& state) {
  std::lock_guard lock(mutex_);
  for (Morsel& morsel : static_cast<MorselList&>(state).morsels)
    morsels_.push_back(std::move(morsel));
}

void HashJoinBuild::Finalize() {
  // Source order keeps RIGHT/FULL join output and duplicate matches deterministic.
  std::sort(morsels_.begin(), morsels_.end(), InSourceOrder);
  std::vector<core::Batch> batches;
  for (Morsel& morsel : morsels_) batches.push_back(std::move(morsel.batch));
  morsels_.clear();
  table_->Append(std::move(batches));
  table_->Build();
}

HashJoinProbe::HashJoinProbe(core::SchemaPtr schema, core::SchemaPtr pair_schema, JoinKind kind,
                             std::shared_ptr<JoinHashTable> table, std::vector<size_t> probe_keys,
                             std::unique_ptr<Expression> residual, bool null_aware_anti)
    : TransformOperator(std::move(schema)),
      pair_schema_(std::move(pair_schema)),
      kind_(kind),
      table_(std::move(table)),
      probe_keys_(std::move(probe_keys)),
      residual_(std::move(residual)),
      null_aware_anti_(null_aware_anti) {}

std::string HashJoinProbe::name() const {
  static constexpr const char* kNames[] = {"HASH_JOIN",      "LEFT_HASH_JOIN", "RIGHT_HASH_JOIN",
                                           "FULL_HASH_JOIN", "SEMI_JOIN",      "ANTI_JOIN"};
  return kNames[static_cast<int>(kind_)];
}

std::string HashJoinProbe::details() const {
  std::string text = std::to_string(probe_keys_.size()) + " keys";
  if (residual_) text += ", " + residual_->ToString();
  return text;
}

// Is where a worker's probe stands in the output of its current input.
class HashJoinProbe::ProbeState final : public LocalState {
 public:
  ExpressionEvaluator evaluator;
  std::optional<core::Batch> probe;  // the input, flat
  std::vector<const Vector*> keys;   // its key columns
  std::vector<uint64_t> hashes;
  std::vector<uint8_t> matched;  // per probe row: some pair passed the residual
  size_t row = 0;                // the probe row whose matches come next
  uint32_t entry = 0;            // the next entry of its chain, once in_chain
  bool in_chain = false;
  size_t alone_row = 0;  // where the search for rows output on their own resumes
  bool done = true;      // every piece of the input was returned
  std::vector<uint32_t> pair_probe;
  std::vector<int64_t> pair_build;
};

std::unique_ptr<LocalState> HashJoinProbe::MakeLocalState() const {
  return std::make_unique<ProbeState>();
}

core::Batch HashJoinProbe::Combine(const core::Batch& probe,
                                   const std::vector<uint32_t>& probe_rows,
                                   const std::vector<int64_t>& build_rows, bool with_build) const {
  size_t count = probe_rows.size();
  core::Batch output(with_build ? pair_schema_ : schema(), 0);
  const core::Schema& layout = *output.schema_ptr();
  std::vector<int64_t> rows(probe_rows.begin(), probe_rows.end());
  for (size_t c = 0; c < probe.num_columns(); ++c) {
    GatherColumn(probe.column(c), rows.data(), count, output.column(c));
  }
  if (with_build) {
    // Build rows live in several batches: gather per batch, then merge column by column.
    const auto& batches = table_->batches();
    size_t build_columns = layout.num_fields() - probe.num_columns();
    for (size_t c = 0; c < build_columns && !batches.empty(); ++c) {
      Vector& target = output.column(probe.num_columns() + c);
      target = Vector(layout.field(probe.num_columns() + c).type, std::max<size_t>(count, 1));
      target.set_size(count);
      for (size_t i = 0; i < count; ++i) {
        if (build_rows[i] < 0) {
          target.SetNull(i);
          continue;
        }
        auto [batch, row] = table_->Location(build_rows[i]);
        target.CopyFrom(batches[batch].column(c), row, i, 1);
      }
    }
    if (batches.empty()) {
      for (size_t c = probe.num_columns(); c < output.num_columns(); ++c) {
        Vector& target = output.column(c);
        target = Vector(layout.field(c).type, std::max<size_t>(count, 1));
        target.set_size(count);
        for (size_t i = 0; i < count; ++i) target.SetNull(i);
      }
    }
  }
  output.SetNumRows(count);
  return output;
}

core::Batch HashJoinProbe::Execute(core::Batch input, LocalState* local) const {
  auto& state = *static_cast<ProbeState*>(local);
  Start(state, std::move(input));
  std::optional<core::Batch> piece = NextPiece(state);
  if (piece) return std::move(*piece);
  bool semi_or_anti = kind_ == JoinKind::kSemi || kind_ == JoinKind::kAnti;
  return Combine(*state.probe, {}, {}, !semi_or_anti);
}

std::optional<core::Batch> HashJoinProbe::ExecuteMore(LocalState* local) const {
  return NextPiece(*static_cast<ProbeState*>(local));
}

void HashJoinProbe::Start(ProbeState& state, core::Batch input) const {
  state.probe = Flatten(std::move(input));
  size_t count = state.probe->num_rows();
  state.keys.clear();
  for (size_t key : probe_keys_) state.keys.push_back(&state.probe->column(key));
  state.hashes.resize(count);
  HashRows(state.keys, count, state.hashes.data());
  state.matched.assign(count, 0);
  state.row = 0;
  state.in_chain = false;
  state.alone_row = 0;
  state.done = false;
}

// Returns the next non-empty piece of the current input's output, or nothing at its end.
std::optional<core::Batch> HashJoinProbe::NextPiece(ProbeState& state) const {
  if (state.done) return std::nullopt;
  bool pairs_out = kind_ != JoinKind::kSemi && kind_ != JoinKind::kAnti;
  while (state.row < state.probe->num_rows()) {
    FindPairs(state);
    KeepMatchingPairs(state);
    if (pairs_out && !state.pair_probe.empty()) {
      return Combine(*state.probe, state.pair_probe, state.pair_build, true);
    }
  }
  // A probe row's match status is final once all its pairs met the residual: only now.
  if (kind_ != JoinKind::kInner && kind_ != JoinKind::kRight) {
    std::optional<core::Batch> piece = ProbeRowsPiece(state);
    if (piece) return piece;
  }
  state.done = true;
  return std::nullopt;
}

// Collects up to piece_rows_ candidate pairs (keys equal), resuming the walk of the probe
// rows and of the current row's chain where the last call stopped.
void HashJoinProbe::FindPairs(ProbeState& state) const {
  state.pair_probe.clear();
  state.pair_build.clear();
  // For SEMI and ANTI joins a probe row's first matching pair decides.
  bool first_only = kind_ == JoinKind::kSemi || kind_ == JoinKind::kAnti;
  size_t count = state.probe->num_rows();
  while (state.row < count && state.pair_probe.size() < piece_rows_) {
    size_t i = state.row;
    if (!state.in_chain) {
      state.entry = table_->FirstEntry(state.hashes[i]);
      state.in_chain = true;
    }
    if (first_only && state.matched[i]) state.entry = 0;
    while (state.entry != 0 && state.pair_probe.size() < piece_rows_) {
      uint32_t entry = state.entry;
      state.entry = table_->NextEntry(entry);
      if (!table_->Matches(state.keys, state.hashes[i], i, entry)) continue;
      state.pair_probe.push_back(static_cast<uint32_t>(i));
      state.pair_build.push_back(static_cast<int64_t>(entry) - 1);
      if (first_only && !residual_) state.entry = 0;
    }
    if (state.entry == 0) {
      ++state.row;
      state.in_chain = false;
    }
  }
}

// Drops the candidate pairs the residual rejects and records the matches of the others.
void HashJoinProbe::KeepMatchingPairs(ProbeState& state) const {
  auto& pair_probe = state.pair_probe;
  auto& pair_build = state.pair_build;
  if (residual_ && !pair_probe.empty()) {
    // The residual reads probe and build columns, so evaluate it over the full pairs.
    core::Batch pairs = Combine(*state.probe, pair_probe, pair_build, true);
    core::SelectionVector keep = state.evaluator.Select(*residual_, pairs);
    size_t kept = 0;
    for (uint32_t k : keep) {  // ascending, so k >= kept
      pair_probe[kept] = pair_probe[k];
      pair_build[kept++] = pair_build[k];
    }
    pair_probe.resize(kept);
    pair_build.resize(kept);
  }
  for (uint32_t i : pair_probe) state.matched[i] = 1;
  if (kind_ == JoinKind::kRight || kind_ == JoinKind::kFull) {
    for (int64_t row : pair_build) table_->MarkMatched(row);
  }
}

// Returns true when probe row `i` is output on its own: SEMI and ANTI joins' rows, and LEFT
// and FULL joins' rows without a match.
bool HashJoinProbe::OutputAlone(const ProbeState& state, size_t i) const {
  if (kind_ == JoinKind::kSemi) return state.matched[i];
  if (state.matched[i]) return false;
  if (kind_ == JoinKind::kAnti && null_aware_anti_) {
    bool build_empty = table_->num_rows() == 0 && !table_->has_null_key();
    // x NOT IN (..., NULL) and NULL NOT IN (...) are NULL, not true
    return build_empty || (!table_->has_null_key() && !AnyNull(state.keys, i));
  }
  return true;
}

// Returns the next probe rows output on their own (with NULL build columns for LEFT and FULL
// joins), resuming where the last call stopped.
std::optional<core::Batch> HashJoinProbe::ProbeRowsPiece(ProbeState& state) const {
  std::vector<uint32_t> rows;
  size_t count = state.probe->num_rows();
  for (; state.alone_row < count && rows.size() < piece_rows_; ++state.alone_row) {
    if (OutputAlone(state, state.alone_row)) rows.push_back(static_cast<uint32_t>(state.alone_row));
  }
  if (rows.empty()) return std::nullopt;
  bool with_build = kind_ == JoinKind::kLeft || kind_ == JoinKind::kFull;
  return Combine(*state.probe, rows, std::vector<int64_t>(rows.size(), -1), with_build);
}

UnmatchedBuildScan::UnmatchedBuildScan(core::SchemaPtr schema, std::shared_ptr<JoinHashTable> table,
                                       std::function<BatchList()> probe_output,
                                       size_t probe_columns)
    : SourceOperator(std::move(schema)),
      table_(std::move(table)),
      probe_output_(std::move(probe_output)),
      probe_columns_(probe_columns) {}

void UnmatchedBuildScan::Load() {
  BatchList probe = probe_output_();
  for (const core::Batch& batch : *probe) batches_.push_back(batch.Share());
  const auto& build = table_->batches();
  for (uint32_t b = 0; b < build.size(); ++b) {
    std::vector<int64_t> rows;
    for (size_t row = 0; row < table_->num_rows(); ++row) {
      auto [batch, r] = table_->Location(row);
      if (batch == b && !table_->IsMatched(row)) rows.push_back(r);
    }
    // Rows with a NULL key are not in the hash table and never matched.
    if (!table_->keys().empty() && table_->has_null_key()) {
      for (uint32_t r = 0; r < build[b].num_rows(); ++r) {
        for (size_t key : table_->keys()) {
          if (build[b].column(key).IsNull(r)) {
            rows.push_back(r);
            break;
          }
        }
      }
      std::sort(rows.begin(), rows.end());
    }
    if (rows.empty()) continue;
    core::Batch out(schema(), 0);
    std::vector<int64_t> none(rows.size(), -1);
    for (size_t c = 0; c < probe_columns_; ++c) {
      GatherColumn(Vector(schema()->field(c).type, 1), none.data(), rows.size(), out.column(c));
    }
    for (size_t c = 0; c < build[b].num_columns(); ++c) {
      GatherColumn(build[b].column(c), rows.data(), rows.size(), out.column(probe_columns_ + c));
    }
    out.SetNumRows(rows.size());
    batches_.push_back(std::move(out));
  }
}

std::optional<Morsel> UnmatchedBuildScan::Next(LocalState*) {
  std::call_once(loaded_, [this] { Load(); });
  size_t index = next_.fetch_add(1);
  if (index >= batches_.size()) return std::nullopt;
  return Morsel{batches_[index].Share(), index};
}

}  // namespace sluice::exec
