#include "exec/hash_aggregate.h"

#include <algorithm>

#include "base/task.h"
#include "exec/gather.h"

namespace sluice::exec {
namespace {

constexpr size_t kRadixBits = 4;
// Pre-aggregation stops when, after this many rows of a thread, nine in ten rows still made a
// new group (db-benchmark q10): the merge would insert every group a second time anyway.
constexpr size_t kReductionCheckRows = 1 << 17;

class AggregateState final : public LocalState {
 public:
  std::unique_ptr<GroupTable> table;
  size_t rows_seen = 0;
  bool append_only = false;
  std::vector<uint64_t> hashes = std::vector<uint64_t>(core::kVectorSize);
  std::vector<std::byte*> rows = std::vector<std::byte*>(core::kVectorSize);
};

}  // namespace

HashAggregate::HashAggregate(core::SchemaPtr output, size_t num_keys,
                             std::vector<const AggregateFunction*> aggregates,
                             std::vector<std::vector<size_t>> arguments)
    : SinkOperator(std::move(output)),
      num_keys_(num_keys),
      aggregates_(std::move(aggregates)),
      arguments_(std::move(arguments)) {
  for (size_t k = 0; k < num_keys_; ++k) key_types_.push_back(schema()->field(k).type);
}

std::string HashAggregate::details() const {
  std::string text = std::to_string(num_keys_) + " keys";
  for (const auto* aggregate : aggregates_) text += ", " + aggregate->name;
  return text;
}

std::unique_ptr<GroupTable> HashAggregate::MakeTable() const {
  return std::make_unique<GroupTable>(key_types_, aggregates_, kRadixBits);
}

std::unique_ptr<LocalState> HashAggregate::MakeLocalState() {
  auto state = std::make_unique<AggregateState>();
  state->table = MakeTable();
  return state;
}

void HashAggregate::UpdateAggregates(const core::Batch& flat, const GroupTable& table,
                                     std::byte** rows) const {
  size_t count = flat.num_rows();
  std::vector<const core::Vector*> args;
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    args.clear();
    bool has_nulls = false;
    for (size_t column : arguments_[a]) {
      args.push_back(&flat.column(column));
      has_nulls = has_nulls || !flat.column(column).validity().all_valid();
    }
    size_t offset = table.state_offset(a);
    if (!has_nulls || !aggregates_[a]->skips_nulls) {
      aggregates_[a]->update(args, count, rows, offset);
      continue;
    }
    // Rare path: pass only rows whose arguments are all valid, in runs.
    for (size_t row = 0; row < count; ++row) {
      bool valid = std::all_of(args.begin(), args.end(),
                               [&](const core::Vector* v) { return !v->IsNull(row); });
      if (!valid) continue;
      std::vector<core::Vector> single;
      std::vector<const core::Vector*> single_args;
      for (const core::Vector* v : args) {
        single.emplace_back(v->type(), 1);
        single.back().set_size(1);
        single.back().CopyFrom(*v, row, 0, 1);
      }
      for (const auto& v : single) single_args.push_back(&v);
      aggregates_[a]->update(single_args, 1, rows + row, offset);
    }
  }
}

void HashAggregate::Consume(Morsel morsel, LocalState& local) {
  auto& state = static_cast<AggregateState&>(local);
  core::Batch flat = Flatten(std::move(morsel.batch));
  size_t count = flat.num_rows();
  // Joins may emit batches larger than one vector.
  if (state.hashes.size() < count) {
    state.hashes.resize(count);
    state.rows.resize(count);
  }
  std::vector<const core::Vector*> keys;
  for (size_t k = 0; k < num_keys_; ++k) keys.push_back(&flat.column(k));
  HashRows(keys, count, state.hashes.data());
  size_t before = state.table->memory_bytes();
  if (state.append_only) {
    state.table->AppendGroups(keys, state.hashes.data(), count, state.rows.data());
  } else {
    state.table->FindOrAdd(keys, state.hashes.data(), count, state.rows.data());
    size_t seen = state.rows_seen;
    state.rows_seen += count;
    bool checkpoint = seen < kReductionCheckRows && state.rows_seen >= kReductionCheckRows;
    state.append_only = checkpoint && state.table->num_groups() * 10 > state.rows_seen * 9;
  }
  if (size_t after = state.table->memory_bytes(); after != before) {
    TrackMemory(static_cast<int64_t>(after) - static_cast<int64_t>(before));
  }
  UpdateAggregates(flat, *state.table, state.rows.data());
}

void HashAggregate::Combine(LocalState& local) {
  auto& state = static_cast<AggregateState&>(local);
  std::lock_guard lock(mutex_);
  tables_.push_back(std::move(state.table));
}

void HashAggregate::Finalize() {
  size_t partitions = size_t{1} << kRadixBits;
  std::vector<std::unique_ptr<GroupTable>> merged(partitions);
  ParallelFor(partitions, [&](size_t p) {
    merged[p] = MakeTable();
    size_t groups = 0;
    for (const auto& table : tables_) groups += table->partition_size(p);
    merged[p]->Reserve(groups);
    for (const auto& table : tables_) merged[p]->MergePartition(*table, p);
  });
  if (num_keys_ == 0 && std::all_of(merged.begin(), merged.end(),
                                    [](const auto& t) { return t->num_groups() == 0; })) {
    merged[0]->AddEmptyGroup();
  }
  tables_.clear();
  for (const auto& table : merged) {
    for (size_t from = 0; from < table->num_groups(); from += core::kVectorSize) {
      size_t count = std::min(core::kVectorSize, table->num_groups() - from);
      core::Batch batch(schema(), count);
      table->Scan(from, count, batch);
      output_.push_back(std::move(batch));
    }
  }
}

std::vector<core::Batch> HashAggregate::TakeOutput() { return std::move(output_); }

}  // namespace sluice::exec
