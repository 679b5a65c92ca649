#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/communicator.h"
#include "exec/pipeline.h"
#include "exec/window_operator.h"
#include "planner/catalog.h"
#include "planner/expression_binder.h"
#include "planner/outer_references.h"
#include "planner/scope.h"
#include "sql/ast.h"

namespace sluice::planner {

/// Is an executable query: pipelines to run in order; the last one's sink holds the result,
/// whose first `visible_columns` columns are the query's (the rest sort by hidden keys).
struct QueryPlan {
  std::vector<exec::Pipeline> pipelines;
  core::SchemaPtr schema;
  size_t visible_columns = 0;
  /// About how many rows the result has (-1: unknown).
  double estimated_rows = -1;
  /// Views whose syntax trees operators may read while the plan runs.
  std::vector<std::shared_ptr<const ViewEntry>> views;
  /// The ranks the plan runs on (null: this process alone); every rank runs the same plan.
  cluster::Communicator* communicator = nullptr;
  /// True when each rank holds only its share of the result (plans of FROM subqueries).
  bool partitioned = false;
};

/// Runs `plan` and returns the batches of its visible columns. Operators count the memory
/// they hold against `memory` when given. With several ranks, every rank runs the plan and
/// gets the whole result; a rank that fails makes every rank throw at the next exchange.
std::vector<core::Batch> ExecutePlan(QueryPlan& plan, exec::MemoryTracker* memory = nullptr);

/// Turns a query's syntax tree into pipelines of physical operators: binds names against the
/// catalog, files and CTEs, then places filters, projections, aggregation, DISTINCT, ORDER BY
/// and LIMIT.
class QueryPlanner final : public SubqueryBinder {
 public:
  /// Plans against `catalog`; `outer` gives the columns of an enclosing query (may be null).
  /// With `ranks` of more than one rank, scans read each rank's share and exchanges move rows
  /// between the ranks (design, section 7); subqueries in expressions still run on each rank
  /// alone, over all rows.
  explicit QueryPlanner(const Catalog& catalog,
                        std::shared_ptr<const OuterReferences> outer = nullptr,
                        cluster::Communicator* ranks = nullptr)
      : catalog_(catalog), outer_(std::move(outer)), ranks_(ranks) {}

  /// Plans `query`. Throws UserError naming line and column for what does not bind.
  QueryPlan Plan(const sql::QueryNode& query);
  /// Plans `query` whose result only rank 0 needs (a query whose rows are printed or sent):
  /// with several ranks the result is gathered to rank 0 alone; the other ranks get no rows.
  QueryPlan PlanForFirstRank(const sql::QueryNode& query);
  /// Plans `query` whose rows each rank uses where they are (data-parallel training, per-rank
  /// writes): with several ranks every rank gets its own share of the result, no rank all of it.
  QueryPlan PlanShares(const sql::QueryNode& query);
  std::unique_ptr<exec::Expression> BindSubquery(const sql::Expr& expr,
                                                 const ExpressionBinder& binder) override;

