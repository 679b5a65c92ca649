// The clauses of a SELECT after FROM and WHERE: aggregation, the select list, ORDER BY, LIMIT.

#include <fmt/format.h>

#include "base/error.h"
#include "exec/aggregate_function.h"
#include "exec/collect_operators.h"
#include "exec/hash_aggregate.h"
#include "exec/transform_operators.h"
#include "planner/expression_binder.h"
#include "planner/plan_builder.h"
#include "planner/query_planner.h"
#include "sql/to_sql.h"

namespace sluice::planner {

using core::TypeId;
using ExpressionPtr = std::unique_ptr<exec::Expression>;

namespace {

std::optional<uint64_t> ConstantCount(const sql::Expr* expr, const char* clause) {
  if (expr == nullptr) return std::nullopt;
  Scope empty;
  auto bound = ExpressionBinder(empty).BindAs(*expr, TypeId::kBigint);
  if (bound->kind != exec::ExpressionKind::kConstant || bound->constant.is_null() ||
      bound->constant.GetInt64() < 0) {
    Throw<UserError>(
        "{}", AtLocation(std::string(clause) + " must be a non-negative integer constant", *expr));
  }
  return static_cast<uint64_t>(bound->constant.GetInt64());
}

// Collects the aggregate calls in `expr`, not looking inside them.
void CollectAggregates(const sql::Expr& expr, std::vector<const sql::FunctionExpr*>& out) {
  if (IsAggregateCall(expr)) {
    out.push_back(&expr.As<sql::FunctionExpr>());
    return;
  }
  sql::ForEachChild(expr, [&](const sql::Expr& child) { CollectAggregates(child, out); });
}

// Returns the select item an ordinal (`GROUP BY 1`) or an alias names, else `expr` itself.
const sql::Expr& ResolveGroupItem(const sql::Expr& expr, const sql::SelectNode& select,
                                  const Scope& scope) {
  if (expr.kind == sql::ExprKind::kLiteral) {
    const auto& literal = expr.As<sql::LiteralExpr>();
    if (literal.literal_kind == sql::LiteralKind::kInteger) {
      if (literal.integer_value < 1 || literal.integer_value > int64_t(select.select_list.size())) {
        Throw<UserError>("{}",
                         AtLocation(fmt::format("GROUP BY position {} is not in the select list",
                                                literal.integer_value),
                                    expr));
      }
      return *select.select_list[literal.integer_value - 1].expr;
    }
  }
  if (expr.kind == sql::ExprKind::kColumnRef) {
    const auto& name = expr.As<sql::ColumnRefExpr>().column();
    if (!scope.Find(name)) {
      for (const auto& item : select.select_list) {
        if (item.alias == name) return *item.expr;
      }
    }
  }
  return expr;
}

// Returns the name of an unaliased select item: a column keeps the name it has in its table
// ("Name" even when written name), anything else is named by its SQL text.
std::string OutputName(const sql::Expr& expr, const exec::Expression& bound, const Scope& scope) {
  if (expr.kind == sql::ExprKind::kColumnRef && bound.kind == exec::ExpressionKind::kColumn &&
      bound.column < scope.columns().size() && scope.columns()[bound.column].name[0] != '#') {
    return scope.columns()[bound.column].name;
  }
  return sql::DefaultColumnName(expr);
}

struct BoundAggregate {
  const exec::AggregateFunction* function;
  std::vector<ExpressionPtr> arguments;  // cast to the function's argument types
};

// Returns the aggregate function that computes `call` named `name` with its DISTINCT and ORDER
// BY: count/sum/avg(DISTINCT x) and string_agg(DISTINCT x, s) have functions of their own;
// string_agg(x, s ORDER BY x [DESC]) sorts its values; DISTINCT changes nothing for min, max and
// the like. Throws UserError for the others rather than ignore what they ask.
std::string AggregateName(const sql::FunctionExpr& call, std::string name) {
  if (!call.order_by.empty()) {
    bool by_value = name == "string_agg" && call.order_by.size() == 1 && !call.args.empty() &&
                    sql::ToSql(*call.order_by[0].expr) == sql::ToSql(*call.args[0]);
    if (!by_value) {
      Throw<UserError>("{}", AtLocation("ORDER BY inside an aggregate is supported only for "
                                        "string_agg ordered by the aggregated value",
                                        call));
    }
    bool descending = call.order_by[0].direction == sql::OrderDirection::kDescending;
    return name + (call.distinct ? "_distinct" : "_sorted") + (descending ? "_desc" : "");
  }
  if (!call.distinct) return name;
  for (const char* own : {"count", "sum", "avg", "string_agg"}) {
    if (name == own) return name + "_distinct";
  }
  for (const char* same :
       {"min", "max", "bool_and", "bool_or", "any_value", "approx_count_distinct"}) {
    if (name == same) return name;
  }
  Throw<UserError>("{}", AtLocation("DISTINCT is not supported in " + name + "() yet", call));
}

// Binds an aggregate call: count(*) is count_star; count/sum/avg(DISTINCT x) have their own
// functions; FILTER (WHERE c) turns each argument into CASE WHEN c THEN x END, whose NULLs
// the aggregate skips.
BoundAggregate BindAggregate(const sql::FunctionExpr& call, const ExpressionBinder& input) {
  std::string name = call.star ? "count_star" : call.name.back();
  std::vector<ExpressionPtr> bound;
  for (const auto& argument : call.args) {
    if (ContainsAggregate(*argument)) {
      Throw<UserError>("{}", AtLocation("aggregate calls cannot be nested", *argument));
    }
    bound.push_back(input.Bind(*argument));
  }
  if (call.filter) {
    if (call.star) {
      name = "count";
      bound.push_back(exec::Expression::Constant(core::Value::Integer(1)));
    }
    for (auto& argument : bound) {
      std::vector<ExpressionPtr> arms;
      arms.push_back(input.BindAs(*call.filter, TypeId::kBoolean));
      TypeId type = argument->type;
      arms.push_back(std::move(argument));
      argument = exec::Expression::Make(exec::ExpressionKind::kCase, type, std::move(arms));
    }
  }
  name = AggregateName(call, std::move(name));
  std::vector<std::optional<TypeId>> types;
  for (const auto& argument : bound) types.push_back(argument->type);
  const auto* function = exec::AggregateFunctionRegistry::BuiltIn().Resolve(name, types);
  if (function == nullptr) {
    Throw<UserError>("{}",
                     AtLocation("no aggregate " + name + "() matches the argument types", call));
  }
  for (size_t i = 0; i < bound.size(); ++i) {
    if (bound[i]->type != function->arguments[i]) {
      bound[i] = exec::Expression::Cast(std::move(bound[i]), function->arguments[i]);
    }
  }
  return {function, std::move(bound)};
}

}  // namespace

void QueryPlanner::PlanAggregate(const sql::SelectNode& select, Builder& builder) {
  const Scope input_scope = builder.scope;
  std::vector<const sql::Expr*> groups;
  if (select.group_by_all) {
    for (const auto& item : select.select_list) {
      if (!ContainsAggregate(*item.expr)) groups.push_back(item.expr.get());
    }
  }
  for (const auto& group : select.group_by)
    groups.push_back(&ResolveGroupItem(*group, select, builder.scope));
  std::vector<const sql::FunctionExpr*> calls;
  for (const auto& item : select.select_list) CollectAggregates(*item.expr, calls);
  if (select.having) CollectAggregates(*select.having, calls);
  for (const auto& order : select.order_by) CollectAggregates(*order.expr, calls);

  ExpressionBinder input(builder.scope, nullptr, Context());
  std::vector<ExpressionPtr> projected;
  std::vector<core::Field> output;
  std::vector<std::string> group_names;
  for (size_t k = 0; k < groups.size(); ++k) {
    projected.push_back(input.Bind(*groups[k]));
    group_names.push_back(sql::DefaultColumnName(*groups[k]));
    output.push_back({group_names.back(), projected.back()->type});
  }
  std::vector<const exec::AggregateFunction*> functions;
  std::vector<std::vector<size_t>> arguments;
  std::vector<std::string> call_names;
  for (const sql::FunctionExpr* call : calls) {
    BoundAggregate bound = BindAggregate(*call, input);
    auto& columns = arguments.emplace_back();
    for (auto& argument : bound.arguments) {
      columns.push_back(projected.size());
      projected.push_back(std::move(argument));
    }
    const exec::AggregateFunction* function = bound.function;
    functions.push_back(function);
    call_names.push_back(sql::DefaultColumnName(*call));
  }
  std::vector<core::Field> projected_fields;
  for (size_t i = 0; i < projected.size(); ++i) {
    projected_fields.push_back({"#" + std::to_string(i), projected[i]->type});
  }
  builder.open.transforms.push_back(std::make_unique<exec::ProjectionOperator>(
      std::make_shared<core::Schema>(projected_fields), std::move(projected)));
  std::vector<ScopeColumn> scope;
  for (size_t k = 0; k < groups.size(); ++k)
    scope.push_back({"", "#group" + std::to_string(k), output[k].type});
  for (size_t a = 0; a < functions.size(); ++a) {
    output.push_back({call_names[a], functions[a]->result});
    scope.push_back({"", "#aggregate" + std::to_string(a), functions[a]->result});
  }
  PlanHashAggregate(builder, std::make_shared<core::Schema>(output), groups.size(), functions,
                    std::move(arguments));
  builder.scope = Scope(scope);
  size_t num_groups = groups.size();
  builder.replacement = [groups, group_names, calls, num_groups, scope,
                         input_scope](const sql::Expr& expr) -> ExpressionPtr {
    std::string name = sql::DefaultColumnName(expr);
    for (size_t k = 0; k < groups.size(); ++k) {
      if (groups[k] == &expr || group_names[k] == name) {
        return exec::Expression::Column(k, scope[k].type);
      }
    }
    for (size_t a = 0; a < calls.size(); ++a) {
      if (calls[a] == &expr)
        return exec::Expression::Column(num_groups + a, scope[num_groups + a].type);
    }
    // A name that is no input column (an outer column, current_date) binds as usual.
    if (expr.kind == sql::ExprKind::kColumnRef &&
        input_scope.TryResolve(expr.As<sql::ColumnRefExpr>())) {
      Throw<UserError>("{}",
                       AtLocation("column \"" + name +
                                      "\" must appear in the GROUP BY clause or be used in an "
                                      "aggregate function",
                                  expr));
    }
    return nullptr;
  };
  if (select.having) {
    auto predicate = ExpressionBinder(builder.scope, builder.replacement, Context())
                         .BindAs(*select.having, TypeId::kBoolean);
    builder.open.transforms.push_back(
        std::make_unique<exec::FilterOperator>(builder.Schema(), std::move(predicate)));
  }
}

size_t QueryPlanner::OrderColumn(const sql::OrderByItem& item, const sql::SelectNode* select,
                                 Builder& builder, std::vector<ExpressionPtr>& hidden,
                                 const ExpressionBinder* binder) {
  const sql::Expr& expr = *item.expr;
  if (expr.kind == sql::ExprKind::kLiteral &&
      expr.As<sql::LiteralExpr>().literal_kind == sql::LiteralKind::kInteger) {
    int64_t position = expr.As<sql::LiteralExpr>().integer_value;
    if (position < 1 || position > int64_t(builder.visible)) {
      Throw<UserError>(
          "{}", AtLocation(fmt::format("ORDER BY position {} is not in the select list", position),
                           expr));
    }
    return position - 1;
  }
  std::string name = sql::DefaultColumnName(expr);
  for (size_t i = 0; i < builder.visible; ++i) {
    if (builder.names[i] == name) return i;
  }
  if (select != nullptr) {
    for (size_t i = 0; i < select->select_list.size() && i < builder.visible; ++i) {
      if (sql::DefaultColumnName(*select->select_list[i].expr) == name) return i;
    }
  }
  if (binder == nullptr) {
    Throw<UserError>("{}", AtLocation("ORDER BY \"" + name + "\" is not an output column", expr));
  }
  hidden.push_back(binder->Bind(expr));
  return builder.visible + hidden.size() - 1;
}

void QueryPlanner::PlanProjection(const sql::SelectNode& select, Builder& builder) {
  ExpressionBinder binder(builder.scope, builder.replacement, Context());
  std::vector<ExpressionPtr> expressions;
  std::vector<std::string> names;
  std::vector<bool> untyped;
  for (const auto& item : select.select_list) {
    if (item.expr->kind == sql::ExprKind::kStar) {
      if (builder.replacement)
        Throw<UserError>("{}", AtLocation("SELECT * cannot be used with GROUP BY", *item.expr));
      const auto& qualifier = item.expr->As<sql::StarExpr>().qualifier;
      for (size_t i = 0; i < builder.scope.columns().size(); ++i) {
        const ScopeColumn& column = builder.scope.columns()[i];
        if (column.hidden || (!qualifier.empty() && column.table != qualifier.back())) continue;
        expressions.push_back(exec::Expression::Column(i, column.type));
        names.push_back(column.name);
      }
      continue;
    }
    expressions.push_back(binder.Bind(*item.expr));
    names.push_back(item.alias.empty() ? OutputName(*item.expr, *expressions.back(), builder.scope)
                                       : item.alias);
    untyped.resize(names.size() - 1);
    untyped.push_back(item.expr->kind == sql::ExprKind::kLiteral &&
                      item.expr->As<sql::LiteralExpr>().literal_kind == sql::LiteralKind::kNull);
  }
  untyped.resize(names.size());
  builder.untyped_null = untyped;
  builder.names = names;
  builder.visible = names.size();
  std::vector<ExpressionPtr> hidden;
  builder.order_keys.clear();
  for (const auto& item : select.order_by) {
    bool distinct = select.distinct != sql::DistinctKind::kAll;
    size_t column = OrderColumn(item, &select, builder, hidden, distinct ? nullptr : &binder);
    builder.order_keys.push_back({column, item.direction == sql::OrderDirection::kDescending,
                                  item.nulls == sql::NullsOrder::kDefault
                                      ? item.direction == sql::OrderDirection::kDescending
                                      : item.nulls == sql::NullsOrder::kFirst});
  }
  for (size_t i = 0; i < hidden.size(); ++i) names.push_back("#order" + std::to_string(i));
  for (auto& expression : hidden) expressions.push_back(std::move(expression));
  std::vector<ScopeColumn> columns;
  for (size_t i = 0; i < expressions.size(); ++i)
    columns.push_back({"", names[i], expressions[i]->type});
  builder.scope = Scope(std::move(columns));
  builder.open.transforms.push_back(
      std::make_unique<exec::ProjectionOperator>(builder.Schema(), std::move(expressions)));
  builder.replacement = nullptr;
  builder.order_planned = true;
}

void QueryPlanner::PlanOrderAndLimit(const sql::QueryNode& query, Builder& builder) {
  auto limit = ConstantCount(query.limit.get(), "LIMIT");
  uint64_t offset = ConstantCount(query.offset.get(), "OFFSET").value_or(0);
  if (!builder.order_planned) {
    std::vector<ExpressionPtr> none;
    builder.order_keys.clear();
    for (const auto& item : query.order_by) {
      size_t column = OrderColumn(item, nullptr, builder, none, nullptr);
      bool descending = item.direction == sql::OrderDirection::kDescending;
      builder.order_keys.push_back({column, descending,
                                    item.nulls == sql::NullsOrder::kDefault
                                        ? descending
                                        : item.nulls == sql::NullsOrder::kFirst});
    }
  }
  builder.order_planned = false;
  if (!builder.order_keys.empty()) {
    PlanSort(builder, limit, offset, &query == gathered_query_);
  } else if (limit || offset > 0) {
    GatherRows(builder, false);
    builder.Break(std::make_unique<exec::CollectSink>(builder.Schema(), limit, offset), "limited");
  }
}

}  // namespace sluice::planner
