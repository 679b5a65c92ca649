#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "exec/memory_tracker.h"

namespace sluice::exec {

/// Is an operator's working state for one thread.
class LocalState {
 public:
  virtual ~LocalState() = default;
};

/// Counts what an operator did, across threads, for EXPLAIN ANALYZE.
struct OperatorStats {
  std::atomic<uint64_t> rows_in = 0;
  std::atomic<uint64_t> rows_out = 0;
  std::atomic<uint64_t> batches = 0;
  std::atomic<uint64_t> nanos = 0;
  std::atomic<uint64_t> peak_bytes = 0;
};

/// Is a batch together with its place in the source's order: sinks that keep order (result
/// collection, LIMIT) sort by `sequence`, then `piece`, so parallel execution gives the same
/// rows as serial. A transform may turn one source morsel into several batches (a join's
/// output, bounded in size): they reach the sink in order, from one worker, numbered by
/// `piece` from 0, the last with `last_piece` set.
struct Morsel {
  core::Batch batch;
  uint64_t sequence;
  uint32_t piece = 0;
  bool last_piece = true;
};

/// Returns true when `a` comes before `b` in source order (sequence, then piece).
inline bool InSourceOrder(const Morsel& a, const Morsel& b) {
  return a.sequence != b.sequence ? a.sequence < b.sequence : a.piece < b.piece;
}

/// Is the base of every physical operator: its output schema, a name and details for EXPLAIN.
class PhysicalOperator {
 public:
  explicit PhysicalOperator(core::SchemaPtr schema) : schema_(std::move(schema)) {}
  virtual ~PhysicalOperator() = default;
  PhysicalOperator(const PhysicalOperator&) = delete;
  PhysicalOperator& operator=(const PhysicalOperator&) = delete;

  const core::SchemaPtr& schema() const { return schema_; }
  /// Returns the operator's name for EXPLAIN ("HASH_AGGREGATE").
  virtual std::string name() const = 0;
  /// Returns one line of details for EXPLAIN (expressions, keys); may be empty.
  virtual std::string details() const { return {}; }
  OperatorStats& stats() const { return stats_; }
  /// Makes the operator count the memory it holds against `tracker` (may be null).
  void set_memory_tracker(MemoryTracker* tracker) { tracker_ = tracker; }

 protected:
  /// Records that the operator now holds `bytes` more (or, negative, fewer); throws UserError
  /// when the query's memory limit is exceeded. Thread-safe.
  void TrackMemory(int64_t bytes) const;

 private:
  core::SchemaPtr schema_;
  mutable OperatorStats stats_;
  mutable std::atomic<int64_t> held_bytes_ = 0;
  MemoryTracker* tracker_ = nullptr;
};

/// Produces a pipeline's batches. Thread-safe: every worker calls Next with its own state.
class SourceOperator : public PhysicalOperator {
 public:
  using PhysicalOperator::PhysicalOperator;
  /// Returns a worker's state (may be null).
  virtual std::unique_ptr<LocalState> MakeLocalState() { return nullptr; }
  /// Returns the next morsel, or nothing when the source is exhausted.
  virtual std::optional<Morsel> Next(LocalState* state) = 0;
  /// Makes the source produce only share `rank` of `size` of its rows, with the sequence
  /// numbers of the whole source (see io::BatchReader::KeepShare). Returns false, changing
  /// nothing, when it cannot. REQUIRES: nothing read yet.
  virtual bool KeepShare(int /*rank*/, int /*size*/) { return false; }
};

/// Transforms batches one at a time (filter, projection). Const and thread-safe. An operator
/// whose output for one input can be large (a join) returns it in pieces: the first from
/// Execute, the next ones from ExecuteMore, keeping its place in the worker's state.
class TransformOperator : public PhysicalOperator {
 public:
  using PhysicalOperator::PhysicalOperator;
  /// Returns a worker's state (may be null).
  virtual std::unique_ptr<LocalState> MakeLocalState() const { return nullptr; }
  /// Returns the transformed batch (maybe of zero rows), or the first piece of it. Forgets
  /// any pieces of the previous input not yet asked for.
  virtual core::Batch Execute(core::Batch input, LocalState* state) const = 0;
  /// Returns the next piece of the output for the input last given to Execute with `state`,
  /// or nothing once that output is complete. The worker pushes each piece through the rest
  /// of the pipeline before asking for the next, so memory stays bounded by a piece.
  virtual std::optional<core::Batch> ExecuteMore(LocalState* /*state*/) const {
    return std::nullopt;
  }
};

/// Ends a pipeline: consumes batches with per-thread state, combines the states, then
/// finalizes into its output. A pipeline breaker's output feeds the next pipeline.
class SinkOperator : public PhysicalOperator {
 public:
  using PhysicalOperator::PhysicalOperator;
  /// Returns a worker's state.
  virtual std::unique_ptr<LocalState> MakeLocalState() = 0;
  /// Consumes one morsel into the worker's state.
  virtual void Consume(Morsel morsel, LocalState& state) = 0;
  /// Merges a worker's state into the shared state. Thread-safe.
  virtual void Combine(LocalState& state) = 0;
  /// Completes the output once every worker has combined.
  virtual void Finalize() = 0;
  /// Returns true when no more input can change the output (a satisfied LIMIT).
  virtual bool Done() const { return false; }
  /// Returns the output batches, in order. REQUIRES: Finalize() ran; call once.
  virtual std::vector<core::Batch> TakeOutput() = 0;
};

}  // namespace sluice::exec
