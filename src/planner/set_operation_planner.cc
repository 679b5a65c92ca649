// UNION, INTERSECT and EXCEPT: both sides planned into their own pipelines, cast to common
// column types, concatenated, then deduplicated or counted per side.

#include <fmt/format.h>

#include "base/error.h"
#include "exec/aggregate_function.h"
#include "exec/hash_aggregate.h"
#include "exec/transform_operators.h"
#include "planner/plan_builder.h"
#include "planner/query_planner.h"

namespace sluice::planner {

using core::TypeId;
using ExpressionPtr = std::unique_ptr<exec::Expression>;

namespace {

std::optional<TypeId> CommonSetType(TypeId left, TypeId right) {
  if (left == right) return left;
  if (exec::ImplicitCastCost(left, right)) return right;
  if (exec::ImplicitCastCost(right, left)) return left;
  return std::nullopt;
}

}  // namespace

void QueryPlanner::PlanSetSide(Builder& side, const std::vector<TypeId>& types,
                               std::optional<int32_t> tag, Builder& builder,
                               std::vector<exec::SinkOperator*>& sinks) {
  std::vector<ExpressionPtr> casts;
  std::vector<ScopeColumn> columns;
  for (size_t i = 0; i < types.size(); ++i) {
    const ScopeColumn& column = side.scope.columns()[i];
    ExpressionPtr value = exec::Expression::Column(i, column.type);
    if (column.type != types[i]) value = exec::Expression::Cast(std::move(value), types[i]);
    casts.push_back(std::move(value));
    columns.push_back({"", side.names.empty() ? column.name : side.names[i], types[i]});
  }
  if (tag) {
    casts.push_back(exec::Expression::Constant(core::Value::Integer(*tag)));
    columns.push_back({"", "#side", TypeId::kInteger, true});
  }
  side.scope = Scope(columns);
  side.open.transforms.push_back(
      std::make_unique<exec::ProjectionOperator>(side.Schema(), std::move(casts)));
  side.Break(std::make_unique<exec::CollectSink>(side.Schema(), std::nullopt, 0), "set side");
  sinks.push_back(side.done.back().sink.get());
  for (auto& pipeline : side.done) builder.done.push_back(std::move(pipeline));
  for (auto& view : side.views) builder.views.push_back(std::move(view));
  builder.scope = side.scope;
}

std::vector<TypeId> QueryPlanner::SetOperationTypes(const sql::SetOperationNode& node,
                                                    const Builder& left, const Builder& right) {
  auto types_of = [](const Builder& side) {
    std::vector<TypeId> types;
    for (size_t i = 0; i < side.visible; ++i) types.push_back(side.scope.columns()[i].type);
    return types;
  };
  std::vector<TypeId> left_types = types_of(left), right_types = types_of(right);
  if (left_types.size() != right_types.size()) {
    Throw<UserError>(
        "each side of a set operation must have the same number of columns ({} and {}) "
        "at line {}, column {}",
        left_types.size(), right_types.size(), node.location.line, node.location.column);
  }
  for (size_t i = 0; i < left_types.size(); ++i) {
    auto open = [](const Builder& side, size_t i) {
      return i < side.untyped_null.size() && side.untyped_null[i];
    };
    if (open(left, i)) left_types[i] = right_types[i];
    if (open(right, i)) right_types[i] = left_types[i];
    auto common = CommonSetType(left_types[i], right_types[i]);
    if (!common) {
      Throw<UserError>(
          "set operation column {} has types {} and {} that cannot be matched at line "
          "{}, column {}",
          i + 1, core::TypeName(left_types[i]), core::TypeName(right_types[i]), node.location.line,
          node.location.column);
    }
    left_types[i] = *common;
  }
  return left_types;
}

void QueryPlanner::PlanSetOperation(const sql::SetOperationNode& node, Builder& builder) {
  bool counted = node.op != sql::SetOperationKind::kUnion;
  if (counted && node.all) {
    Throw<UserError>("INTERSECT ALL and EXCEPT ALL are not supported yet (line {}, column {})",
                     node.location.line, node.location.column);
  }
  Builder left, right;
  PlanQuery(*node.left, left);
  PlanQuery(*node.right, right);
  std::vector<TypeId> types = SetOperationTypes(node, left, right);
  if (left.partitioned || right.partitioned) {
    SpreadRows(left);
    SpreadRows(right);
  }
  std::vector<exec::SinkOperator*> sinks;
  PlanSetSide(left, types, counted ? std::optional(0) : std::nullopt, builder, sinks);
  std::vector<ScopeColumn> names = builder.scope.columns();
  PlanSetSide(right, types, counted ? std::optional(1) : std::nullopt, builder, sinks);
  builder.scope = Scope(names);
  builder.partitioned = left.partitioned;
  builder.open = exec::Pipeline{};
  builder.open.source = std::make_unique<exec::BatchScan>(
      builder.Schema(),
      [sinks] {
        auto all = std::make_shared<std::vector<core::Batch>>();
        for (exec::SinkOperator* sink : sinks) {
          for (core::Batch& batch : sink->TakeOutput()) all->push_back(std::move(batch));
        }
        return all;
      },
      "set operation");
  builder.names.clear();
  for (size_t i = 0; i < types.size(); ++i)
    builder.names.push_back(builder.scope.columns()[i].name);
  builder.visible = types.size();
  if (node.op == sql::SetOperationKind::kUnion) {
    if (!node.all) {
      RepartitionRows(builder, FirstColumns(types.size()), false);
      builder.Break(
          std::make_unique<exec::HashAggregate>(builder.Schema(), types.size(),
                                                std::vector<const exec::AggregateFunction*>{},
                                                std::vector<std::vector<size_t>>{}),
          "union");
    }
    return;
  }
  PlanSetCounts(node, types, builder);
}

// Groups the tagged rows of both sides by value; a value is kept when it is on the left side and
// (INTERSECT) also on the right or (EXCEPT) not on the right.
void QueryPlanner::PlanSetCounts(const sql::SetOperationNode& node,
                                 const std::vector<TypeId>& types, Builder& builder) {
  const auto& registry = exec::AggregateFunctionRegistry::BuiltIn();
  std::optional<TypeId> integer = TypeId::kInteger;
  std::vector<const exec::AggregateFunction*> aggregates = {registry.Resolve("count_star", {}),
                                                            registry.Resolve("sum", {&integer, 1})};
  std::vector<core::Field> fields;
  std::vector<ScopeColumn> columns;
  for (size_t i = 0; i < types.size(); ++i) {
    fields.push_back({builder.names[i], types[i]});
    columns.push_back({"", builder.names[i], types[i]});
  }
  fields.push_back({"#rows", TypeId::kBigint});
  fields.push_back({"#right_rows", TypeId::kBigint});
  RepartitionRows(builder, FirstColumns(types.size()), false);
  builder.Break(std::make_unique<exec::HashAggregate>(
                    std::make_shared<core::Schema>(fields), types.size(), aggregates,
                    std::vector<std::vector<size_t>>{{}, {types.size()}}),
                "set counts");
  size_t rows = types.size(), right_rows = types.size() + 1;
  std::vector<ExpressionPtr> left_count;
  left_count.push_back(exec::Expression::Column(rows, TypeId::kBigint));
  left_count.push_back(exec::Expression::Column(right_rows, TypeId::kBigint));
  std::vector<ExpressionPtr> compare;
  compare.push_back(CallFunction(">", [&] {
    std::vector<ExpressionPtr> args;
    args.push_back(CallFunction("-", std::move(left_count)));
    args.push_back(exec::Expression::Constant(core::Value::Bigint(0)));
    return args;
  }()));
  std::vector<ExpressionPtr> right_args;
  right_args.push_back(exec::Expression::Column(right_rows, TypeId::kBigint));
  right_args.push_back(exec::Expression::Constant(core::Value::Bigint(0)));
  compare.push_back(CallFunction(node.op == sql::SetOperationKind::kIntersect ? ">" : "=",
                                 std::move(right_args)));
  auto predicate =
      exec::Expression::Make(exec::ExpressionKind::kAnd, TypeId::kBoolean, std::move(compare));
  builder.open.transforms.push_back(std::make_unique<exec::FilterOperator>(
      std::make_shared<core::Schema>(fields), std::move(predicate)));
  std::vector<ExpressionPtr> values;
  for (size_t i = 0; i < types.size(); ++i) values.push_back(exec::Expression::Column(i, types[i]));
  builder.scope = Scope(columns);
  builder.open.transforms.push_back(
      std::make_unique<exec::ProjectionOperator>(builder.Schema(), std::move(values)));
}

}  // namespace sluice::planner
