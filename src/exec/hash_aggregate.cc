#include "exec/hash_aggregate.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <span>

#include "base/task.h"
#include "exec/gather.h"
#include "exec/group_merger.h"

namespace sluice::exec {
namespace {

constexpr size_t kRadixBits = 4;
// Pre-aggregation stops when, after this many rows of a thread, nine in ten rows still made a
// new group (db-benchmark q10): the merge would look every group up a second time anyway.
constexpr size_t kReductionCheckRows = 1 << 17;

class AggregateState final : public LocalState {
 public:
  std::unique_ptr<GroupTable> table;
  size_t rows_seen = 0;
  bool append_only = false;
  std::vector<uint64_t> hashes = std::vector<uint64_t>(core::kVectorSize);
  std::vector<std::byte*> rows = std::vector<std::byte*>(core::kVectorSize);
};

// Returns whether every one of `count` rows has the keys of the first, none NULL: a batch of
// one partition of a hive folder, or of data sorted by the keys. Values are compared bit for
// bit, so equal strings stored apart are not noticed, which only costs the shortcut.
bool SameKeys(const std::vector<const core::Vector*>& keys, size_t count) {
  auto same = [count]<typename T>(const T* values) {
    for (size_t i = 1; i < count; ++i) {
      if (std::memcmp(&values[i], &values[0], sizeof(T)) != 0) return false;
    }
    return true;
  };
  for (const core::Vector* key : keys) {
    if (!key->validity().all_valid()) return false;
    bool all = false;
    switch (core::TypeWidth(key->type())) {
      case 1:
        all = same(key->data<uint8_t>());
        break;
      case 4:
        all = same(key->data<uint32_t>());
        break;
      case 8:
        all = same(key->data<uint64_t>());
        break;
      default:
        all = same(key->data<core::StringRef>());
        break;
    }
    if (!all) return false;
  }
  return true;
}

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
  TrackMemory(static_cast<int64_t>(state->table->memory_bytes()));
  return state;
}

void HashAggregate::UpdateAggregates(const core::Batch& flat, const GroupTable& table,
                                     std::byte** rows, bool one_group) const {
  size_t count = flat.num_rows();
  if (count == 0) return;
  std::vector<const core::Vector*> args;
  std::vector<uint32_t> valid;
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    const AggregateFunction& function = *aggregates_[a];
    args.clear();
    bool has_nulls = false;
    for (size_t column : arguments_[a]) {
      args.push_back(&flat.column(column));
      has_nulls = has_nulls || !flat.column(column).validity().all_valid();
    }
    size_t offset = table.state_offset(a);
    bool filter = has_nulls && function.skips_nulls;
    if (filter) {
      valid.clear();
      for (uint32_t row = 0; row < count; ++row) {
        bool kept = std::all_of(args.begin(), args.end(),
                                [&](const core::Vector* v) { return !v->IsNull(row); });
        if (kept) valid.push_back(row);
      }
    }
    if (one_group && function.update_state != nullptr) {
      function.update_state(args, filter ? valid.data() : nullptr, filter ? valid.size() : count,
                            rows[0] + offset);
    } else if (!filter) {
      function.update(args, count, rows, offset);
    } else {
      UpdateValidRows(function, args, valid, rows, offset);
    }
  }
}

