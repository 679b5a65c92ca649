// Places the operators that split a plan across ranks (design, section 7). A builder's rows are
// either held whole by every rank (replicated) or split into disjoint shares (partitioned):
// table scans split, and every operator that must see rows together gets an exchange first.

#include "exec/aggregate_function.h"
#include "exec/exchange.h"
#include "exec/hash_aggregate.h"
#include "exec/range_exchange.h"
#include "exec/transform_operators.h"
#include "planner/plan_builder.h"

namespace sluice::planner {
namespace {

using core::TypeId;
using ExpressionPtr = std::unique_ptr<exec::Expression>;

const exec::AggregateFunction* Aggregate(std::string_view name, TypeId argument) {
  std::optional<TypeId> types[] = {argument};
  return exec::AggregateFunctionRegistry::BuiltIn().Resolve(name, types);
}

// Returns CASE WHEN count > 0 THEN sum / count END as DOUBLE: an average from its parts.
ExpressionPtr Average(size_t sum, TypeId sum_type, size_t count) {
  auto as_double = [](size_t column, TypeId type) {
    ExpressionPtr value = exec::Expression::Column(column, type);
    return type == TypeId::kDouble ? std::move(value)
                                   : exec::Expression::Cast(std::move(value), TypeId::kDouble);
  };
  std::vector<ExpressionPtr> compare;
  compare.push_back(exec::Expression::Column(count, TypeId::kBigint));
  compare.push_back(exec::Expression::Constant(core::Value::Bigint(0)));
  std::vector<ExpressionPtr> divide;
  divide.push_back(as_double(sum, sum_type));
  divide.push_back(as_double(count, TypeId::kBigint));
  std::vector<ExpressionPtr> arms;
  arms.push_back(CallFunction(">", std::move(compare)));
  arms.push_back(CallFunction("/", std::move(divide)));
  return exec::Expression::Make(exec::ExpressionKind::kCase, TypeId::kDouble, std::move(arms));
}

}  // namespace

void QueryPlanner::SplitScan(Builder& builder) {
  if (!Distributed()) return;
  if (!builder.open.source->KeepShare(ranks_->rank(), ranks_->size())) {
    builder.open.source =
        std::make_unique<exec::RankSplitScan>(std::move(builder.open.source), *ranks_);
  }
  builder.partitioned = true;
}

void QueryPlanner::GatherRows(Builder& builder, bool to_all) {
  if (!Distributed() || !builder.partitioned) return;
  builder.Break(std::make_unique<exec::GatherExchange>(builder.OutputSchema(), *ranks_, to_all),
                "exchanged");
  // Gathered to rank 0, the rows are still a share per rank: rank 0's is all, the others none.
  builder.partitioned = !to_all;
}

void QueryPlanner::RepartitionRows(Builder& builder, std::vector<size_t> keys,
                                   bool share_replicated) {
  if (!Distributed()) return;
  if (keys.empty()) return GatherRows(builder, false);
  if (!builder.partitioned && !share_replicated) return;  // every rank works on all rows
  bool replicated = !builder.partitioned;
  builder.Break(std::make_unique<exec::RepartitionExchange>(builder.OutputSchema(), *ranks_,
                                                            std::move(keys), replicated),
                "exchanged");
  builder.partitioned = true;
}

// Sorts the open pipeline's rows, keeping rows [offset, offset + limit). A sort without LIMIT
// whose rows the query's result gathers (`result`) is split over the ranks: its rows are range
// repartitioned, each rank sorts its range, and the gather, by sequences renumbered in rank
// order, concatenates the ranges; an OFFSET then drops rows on rank 0. Any other sort runs on
// rank 0 over every row (a FROM subquery's rows are scanned again in per-rank order).
void QueryPlanner::PlanSort(Builder& builder, std::optional<uint64_t> limit, uint64_t offset,
                            bool result) {
  if (!Distributed() || !builder.partitioned || limit || !result) {
    GatherRows(builder, false);
    builder.Break(
        std::make_unique<exec::SortSink>(builder.Schema(), builder.order_keys, limit, offset),
        "sorted");
    return;
  }
  builder.Break(std::make_unique<exec::RangeRepartitionExchange>(builder.OutputSchema(), *ranks_,
                                                                 builder.order_keys),
                "exchanged");
  builder.Break(
      std::make_unique<exec::SortSink>(builder.Schema(), builder.order_keys, std::nullopt, 0),
      "sorted");
  builder.open.source =
      std::make_unique<exec::RankOrderedScan>(std::move(builder.open.source), *ranks_);
  if (offset == 0) return;
  GatherRows(builder, false);
  builder.Break(std::make_unique<exec::CollectSink>(builder.Schema(), std::nullopt, offset),
                "limited");
}

void QueryPlanner::SpreadRows(Builder& builder) {
  if (!builder.partitioned) KeepFirstRank(builder);
}

void QueryPlanner::KeepFirstRank(Builder& builder) {
  if (!Distributed()) return;
  builder.open.transforms.push_back(
      std::make_unique<exec::FirstRankFilter>(builder.OutputSchema(), *ranks_));
  builder.partitioned = true;
}

// Chooses how the rows of a join's two sides meet. A build side every rank holds joins each
// probe share as is, unless the join also returns unmatched build rows (RIGHT, FULL): those
// would come once per rank. Otherwise both sides are repartitioned by their keys, or, when
// that sends more bytes, the build side is broadcast.
void QueryPlanner::DistributeJoin(Builder& probe, Builder& build,
                                  const std::vector<size_t>& probe_keys,
                                  const std::vector<size_t>& build_keys, double probe_rows,
                                  bool keeps_build_rows) {
  if (!Distributed() || (!probe.partitioned && !build.partitioned)) return;
  if (probe_keys.empty()) {  // every probe row meets every build row
    GatherRows(build, true);
    if (keeps_build_rows) GatherRows(probe, true);
    return;
  }
  if (!build.partitioned && !keeps_build_rows) return;
  double ranks = ranks_->size();
  bool broadcast = !keeps_build_rows && probe.partitioned && build.estimated_rows >= 0 &&
                   probe_rows >= 0 && build.estimated_rows * (ranks - 1) < probe_rows;
  if (broadcast) return GatherRows(build, true);
  RepartitionRows(probe, probe_keys, true);
  RepartitionRows(build, build_keys, true);
}

}  // namespace sluice::planner

