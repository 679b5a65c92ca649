#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "exec/expression.h"
#include "exec/operator.h"
#include "exec/source_operators.h"

namespace sluice::exec {

/// Names the join kinds. The probe side is the left input, the build side the right one.
enum class JoinKind { kInner, kLeft, kRight, kFull, kSemi, kAnti };

/// Is the build side of a hash join once built: every build row, flat, with a chained hash
/// table over the key columns. Immutable after Finalize except for the matched flags, which
/// probes set concurrently (for RIGHT and FULL joins).
class JoinHashTable {
 public:
  JoinHashTable(std::vector<size_t> keys) : keys_(std::move(keys)) {}

  /// Adds batches (flattened) to the build side. Not thread-safe; before Build().
  void Append(std::vector<core::Batch> batches);
  /// Builds the hash table over every appended row.
  void Build();

  const std::vector<size_t>& keys() const { return keys_; }
  const std::vector<core::Batch>& batches() const { return batches_; }
  size_t num_rows() const { return rows_.size(); }
  /// Returns true when some build row has a NULL key (NOT IN semantics need it).
  bool has_null_key() const { return has_null_key_; }

  /// Returns the first entry of the chain that probe hash `hash` falls in (0: none). Entry e
  /// is build row e - 1.
  uint32_t FirstEntry(uint64_t hash) const {
    return slots_.empty() ? 0 : slots_[hash & (slots_.size() - 1)];
  }
  /// Returns the entry after `entry` in its chain (0: none).
  uint32_t NextEntry(uint32_t entry) const { return rows_[entry - 1].next; }
  /// Returns true when the build row of `entry` has the keys of probe row `i` of `probe_keys`
  /// (same types as the build keys; `hash` is the row's hash); NULL keys never match.
  bool Matches(const std::vector<const core::Vector*>& probe_keys, uint64_t hash, size_t i,
               uint32_t entry) const {
    const Row& row = rows_[entry - 1];
    return row.hash == hash && KeysEqual(probe_keys, i, row);
  }
  /// Returns (batch, row) of build row `row`.
  std::pair<uint32_t, uint32_t> Location(size_t row) const {
    return {rows_[row].batch, rows_[row].row};
  }
  /// Marks build row `row` as matched.
  void MarkMatched(size_t row) { matched_[row].store(1, std::memory_order_relaxed); }
  bool IsMatched(size_t row) const { return matched_[row].load(std::memory_order_relaxed) != 0; }

 private:
  struct Row {
    uint64_t hash;
    uint32_t batch;
    uint32_t row;
    uint32_t next;  // 1-based index of the next row in the chain; 0 ends it
  };
  bool KeysEqual(const std::vector<const core::Vector*>& probe_keys, size_t i,
                 const Row& row) const;

  std::vector<size_t> keys_;
  std::vector<core::Batch> batches_;
  std::vector<Row> rows_;
  std::vector<uint32_t> slots_;
  std::unique_ptr<std::atomic<uint8_t>[]> matched_;
  bool has_null_key_ = false;
};

/// Collects the build side of a hash join and builds its table.
class HashJoinBuild final : public SinkOperator {
 public:
  HashJoinBuild(core::SchemaPtr schema, std::shared_ptr<JoinHashTable> table);
  std::string name() const override { return "HASH_JOIN_BUILD"; }
  std::unique_ptr<LocalState> MakeLocalState() override;
  void Consume(Morsel morsel, LocalState& state) override;
  void Combine(LocalState& state) override;
  void Finalize() override;
  std::vector<core::Batch> TakeOutput() override { return {}; }

 private:
  std::shared_ptr<JoinHashTable> table_;
  std::mutex mutex_;
  std::vector<Morsel> morsels_;
};

/// Probes a built JoinHashTable with each batch. Output columns: the probe columns, then (for
/// inner, left, right and full joins) the build columns; `pair_schema` is always probe + build
/// columns. `residual` (over a pair_schema row, may be null) must also hold for a pair to match.
/// The output of one input comes in pieces of at most piece_rows() rows (see ExecuteMore):
/// the matching pairs in probe row order, then (LEFT, FULL) the probe rows without a match;
/// for SEMI and ANTI joins the probe rows kept.
class HashJoinProbe final : public TransformOperator {
 public:
  HashJoinProbe(core::SchemaPtr schema, core::SchemaPtr pair_schema, JoinKind kind,
                std::shared_ptr<JoinHashTable> table, std::vector<size_t> probe_keys,
                std::unique_ptr<Expression> residual, bool null_aware_anti = false);
  std::string name() const override;
  std::string details() const override;
  std::unique_ptr<LocalState> MakeLocalState() const override;
  core::Batch Execute(core::Batch input, LocalState* state) const override;
  std::optional<core::Batch> ExecuteMore(LocalState* state) const override;

  size_t piece_rows() const { return piece_rows_; }
  /// Makes each piece hold at most `rows` rows (core::kVectorSize by default). REQUIRES: rows
  /// > 0, before any Execute.
  void set_piece_rows(size_t rows) { piece_rows_ = rows; }

 private:
  class ProbeState;

  void Start(ProbeState& state, core::Batch input) const;
  std::optional<core::Batch> NextPiece(ProbeState& state) const;
  void FindPairs(ProbeState& state) const;
  void KeepMatchingPairs(ProbeState& state) const;
  bool OutputAlone(const ProbeState& state, size_t i) const;
  std::optional<core::Batch> ProbeRowsPiece(ProbeState& state) const;
  core::Batch Combine(const core::Batch& probe, const std::vector<uint32_t>& probe_rows,
                      const std::vector<int64_t>& build_rows, bool with_build) const;

  core::SchemaPtr pair_schema_;
  JoinKind kind_;
  std::shared_ptr<JoinHashTable> table_;
  std::vector<size_t> probe_keys_;
  std::unique_ptr<Expression> residual_;
  bool null_aware_anti_;
  size_t piece_rows_ = core::kVectorSize;
};

/// Emits, after a RIGHT or FULL join's probe pipeline, the build rows no probe row matched,
/// with NULLs for the probe columns; before them, the probe pipeline's own output.
class UnmatchedBuildScan final : public SourceOperator {
 public:
  UnmatchedBuildScan(core::SchemaPtr schema, std::shared_ptr<JoinHashTable> table,
                     std::function<BatchList()> probe_output, size_t probe_columns);
  std::string name() const override { return "JOIN_UNMATCHED"; }
  std::optional<Morsel> Next(LocalState* state) override;

 private:
  void Load();

  std::shared_ptr<JoinHashTable> table_;
  std::function<BatchList()> probe_output_;
  size_t probe_columns_;
  std::once_flag loaded_;
  std::vector<core::Batch> batches_;
  std::atomic<size_t> next_ = 0;
};

}  // namespace sluice::exec