 private:
  struct Builder;
  // Where a plan's result ends up when there are several ranks.
  enum class ResultRanks { kEvery, kFirst, kShares };
  QueryPlan Plan(const sql::QueryNode& query, ResultRanks result);
  void PlanQuery(const sql::QueryNode& query, Builder& builder);
  void PlanSelect(const sql::SelectNode& select, Builder& builder);
  void PlanFrom(const sql::TableRef* from, Builder& builder);
  void PlanJoin(const sql::JoinRef& join, Builder& builder);
  // Runs the input of an ML.* function and the function itself.
  std::shared_ptr<const TableEntry> RunModelFunction(const sql::ModelFunctionRef& ref);
  static bool IsInnerChain(const sql::TableRef& ref);
  static void FlattenInnerJoins(const sql::TableRef& ref, std::vector<const sql::TableRef*>& items,
                                std::vector<const sql::Expr*>& conditions);
  void PlanInnerJoins(const sql::JoinRef& join, Builder& builder);
  static size_t NextJoinItem(const Builder& current, const std::vector<Builder>& sides,
                             const std::vector<bool>& joined);
  void RestoreFromOrder(Builder& builder, size_t num_items);
  void JoinSides(const sql::JoinRef& join, Builder& builder, Builder& right);
  void PushDownFilters(Builder& left, Builder& right);
  void RestoreColumnOrder(Builder& builder, size_t probe_columns);
  void PlanSetOperation(const sql::SetOperationNode& node, Builder& builder);
  std::vector<core::TypeId> SetOperationTypes(const sql::SetOperationNode& node,
                                              const Builder& left, const Builder& right);
  void PlanSetSide(Builder& side, const std::vector<core::TypeId>& types,
                   std::optional<int32_t> tag, Builder& builder,
                   std::vector<exec::SinkOperator*>& sinks);
  void PlanSetCounts(const sql::SetOperationNode& node, const std::vector<core::TypeId>& types,
                     Builder& builder);
  void AppendKeyColumns(Builder& side, std::vector<std::unique_ptr<exec::Expression>> keys,
                        std::vector<size_t>& indices);
  void PlanValues(const sql::ValuesNode& values, Builder& builder);
  void PlanSubquery(const sql::QueryNode& query, const std::string& alias,
                    const std::vector<std::string>& column_aliases, Builder& builder);
  void PlanAggregate(const sql::SelectNode& select, Builder& builder);
  void PlanWindows(const sql::SelectNode& select, Builder& builder);
  std::vector<const sql::FunctionExpr*> FindRankLimits(const sql::SelectNode& select);
  void PruneColumnsForWindows(const sql::SelectNode& select, Builder& builder);
  void PlanWindowGroup(const sql::SelectNode& select,
                       const std::vector<const sql::Expr*>& partition_by,
                       const std::vector<const sql::OrderByItem*>& order_by,
                       const std::vector<const sql::FunctionExpr*>& calls, Builder& builder,
                       std::vector<std::pair<const sql::FunctionExpr*, size_t>>& columns);
  void BindWindowCall(const sql::FunctionExpr& call, const ExpressionBinder& binder,
                      exec::WindowFunction& function,
                      std::vector<std::unique_ptr<exec::Expression>>& arguments);
  void PlanProjection(const sql::SelectNode& select, Builder& builder);
  void PlanOrderAndLimit(const sql::QueryNode& query, Builder& builder);
  size_t OrderColumn(const sql::OrderByItem& item, const sql::SelectNode* select, Builder& builder,
                     std::vector<std::unique_ptr<exec::Expression>>& hidden,
                     const ExpressionBinder* binder);

  // Distribution (exchange_planner.cc); each does nothing with one rank.
  bool Distributed() const { return ranks_ != nullptr && ranks_->size() > 1; }
  void SplitScan(Builder& builder);
  void GatherRows(Builder& builder, bool to_all);
  void RepartitionRows(Builder& builder, std::vector<size_t> keys, bool share_replicated);
  void SpreadRows(Builder& builder);
  void PlanSort(Builder& builder, std::optional<uint64_t> limit, uint64_t offset, bool result);
  void PlanHashAggregate(Builder& builder, core::SchemaPtr output, size_t num_keys,
                         std::vector<const exec::AggregateFunction*> functions,
                         std::vector<std::vector<size_t>> arguments);
  bool PlanTwoPhaseAggregate(Builder& builder, const core::SchemaPtr& output, size_t num_keys,
                             const std::vector<const exec::AggregateFunction*>& functions,
                             const std::vector<std::vector<size_t>>& arguments);
  void KeepFirstRank(Builder& builder);
  void DistributeJoin(Builder& probe, Builder& build, const std::vector<size_t>& probe_keys,
                      const std::vector<size_t>& build_keys, double probe_rows,
                      bool keeps_build_rows);

  BindContext Context() { return {outer_.get(), this}; }

  const Catalog& catalog_;
  std::shared_ptr<const OuterReferences> outer_;
  cluster::Communicator* ranks_;
  std::map<std::string, const sql::CommonTableExpr*> ctes_;
  // Ranking window calls whose rows above a rank a filter drops anyway (see FindRankLimits).
  std::map<const sql::FunctionExpr*, int64_t> rank_limits_;
  // The query whose rows a result gather collects (null for shares): its ORDER BY may sort
  // each rank's range of the order, the gather concatenating the ranges (see PlanSort).
  const sql::QueryNode* gathered_query_ = nullptr;
};

}  // namespace sluice::planner