namespace sluice::planner {

void QueryPlanner::PlanHashAggregate(Builder& builder, core::SchemaPtr output, size_t num_keys,
                                     std::vector<const exec::AggregateFunction*> functions,
                                     std::vector<std::vector<size_t>> arguments) {
  if (Distributed() && builder.partitioned &&
      PlanTwoPhaseAggregate(builder, output, num_keys, functions, arguments)) {
    return;
  }
  // Without GROUP BY, rank 0 aggregates every row; the other ranks' one row is dropped.
  bool single_group = num_keys == 0 && builder.partitioned;
  RepartitionRows(builder, FirstColumns(num_keys), false);
  builder.Break(std::make_unique<exec::HashAggregate>(std::move(output), num_keys,
                                                      std::move(functions), std::move(arguments)),
                "aggregate");
  if (single_group) KeepFirstRank(builder);
}

// Aggregates each rank's rows first and exchanges the partial results (a row per group and
// rank) instead of the input rows, when every aggregate combines from parts: count, sum, min,
// max, and avg from a sum and a count. Returns false, planning nothing, for any other.
bool QueryPlanner::PlanTwoPhaseAggregate(
    Builder& builder, const core::SchemaPtr& output, size_t num_keys,
    const std::vector<const exec::AggregateFunction*>& functions,
    const std::vector<std::vector<size_t>>& arguments) {
  std::vector<const exec::AggregateFunction*> partial, combine;
  std::vector<std::vector<size_t>> partial_arguments, combine_arguments;
  std::vector<core::Field> partial_fields(output->fields().begin(),
                                          output->fields().begin() + num_keys);
  auto add = [&](const exec::AggregateFunction* part, const std::vector<size_t>& columns,
                 const exec::AggregateFunction* combined) {
    if (part == nullptr || combined == nullptr) return false;
    combine_arguments.push_back({partial_fields.size()});
    partial_fields.push_back({"#partial" + std::to_string(partial.size()), part->result});
    partial.push_back(part);
    partial_arguments.push_back(columns);
    combine.push_back(combined);
    return true;
  };
  core::SchemaPtr input = builder.OutputSchema();
  for (size_t a = 0; a < functions.size(); ++a) {
    const std::string& name = functions[a]->name;
    bool added = false;
    if (name == "count" || name == "count_star") {
      added = add(functions[a], arguments[a], Aggregate("sum", TypeId::kBigint));
    } else if (name == "sum" || name == "min" || name == "max") {
      added = add(functions[a], arguments[a], Aggregate(name, functions[a]->result));
    } else if ((name == "avg" || name == "mean") && functions[a]->result == TypeId::kDouble) {
      TypeId type = input->field(arguments[a][0]).type;
      const auto* sum = Aggregate("sum", type);
      added = add(sum, arguments[a], sum ? Aggregate("sum", sum->result) : nullptr) &&
              add(Aggregate("count", type), arguments[a], Aggregate("sum", TypeId::kBigint));
    }
    if (!added) return false;
  }
  bool single_group = num_keys == 0;
  builder.Break(
      std::make_unique<exec::HashAggregate>(std::make_shared<core::Schema>(partial_fields),
                                            num_keys, partial, std::move(partial_arguments)),
      "partial aggregate");
  RepartitionRows(builder, FirstColumns(num_keys), false);
  std::vector<core::Field> combined_fields(output->fields().begin(),
                                           output->fields().begin() + num_keys);
  for (size_t c = 0; c < combine.size(); ++c) {
    combined_fields.push_back({partial_fields[num_keys + c].name, combine[c]->result});
  }
  builder.Break(
      std::make_unique<exec::HashAggregate>(std::make_shared<core::Schema>(combined_fields),
                                            num_keys, combine, std::move(combine_arguments)),
      "aggregate");
  std::vector<ExpressionPtr> projection;
  for (size_t k = 0; k < num_keys; ++k) {
    projection.push_back(exec::Expression::Column(k, output->field(k).type));
  }
  for (size_t a = 0, column = num_keys; a < functions.size(); ++a, ++column) {
    TypeId type = combined_fields[column].type;
    if (functions[a]->name == "avg" || functions[a]->name == "mean") {
      projection.push_back(Average(column, type, column + 1));
      ++column;
      continue;
    }
    ExpressionPtr value = exec::Expression::Column(column, type);
    TypeId wanted = output->field(num_keys + a).type;
    projection.push_back(type == wanted ? std::move(value)
                                        : exec::Expression::Cast(std::move(value), wanted));
  }
  builder.open.transforms.push_back(
      std::make_unique<exec::ProjectionOperator>(output, std::move(projection)));
  if (single_group) KeepFirstRank(builder);
  return true;
}

}  // namespace sluice::planner
