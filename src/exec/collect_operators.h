#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "exec/operator.h"

namespace sluice::exec {

/// Is one ORDER BY key: an input column, its direction and where NULLs go.
struct SortKey {
  size_t column;
  bool descending = false;
  bool nulls_first = false;
};

/// Gathers every batch, in source order, keeping rows [offset, offset + limit). Stops the
/// pipeline early once the rows it needs have all arrived.
class CollectSink final : public SinkOperator {
 public:
  CollectSink(core::SchemaPtr schema, std::optional<uint64_t> limit, uint64_t offset);
  std::string name() const override { return limit_ ? "LIMIT" : "COLLECT"; }
  std::string details() const override;
  std::unique_ptr<LocalState> MakeLocalState() override;
  void Consume(Morsel morsel, LocalState& state) override;
  void Combine(LocalState& state) override;
  void Finalize() override;
  bool Done() const override { return done_.load(std::memory_order_relaxed); }
  std::vector<core::Batch> TakeOutput() override { return std::move(output_); }

 private:
  std::optional<uint64_t> limit_;
  uint64_t offset_;
  std::mutex mutex_;
  std::vector<Morsel> morsels_;  // in source order when there is a limit
  struct {
    size_t morsels = 0;     // the first morsels_ that follow each other without a gap
    uint64_t rows = 0;      // in those
    uint64_t sequence = 0;  // of the morsel that would extend them
    uint32_t piece = 0;
  } prefix_;
  std::atomic<bool> done_ = false;
  std::vector<core::Batch> output_;
};

/// Sorts every row by `keys` (stable), keeping rows [offset, offset + limit) when a limit
/// is given (a partial sort: top-N).
class SortSink final : public SinkOperator {
 public:
  SortSink(core::SchemaPtr schema, std::vector<SortKey> keys, std::optional<uint64_t> limit,
           uint64_t offset);
  std::string name() const override { return limit_ ? "TOP_N" : "ORDER_BY"; }
  std::string details() const override;
  std::unique_ptr<LocalState> MakeLocalState() override;
  void Consume(Morsel morsel, LocalState& state) override;
  void Combine(LocalState& state) override;
  void Finalize() override;
  std::vector<core::Batch> TakeOutput() override { return std::move(output_); }

 private:
  std::vector<SortKey> keys_;
  std::optional<uint64_t> limit_;
  uint64_t offset_;
  std::mutex mutex_;
  std::vector<Morsel> morsels_;
  std::vector<core::Batch> output_;
};

/// Returns -1, 0 or 1 comparing value `left_row` of `left` with `right_row` of `right` in
/// ORDER BY's order (NaN after every number). REQUIRES: the same type, both values valid.
int CompareValues(const core::Vector& left, size_t left_row, const core::Vector& right,
                  size_t right_row);

/// Copies rows (batch index, physical row) of `inputs` into new flat batches of `schema`.
std::vector<core::Batch> GatherRows(const core::SchemaPtr& schema,
                                    const std::vector<core::Batch>& inputs,
                                    const std::vector<std::pair<uint32_t, uint32_t>>& rows);

}  // namespace sluice::exec
