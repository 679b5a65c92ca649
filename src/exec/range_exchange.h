#pragma once

// The exchange of a sort split across ranks: rows go to the rank that owns their range of the
// sort order, so that each rank sorts one range and the ranks' results, taken in rank order,
// are the whole order.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/communicator.h"
#include "exec/collect_operators.h"
#include "exec/exchange.h"

namespace sluice::exec {

/// Sends each row to the rank whose range of the order `keys` holds it (sample-based range
/// partitioning): every rank samples its rows evenly, the samples are gathered to every rank,
/// each rank picks the same splitters at the weighted quantiles of the sample, then routes
/// its rows by comparing them with the splitters. Rank r then holds the r-th range: sorting
/// each rank's rows and concatenating the ranks in order gives the whole order.
///
/// Rows with equal keys are ordered by their place in the input (morsel sequence, then rank,
/// then row): splitters fall between rows, never between equal keys as a whole, so a single
/// repeated key still spreads over the ranks, and each rank's output is in input order, so a
/// stable sort of it keeps equal rows in the order a single process would.
class RangeRepartitionExchange final : public ExchangeSink {
 public:
  /// Rows each rank contributes to the sample, at most.
  static constexpr size_t kSamplesPerRank = 256;

  RangeRepartitionExchange(core::SchemaPtr schema, cluster::Communicator& comm,
                           std::vector<SortKey> keys);
  std::unique_ptr<LocalState> MakeLocalState() override;
  void Consume(Morsel morsel, LocalState& state) override;
  void Combine(LocalState& state) override;

 private:
  std::string Describe() const override;
  void Exchange() override;
  // Returns this rank's sample, encoded: u64 rows | the sampled key rows.
  std::string EncodeSample() const;
  // Returns the size() - 1 splitter rows every rank chooses from the gathered samples.
  core::Batch ChooseSplitters(const std::vector<std::string>& samples) const;
  // Returns the destination rank of each row of each of morsels_.
  std::vector<std::vector<uint32_t>> RouteRows(const core::Batch& splitters) const;
  // Moves the rows of morsels_ into the messages to the other ranks and this rank's `kept`.
  void SplitMorsels(const std::vector<std::vector<uint32_t>>& destinations,
                    std::vector<std::string>& outgoing, std::vector<RankedBatch>& kept);

  std::vector<SortKey> keys_;
  core::SchemaPtr sample_schema_;  // the key columns, then the row's sequence, rank and row
  std::mutex mutex_;
  std::vector<Morsel> morsels_;  // this rank's rows, flat, until the splitters are known
};

/// Renumbers the morsels of `source` after those of every lower rank (rank r's sequences
/// start at r * 2^40), so that a gather, merging by sequence, concatenates the ranks' rows in
/// rank order: after a range repartition and a local sort, the whole order.
class RankOrderedScan final : public SourceOperator {
 public:
  RankOrderedScan(std::unique_ptr<SourceOperator> source, const cluster::Communicator& comm);
  std::string name() const override { return source_->name(); }
  std::string details() const override { return source_->details() + ", in rank order"; }
  std::unique_ptr<LocalState> MakeLocalState() override { return source_->MakeLocalState(); }
  std::optional<Morsel> Next(LocalState* state) override;

 private:
  std::unique_ptr<SourceOperator> source_;
  uint64_t first_sequence_;
};

}  // namespace sluice::exec
