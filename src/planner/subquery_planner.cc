// Subqueries used as expressions. An uncorrelated one runs once, while the outer query is
// planned, and becomes a constant (IN: a list of constants). A correlated one becomes a row
// function that plans and runs the subquery with the outer row's values, memoized by them.

#include <exception>
#include <map>
#include <mutex>
#include <unordered_set>

#include <fmt/format.h>

#include "base/error.h"
#include "exec/exchange.h"
#include "exec/pipeline.h"
#include "planner/query_planner.h"

namespace sluice::planner {

using core::TypeId;
using core::Value;
using ExpressionPtr = std::unique_ptr<exec::Expression>;

namespace {

enum class SubqueryMode { kScalar, kExists, kIn };

const sql::QueryNode& QueryOf(const sql::Expr& expr) {
  switch (expr.kind) {
    case sql::ExprKind::kSubquery:
      return *expr.As<sql::SubqueryExpr>().subquery;
    case sql::ExprKind::kExists:
      return *expr.As<sql::ExistsExpr>().subquery;
    default:
      return *expr.As<sql::InSubqueryExpr>().subquery;
  }
}

SubqueryMode ModeOf(const sql::Expr& expr) {
  if (expr.kind == sql::ExprKind::kSubquery) return SubqueryMode::kScalar;
  return expr.kind == sql::ExprKind::kExists ? SubqueryMode::kExists : SubqueryMode::kIn;
}

// Returns the single column's values of a subquery's result, checking its shape.
std::vector<Value> ColumnValues(const QueryPlan& plan, const std::vector<core::Batch>& batches,
                                SubqueryMode mode, const sql::Expr& at) {
  if (mode != SubqueryMode::kExists && plan.visible_columns != 1) {
    Throw<UserError>("{}", AtLocation(fmt::format("subquery must return only one column, not {}",
                                                  plan.visible_columns),
                                      at));
  }
  std::vector<Value> values;
  for (const core::Batch& batch : batches) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      values.push_back(mode == SubqueryMode::kExists ? Value::Boolean(true)
                                                     : batch.GetValue(0, row));
      if (mode == SubqueryMode::kExists) return values;
    }
  }
  if (mode == SubqueryMode::kScalar && values.size() > 1) {
    throw DataError(
        AtLocation("more than one row returned by a subquery used as an expression", at));
  }
  return values;
}

// Returns `probe IN (values)` with SQL's NULL rules: true on a match, else NULL when the probe
// or some value is NULL, else false.
Value InValues(const Value& probe, const std::vector<Value>& values) {
  if (values.empty()) return Value::Boolean(false);
  if (probe.is_null()) return Value::Null(TypeId::kBoolean);
  bool saw_null = false;
  for (const Value& value : values) {
    if (value.is_null()) {
      saw_null = true;
      continue;
    }
    TypeId type = core::IsNumeric(probe.type()) && core::IsNumeric(value.type()) ? TypeId::kDouble
                                                                                 : value.type();
    if (probe.CastTo(type) == value.CastTo(type)) return Value::Boolean(true);
  }
  return saw_null ? Value::Null(TypeId::kBoolean) : Value::Boolean(false);
}

Value Reduce(const std::vector<Value>& values, SubqueryMode mode, TypeId type, const Value* probe) {
  switch (mode) {
    case SubqueryMode::kScalar:
      return values.empty() ? Value::Null(type) : values[0];
    case SubqueryMode::kExists:
      return Value::Boolean(!values.empty());
    case SubqueryMode::kIn:
      return InValues(*probe, values);
  }
  return Value::Null(type);
}

// Returns a key equal for values SQL compares equal (numbers of any type by their value).
std::string ComparisonKey(const Value& value) {
  if (core::IsNumeric(value.type()))
    return "n" + core::FormatDouble(value.CastTo(TypeId::kDouble).GetDouble());
  return std::string(core::TypeName(value.type())) + ":" + value.ToString();
}

// Tests membership in the result of an uncorrelated IN subquery, run once.
class InValuesFunction final : public exec::RowFunction {
 public:
  explicit InValuesFunction(const std::vector<Value>& values) : empty_(values.empty()) {
    for (const Value& value : values) {
      if (value.is_null()) {
        has_null_ = true;
      } else {
        keys_.insert(ComparisonKey(value));
      }
    }
  }
  Value Evaluate(const std::vector<Value>& arguments) const override {
    const Value& probe = arguments[0];
    if (empty_) return Value::Boolean(false);
    if (probe.is_null()) return Value::Null(TypeId::kBoolean);
    if (keys_.contains(ComparisonKey(probe))) return Value::Boolean(true);
    return has_null_ ? Value::Null(TypeId::kBoolean) : Value::Boolean(false);
  }
  std::string ToString() const override { return "IN_SUBQUERY"; }

 private:
  bool empty_;
  bool has_null_ = false;
  std::unordered_set<std::string> keys_;
};

// Plans and runs a correlated subquery for each distinct set of outer values.
class CorrelatedSubquery final : public exec::RowFunction {
 public:
  CorrelatedSubquery(const Catalog& catalog, const sql::Expr& expr, Scope outer_scope,
                     std::vector<size_t> used, std::shared_ptr<const OuterReferences> parent,
                     TypeId type)
      : catalog_(catalog),
        expr_(expr),
        outer_scope_(std::move(outer_scope)),
        used_(std::move(used)),
        parent_(std::move(parent)),
        type_(type) {}