void HashAggregate::UpdateValidRows(const AggregateFunction& function,
                                    std::span<const core::Vector* const> args,
                                    std::span<const uint32_t> valid, std::byte** rows,
                                    size_t offset) const {
  // The rows kept, and their states, gathered into compact vectors.
  std::vector<int64_t> positions(valid.begin(), valid.end());
  std::vector<core::Vector> compact;
  std::vector<const core::Vector*> compact_args;
  compact.reserve(args.size());
  for (const core::Vector* v : args) {
    compact.emplace_back(v->type(), std::max<size_t>(valid.size(), 1));
    GatherColumn(*v, positions.data(), positions.size(), compact.back());
    compact_args.push_back(&compact.back());
  }
  std::vector<std::byte*> states(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) states[i] = rows[valid[i]];
  function.update(compact_args, valid.size(), states.data(), offset);
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
  // When every row has the same keys (always, without keys), their group is looked up once.
  bool one_group = num_keys_ == 0 || (!state.append_only && count > 1 && SameKeys(keys, count));
  size_t probed = one_group ? std::min<size_t>(count, 1) : count;
  HashRows(keys, probed, state.hashes.data());
  size_t before = state.table->memory_bytes();
  if (state.append_only) {
    state.table->AppendGroups(keys, state.hashes.data(), count, state.rows.data());
  } else {
    state.table->FindOrAdd(keys, state.hashes.data(), probed, state.rows.data());
    // Functions without update_state are passed the one group's state for every row.
    bool per_row = std::any_of(aggregates_.begin(), aggregates_.end(),
                               [](const auto* f) { return f->update_state == nullptr; });
    if (probed < count && per_row) {
      std::fill(state.rows.begin() + 1, state.rows.begin() + count, state.rows[0]);
    }
    size_t seen = state.rows_seen;
    state.rows_seen += count;
    bool checkpoint = seen < kReductionCheckRows && state.rows_seen >= kReductionCheckRows;
    state.append_only = checkpoint && state.table->num_groups() * 10 > state.rows_seen * 9;
  }
  if (size_t after = state.table->memory_bytes(); after != before) {
    TrackMemory(static_cast<int64_t>(after) - static_cast<int64_t>(before));
  }
  UpdateAggregates(flat, *state.table, state.rows.data(), one_group);
}

void HashAggregate::Combine(LocalState& local) {
  auto& state = static_cast<AggregateState&>(local);
  std::lock_guard lock(mutex_);
  tables_.push_back(std::move(state.table));
}

void HashAggregate::Finalize() {
  if (num_keys_ == 0 && std::all_of(tables_.begin(), tables_.end(),
                                    [](const auto& t) { return t->num_groups() == 0; })) {
    tables_.push_back(MakeTable());
    tables_.back()->AddEmptyGroup();
    TrackMemory(static_cast<int64_t>(tables_.back()->memory_bytes()));
  }
  std::vector<GroupTable*> tables;
  for (const auto& table : tables_) tables.push_back(table.get());
  size_t partitions = size_t{1} << kRadixBits;
  std::vector<std::vector<core::Batch>> outputs(partitions);
  // Each worker merges whole partitions with its own merger, whose index memory it reuses,
  // writes the partition's output, and frees the partition's rows for the next ones.
  std::atomic<size_t> next_partition = 0;
  size_t workers = std::clamp<size_t>(ThreadCount(), 1, partitions);
  ParallelFor(workers, [&](size_t) {
    GroupMerger merger;
    int64_t merger_bytes = 0;
    for (size_t p; (p = next_partition.fetch_add(1)) < partitions;) {
      std::span<const std::byte* const> groups = merger.Merge(tables, p);
      if (auto bytes = static_cast<int64_t>(merger.memory_bytes()); bytes != merger_bytes) {
        TrackMemory(bytes - merger_bytes);
        merger_bytes = bytes;
      }
      for (size_t from = 0; from < groups.size(); from += core::kVectorSize) {
        size_t count = std::min(core::kVectorSize, groups.size() - from);
        core::Batch batch(schema(), count);
        tables[0]->layout().Scan(groups.subspan(from, count), batch);
        outputs[p].push_back(std::move(batch));
      }
      size_t released = 0;
      for (GroupTable* table : tables) released += table->ReleasePartition(p);
      TrackMemory(-static_cast<int64_t>(released));
    }
    TrackMemory(-merger_bytes);
  });
  tables_.clear();
  for (auto& batches : outputs) {
    for (core::Batch& batch : batches) output_.push_back(std::move(batch));
  }
}

std::vector<core::Batch> HashAggregate::TakeOutput() { return std::move(output_); }

}  // namespace sluice::exec
