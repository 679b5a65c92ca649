#include "exec/hash_join.h"

#include <bit>
#include <cstring>

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

class ProbeState final : public LocalState {
 public:
  ExpressionEvaluator evaluator;
  std::vector<uint64_t> hashes;
};

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
  std::sort(morsels_.begin(), morsels_.end(),
            [](const Morsel& a, const Morsel& b) { return a.sequence < b.sequence; });
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
  core::Batch probe = Flatten(std::move(input));
  size_t count = probe.num_rows();
  std::vector<const Vector*> keys;
  for (size_t key : probe_keys_) keys.push_back(&probe.column(key));
  state.hashes.resize(count);
  HashRows(keys, count, state.hashes.data());
  std::vector<uint32_t> pair_probe;
  std::vector<int64_t> pair_build;
  for (size_t i = 0; i < count; ++i) {
    table_->ForEachMatch(keys, state.hashes[i], i, [&](size_t row) {
      pair_probe.push_back(static_cast<uint32_t>(i));
      pair_build.push_back(static_cast<int64_t>(row));
    });
  }
  if (residual_ && !pair_probe.empty()) {
    // The residual reads probe and build columns, so evaluate it over the full pairs.
    core::Batch pairs = Combine(probe, pair_probe, pair_build, true);
    core::SelectionVector keep = state.evaluator.Select(*residual_, pairs);
    std::vector<uint32_t> kept_probe;
    std::vector<int64_t> kept_build;
    for (uint32_t k : keep) {
      kept_probe.push_back(pair_probe[k]);
      kept_build.push_back(pair_build[k]);
    }
    pair_probe = std::move(kept_probe);
    pair_build = std::move(kept_build);
  }
  std::vector<uint8_t> matched(count, 0);
  for (uint32_t i : pair_probe) matched[i] = 1;
  if (kind_ == JoinKind::kRight || kind_ == JoinKind::kFull) {
    for (int64_t row : pair_build) table_->MarkMatched(row);
  }
  if (kind_ == JoinKind::kSemi || kind_ == JoinKind::kAnti) {
    bool want = kind_ == JoinKind::kSemi;
    bool build_empty = table_->num_rows() == 0 && !table_->has_null_key();
    std::vector<uint32_t> rows;
    for (size_t i = 0; i < count; ++i) {
      if (matched[i] != want) continue;
      if (!want && null_aware_anti_ && !build_empty &&
          (table_->has_null_key() || AnyNull(keys, i))) {
        continue;  // x NOT IN (..., NULL) and NULL NOT IN (...) are NULL, not true
      }
      rows.push_back(static_cast<uint32_t>(i));
    }
    return Combine(probe, rows, std::vector<int64_t>(rows.size(), -1), false);
  }
  if (kind_ == JoinKind::kLeft || kind_ == JoinKind::kFull) {
    for (size_t i = 0; i < count; ++i) {
      if (matched[i]) continue;
      pair_probe.push_back(static_cast<uint32_t>(i));
      pair_build.push_back(-1);
    }
  }
  return Combine(probe, pair_probe, pair_build, true);
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