  Value Evaluate(const std::vector<Value>& arguments) const override {
    std::string key;
    for (const Value& argument : arguments) key += argument.ToString() + '\x1f';
    {
      std::lock_guard lock(mutex_);
      if (auto found = memo_.find(key); found != memo_.end()) return found->second;
    }
    std::vector<Value> row(outer_scope_.columns().size(), Value::Null(TypeId::kInteger));
    for (size_t i = 0; i < used_.size(); ++i) row[used_[i]] = arguments[i];
    auto outer = std::make_shared<OuterReferences>(outer_scope_, std::move(row), parent_);
    QueryPlan plan = QueryPlanner(catalog_, outer).Plan(QueryOf(expr_));
    std::vector<core::Batch> batches = ExecutePlan(plan);
    SubqueryMode mode = ModeOf(expr_);
    const Value* probe = mode == SubqueryMode::kIn ? &arguments.back() : nullptr;
    Value result = Reduce(ColumnValues(plan, batches, mode, expr_), mode, type_, probe);
    std::lock_guard lock(mutex_);
    memo_.emplace(std::move(key), result);
    return result;
  }
  std::string ToString() const override { return "SUBQUERY"; }

 private:
  const Catalog& catalog_;
  const sql::Expr& expr_;
  Scope outer_scope_;
  std::vector<size_t> used_;
  std::shared_ptr<const OuterReferences> parent_;
  TypeId type_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, Value> memo_;
};

}  // namespace

namespace {

// Runs the pipelines in order. With several ranks, a rank whose pipeline fails skips to the
// next exchange, where every rank learns of the failure and throws (see AgreeOnFailure).
void RunPipelines(QueryPlan& plan) {
  std::exception_ptr failure;
  for (auto& pipeline : plan.pipelines) {
    auto* exchange = plan.communicator == nullptr
                         ? nullptr
                         : dynamic_cast<exec::ExchangeSink*>(pipeline.sink.get());
    if (failure) {
      if (exchange) exchange->Abandon(failure);
      continue;
    }
    if (plan.communicator == nullptr) {
      exec::RunPipeline(pipeline);
      continue;
    }
    try {
      exec::RunPipeline(pipeline);
    } catch (...) {
      if (exchange && exchange->agreeing()) throw;  // every rank throws at this exchange
      failure = std::current_exception();
      if (exchange) exchange->Abandon(failure);
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::vector<core::Batch> ExecutePlan(QueryPlan& plan, exec::MemoryTracker* memory) {
  for (auto& pipeline : plan.pipelines) {
    pipeline.source->set_memory_tracker(memory);
    for (auto& transform : pipeline.transforms) transform->set_memory_tracker(memory);
    pipeline.sink->set_memory_tracker(memory);
  }
  RunPipelines(plan);
  std::vector<core::Batch> batches = plan.pipelines.back().sink->TakeOutput();
  auto schema = std::make_shared<core::Schema>(std::vector<core::Field>(
      plan.schema->fields().begin(), plan.schema->fields().begin() + plan.visible_columns));
  std::vector<core::Batch> visible;
  for (core::Batch& batch : batches) {
    if (batch.num_rows() == 0) continue;
    if (batch.num_columns() == plan.visible_columns) {
      visible.push_back(std::move(batch));
      continue;
    }
    visible.push_back(batch.Share(schema));
  }
  return visible;
}

ExpressionPtr QueryPlanner::BindSubquery(const sql::Expr& expr, const ExpressionBinder& binder) {
  SubqueryMode mode = ModeOf(expr);
  auto collect = std::make_shared<OuterReferences>(binder.scope(), std::vector<Value>{}, outer_);
  QueryPlanner inner(catalog_, collect);
  inner.ctes_ = ctes_;
  QueryPlan plan = inner.Plan(QueryOf(expr));
  TypeId type = mode == SubqueryMode::kScalar ? plan.schema->field(0).type : TypeId::kBoolean;
  ExpressionPtr probe;
  if (mode == SubqueryMode::kIn) probe = binder.Bind(*expr.As<sql::InSubqueryExpr>().value);
  bool negated = mode == SubqueryMode::kIn && expr.As<sql::InSubqueryExpr>().negated;
  ExpressionPtr result;
  if (collect->used().empty()) {
    std::vector<Value> values = ColumnValues(plan, ExecutePlan(plan), mode, expr);
    if (mode != SubqueryMode::kIn)
      return exec::Expression::Constant(Reduce(values, mode, type, nullptr));
    auto function = std::make_shared<InValuesFunction>(values);
    std::vector<ExpressionPtr> children;
    children.push_back(std::move(probe));
    result = exec::Expression::Row(function, TypeId::kBoolean, std::move(children));
  } else {
    std::vector<ExpressionPtr> children;
    for (size_t index : collect->used()) {
      children.push_back(exec::Expression::Column(index, binder.scope().columns()[index].type));
    }
    if (probe) children.push_back(std::move(probe));
    auto function = std::make_shared<CorrelatedSubquery>(catalog_, expr, binder.scope(),
                                                         collect->used(), outer_, type);
    result = exec::Expression::Row(function, type, std::move(children));
  }
  if (!negated) return result;
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(result));
  return exec::Expression::Make(exec::ExpressionKind::kNot, TypeId::kBoolean, std::move(children));
}

}  // namespace sluice::planner
