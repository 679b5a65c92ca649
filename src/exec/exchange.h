#pragma once

// Operators that move rows between the ranks of a distributed run (design, section 7). Every
// rank runs the same plan; a scan splits its morsels across the ranks, and an exchange sink
// ends a pipeline by sending its rows where the next pipeline needs them. Exchanges are only
// planned when there are several ranks.

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/communicator.h"
#include "exec/operator.h"

namespace sluice::exec {

/// Reads only this rank's share of `source`: of each morsel, the rank's slice of its rows
/// (rank r of n: rows from r/n to (r+1)/n of the morsel). Sequence numbers stay the source's,
/// so a gather, merging by sequence then rank, restores the single-process order.
class RankSplitScan final : public SourceOperator {
 public:
  RankSplitScan(std::unique_ptr<SourceOperator> source, const cluster::Communicator& comm);
  std::string name() const override { return source_->name(); }
  std::string details() const override;
  std::unique_ptr<LocalState> MakeLocalState() override { return source_->MakeLocalState(); }
  std::optional<Morsel> Next(LocalState* state) override;

 private:
  std::unique_ptr<SourceOperator> source_;
  uint64_t rank_;
  uint64_t size_;
};

/// Keeps the rows of rank 0 only: makes rows every rank holds (a VALUES list, a small table
/// every rank computed) into rows held once, so they can meet rows split across ranks.
class FirstRankFilter final : public TransformOperator {
 public:
  FirstRankFilter(core::SchemaPtr schema, const cluster::Communicator& comm)
      : TransformOperator(std::move(schema)), keep_(comm.rank() == 0) {}
  std::string name() const override { return "ON_RANK_0"; }
  core::Batch Execute(core::Batch input, LocalState* state) const override;

 private:
  bool keep_;
};

/// Is the base of the exchange sinks: Finalize() first agrees with the other ranks that none
/// failed (see cluster::AgreeOnFailure), then moves the rows. EXPLAIN ANALYZE shows the bytes each
/// rank sent and received.
class ExchangeSink : public SinkOperator {
 public:
  ExchangeSink(core::SchemaPtr schema, cluster::Communicator& comm)
      : SinkOperator(std::move(schema)), comm_(comm) {}
  std::string name() const final { return "EXCHANGE"; }
  std::string details() const final;
  void Finalize() final;
  /// Takes part in the agreement of this exchange for a rank that failed earlier (`failure`)
  /// and skipped the pipelines up to here; always throws.
  [[noreturn]] void Abandon(const std::exception_ptr& failure);
  /// Returns true once Finalize() began the agreement: an error thrown after that is thrown
  /// on every rank.
  bool agreeing() const { return agreeing_; }
  std::vector<core::Batch> TakeOutput() final { return std::move(output_); }

 protected:
  /// Is a batch with the sequence number of its morsel and the rank that read it.
  struct RankedBatch {
    uint64_t sequence;
    int rank;
    core::Batch batch;
  };

  /// Appends `batch` to a message as u64 sequence | u64 bytes | its wire form, the columns
  /// named as in schema().
  void AppendRanked(std::string& out, uint64_t sequence, const core::Batch& batch) const;
  /// Appends the batches of a message `rank` sent (see AppendRanked) to `out`, counting their
  /// memory. Throws DataError for a malformed message.
  void ReadRanked(std::string_view bytes, int rank, std::vector<RankedBatch>& out) const;
  /// Returns the batches ordered by sequence, then rank: the single-process order of rows
  /// that split scans read. Stable: the pieces of a morsel, appended in order, keep it.
  static std::vector<core::Batch> InRankedOrder(std::vector<RankedBatch> batches);
  /// Returns `batches` in the same order with runs of small ones joined into batches of up to
  /// core::kVectorSize rows: exchanges deliver many small batches (a slice per rank and
  /// morsel), which would slow every later scan of them.
  std::vector<core::Batch> Coalesce(std::vector<core::Batch> batches) const;
  static void AppendU64(std::string& out, uint64_t value);
  /// Returns the u64 at `at`. Throws DataError past the end of `bytes`.
  static uint64_t ReadU64(std::string_view bytes, size_t at);

  /// Returns what the exchange does, for EXPLAIN ("hash on columns 0, 1").
  virtual std::string Describe() const = 0;
  /// Moves the rows consumed on every rank; fills output_.
  virtual void Exchange() = 0;

  cluster::Communicator& comm_;
  std::vector<core::Batch> output_;

 private:
  bool agreeing_ = false;
  std::vector<uint64_t> sent_;      // per rank, once the exchange ran
  std::vector<uint64_t> received_;  // per rank, once the exchange ran
};

/// Merges the rows of all ranks in the order of their sequence numbers (then of the ranks):
/// the single-process order when the rows came from split scans. To rank 0 only (`to_all`
/// false) before ORDER BY, LIMIT, an aggregate without GROUP BY and a window without PARTITION
/// BY; to every rank for a query's result and the small side of a join.
class GatherExchange final : public ExchangeSink {
 public:
  GatherExchange(core::SchemaPtr schema, cluster::Communicator& comm, bool to_all)
      : ExchangeSink(std::move(schema), comm), to_all_(to_all) {}
  std::unique_ptr<LocalState> MakeLocalState() override;
  void Consume(Morsel morsel, LocalState& state) override;
  void Combine(LocalState& state) override;

 private:
  std::string Describe() const override {
    return to_all_ ? "gather to every rank" : "gather to rank 0";
  }
  void Exchange() override;

  bool to_all_;
  std::mutex mutex_;
  std::vector<Morsel> morsels_;
};

/// Sends each row to the rank its key columns hash to, so that equal keys meet on one rank:
/// before GROUP BY, DISTINCT, a window's PARTITION BY and both sides of a join. When every rank
/// holds the same rows (`replicated`), each keeps its own share and nothing is sent.
class RepartitionExchange final : public ExchangeSink {
 public:
  RepartitionExchange(core::SchemaPtr schema, cluster::Communicator& comm, std::vector<size_t> keys,
                      bool replicated);
  std::unique_ptr<LocalState> MakeLocalState() override;
  void Consume(Morsel morsel, LocalState& state) override;
  void Combine(LocalState& state) override;

 private:
  std::string Describe() const override;
  void Exchange() override;

  std::vector<size_t> keys_;
  bool replicated_;
  std::mutex mutex_;
  std::vector<std::string> outgoing_;  // encoded rows per destination rank
  std::vector<core::Batch> kept_;      // rows that stay on this rank
};

}  // namespace sluice::exec
