#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "exec/aggregate_function.h"
#include "exec/group_table.h"
#include "exec/operator.h"

namespace sluice::exec {

/// Groups rows by their first `num_keys` input columns and computes aggregates over the
/// following columns: aggregate i reads input columns `arguments[i]`. Each worker
/// pre-aggregates into its own radix-partitioned table, or, when nearly every row makes a new
/// group, appends one group per row; Finalize merges the tables one partition at a time in
/// parallel, in place (GroupMerger), and writes and frees each partition as it goes. Output:
/// the keys, then one column per aggregate.
/// With no keys, an empty input still gives one row (count 0, sum NULL).
class HashAggregate final : public SinkOperator {
 public:
  HashAggregate(core::SchemaPtr output, size_t num_keys,
                std::vector<const AggregateFunction*> aggregates,
                std::vector<std::vector<size_t>> arguments);
  std::string name() const override { return num_keys_ ? "HASH_AGGREGATE" : "AGGREGATE"; }
  std::string details() const override;
  std::unique_ptr<LocalState> MakeLocalState() override;
  void Consume(Morsel morsel, LocalState& state) override;
  void Combine(LocalState& state) override;
  void Finalize() override;
  std::vector<core::Batch> TakeOutput() override;

 private:
  std::unique_ptr<GroupTable> MakeTable() const;
  // Updates every aggregate with the rows of `flat`, whose groups' rows are `rows` (only the
  // first, with `one_group`, for functions with update_state).
  void UpdateAggregates(const core::Batch& flat, const GroupTable& table, std::byte** rows,
                        bool one_group) const;
  // Updates `function`'s states with only the rows `valid` (those whose arguments are all
  // valid), gathered first.
  void UpdateValidRows(const AggregateFunction& function, std::span<const core::Vector* const> args,
                       std::span<const uint32_t> valid, std::byte** rows, size_t offset) const;

  size_t num_keys_;
  std::vector<core::TypeId> key_types_;
  std::vector<const AggregateFunction*> aggregates_;
  std::vector<std::vector<size_t>> arguments_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<GroupTable>> tables_;
  std::vector<core::Batch> output_;
};

}  // namespace sluice::exec
