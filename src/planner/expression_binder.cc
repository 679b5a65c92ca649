#include "planner/expression_binder.h"

#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "core/datetime.h"
#include "core/interval.h"
#include "exec/aggregate_function.h"
#include "exec/expression_evaluator.h"
#include "planner/outer_references.h"

namespace sluice::planner {
namespace {

using core::TypeId;
using exec::Expression;
using exec::ExpressionKind;
using ExpressionPtr = std::unique_ptr<Expression>;

std::string_view OperatorFunction(sql::BinaryOp op) {
  switch (op) {
    case sql::BinaryOp::kAdd:
      return "+";
    case sql::BinaryOp::kSubtract:
      return "-";
    case sql::BinaryOp::kMultiply:
      return "*";
    case sql::BinaryOp::kDivide:
      return "/";
    case sql::BinaryOp::kModulo:
      return "%";
    case sql::BinaryOp::kPower:
      return "pow";
    case sql::BinaryOp::kConcat:
      return "||";
    case sql::BinaryOp::kEqual:
      return "=";
    case sql::BinaryOp::kNotEqual:
      return "<>";
    case sql::BinaryOp::kLess:
      return "<";
    case sql::BinaryOp::kLessEqual:
      return "<=";
    case sql::BinaryOp::kGreater:
      return ">";
    case sql::BinaryOp::kGreaterEqual:
      return ">=";
    case sql::BinaryOp::kIsDistinctFrom:
      return "is_distinct_from";
    case sql::BinaryOp::kIsNotDistinctFrom:
      return "is_not_distinct_from";
    case sql::BinaryOp::kLike:
    case sql::BinaryOp::kNotLike:
      return "like";
    case sql::BinaryOp::kILike:
    case sql::BinaryOp::kNotILike:
      return "ilike";
    case sql::BinaryOp::kAnd:
    case sql::BinaryOp::kOr:
      break;
  }
  return "";
}

bool IsIntervalLiteral(const sql::Expr& expr) {
  return expr.kind == sql::ExprKind::kTypedLiteral &&
         expr.As<sql::TypedLiteralExpr>().type.name == "INTERVAL";
}

// Returns true when some overload of scalar function `name` takes these arguments as they are.
bool Resolves(std::string_view name, const std::vector<ExpressionPtr>& arguments,
              const std::vector<bool>& untyped_null) {
  std::vector<std::optional<TypeId>> types;
  for (size_t i = 0; i < arguments.size(); ++i) {
    types.push_back(untyped_null[i] ? std::nullopt : std::optional(arguments[i]->type));
  }
  return exec::ScalarFunctionRegistry::BuiltIn().Resolve(name, types) != nullptr;
}

bool IsStringLiteral(const sql::Expr& expr) {
  return expr.kind == sql::ExprKind::kLiteral &&
         expr.As<sql::LiteralExpr>().literal_kind == sql::LiteralKind::kString;
}

bool IsUntypedNull(const sql::Expr& expr) {
  return expr.kind == sql::ExprKind::kLiteral &&
         expr.As<sql::LiteralExpr>().literal_kind == sql::LiteralKind::kNull;
}

ExpressionPtr CastTo(ExpressionPtr expression, TypeId type) {
  if (expression->type == type) return expression;
  if (expression->kind == ExpressionKind::kConstant) {
    return Expression::Constant(expression->constant.CastTo(type));
  }
  return Expression::Cast(std::move(expression), type);
}

TypeId TypeOf(const sql::TypeName& name, const sql::Expr& at) {
  auto type = core::TypeFromName(name.name);
  if (!type) Throw<UserError>("{}", AtLocation("type \"" + name.name + "\" does not exist", at));
  return *type;
}

// Returns a deterministic call over constants as its value, computed once while planning. A
// call that fails (1 / 0) stays a call: the error belongs to the rows that reach it.
ExpressionPtr FoldConstants(ExpressionPtr call) {
  if (!call->function->deterministic) return call;
  for (const auto& child : call->children) {
    if (child->kind != ExpressionKind::kConstant) return call;
  }
  core::Batch one_row(std::make_shared<core::Schema>(), 1);
  one_row.SetNumRows(1);
  core::Vector result(call->type, 1);
  try {
    exec::ExpressionEvaluator().Evaluate(*call, one_row, result);
  } catch (const DataError&) {
    return call;
  }
  return Expression::Constant(result.GetValue(0));
}

}  // namespace

std::string AtLocation(const std::string& message, const sql::Expr& at) {
  return fmt::format("{} at line {}, column {}", message, at.location.line, at.location.column);
}

void SplitConjuncts(const sql::Expr& expr, std::vector<const sql::Expr*>& out) {
  if (expr.kind == sql::ExprKind::kBinary && expr.As<sql::BinaryExpr>().op == sql::BinaryOp::kAnd) {
    SplitConjuncts(*expr.As<sql::BinaryExpr>().left, out);
    SplitConjuncts(*expr.As<sql::BinaryExpr>().right, out);
    return;
  }
  out.push_back(&expr);
}

bool IsAggregateCall(const sql::Expr& expr) {
  if (expr.kind != sql::ExprKind::kFunction) return false;
  const auto& function = expr.As<sql::FunctionExpr>();
  if (function.over != nullptr || function.name.size() != 1) return false;
  return function.star || exec::AggregateFunctionRegistry::BuiltIn().Contains(function.name[0]);
}

bool ContainsWindowCall(const sql::Expr& expr) {
  if (expr.kind == sql::ExprKind::kFunction && expr.As<sql::FunctionExpr>().over) return true;
  bool found = false;
  sql::ForEachChild(expr,
                    [&](const sql::Expr& child) { found = found || ContainsWindowCall(child); });
  return found;
}

bool ContainsAggregate(const sql::Expr& expr) {
  if (IsAggregateCall(expr)) return true;
  bool found = false;
  sql::ForEachChild(expr,
                    [&](const sql::Expr& child) { found = found || ContainsAggregate(child); });
  return found;
}

ExpressionPtr ExpressionBinder::Bind(const sql::Expr& expr) const {
  if (replacement_) {
    if (auto replaced = replacement_(expr)) return replaced;
  }
  return BindNode(expr);
}

ExpressionPtr ExpressionBinder::BindAs(const sql::Expr& expr, TypeId type) const {
  return CastTo(Bind(expr), type);
}

ExpressionPtr ExpressionBinder::BindNode(const sql::Expr& expr) const {
  switch (expr.kind) {
    case sql::ExprKind::kLiteral:
      return BindLiteral(expr.As<sql::LiteralExpr>());
    case sql::ExprKind::kColumnRef: {
      const auto& reference = expr.As<sql::ColumnRefExpr>();
      if (auto index = scope_.TryResolve(reference)) {
        return Expression::Column(*index, scope_.columns()[*index].type);
      }
      if (context_.outer != nullptr) {
        if (auto outer = context_.outer->Resolve(reference)) return outer;
      }
      // SQL's niladic functions are written without parentheses.
      static const std::set<std::string> kNiladic = {"current_date", "current_timestamp", "now"};
      if (reference.names.size() == 1 && kNiladic.contains(reference.column())) {
        return CallBound(reference.column(), expr, {}, {});
      }
      scope_.Resolve(reference);  // throws, with a suggestion
      break;
    }
    case sql::ExprKind::kSubquery:
    case sql::ExprKind::kExists:
    case sql::ExprKind::kInSubquery:
      if (context_.subqueries == nullptr) {
        Throw<UserError>("{}", AtLocation("subqueries are not allowed here", expr));
      }
      return context_.subqueries->BindSubquery(expr, *this);
    case sql::ExprKind::kTypedLiteral: {
      const auto& literal = expr.As<sql::TypedLiteralExpr>();
      if (IsIntervalLiteral(expr)) {
        Throw<UserError>("{}", AtLocation("intervals can only be added to or subtracted from a "
                                          "DATE or TIMESTAMP for now",
                                          expr));
      }
      TypeId type = TypeOf(literal.type, expr);
      try {
        return Expression::Constant(core::Value::Varchar(literal.value).CastTo(type));
      } catch (const DataError& error) {
        Throw<UserError>("{}", AtLocation(error.what(), expr));
      }
    }
    case sql::ExprKind::kUnary: {
      const auto& unary = expr.As<sql::UnaryExpr>();
      if (unary.op == sql::UnaryOp::kPlus) return Bind(*unary.operand);
      if (unary.op == sql::UnaryOp::kNegate) return Call("negate", expr, {unary.operand.get()});
      std::vector<ExpressionPtr> children;
      children.push_back(BindAs(*unary.operand, TypeId::kBoolean));
      return Expression::Make(ExpressionKind::kNot, TypeId::kBoolean, std::move(children));
    }
    case sql::ExprKind::kBinary:
      return BindBinary(expr.As<sql::BinaryExpr>());
    case sql::ExprKind::kIsNull: {
      const auto& is_null = expr.As<sql::IsNullExpr>();
      std::vector<ExpressionPtr> children;
      children.push_back(Bind(*is_null.operand));
      auto test = Expression::Make(ExpressionKind::kIsNull, TypeId::kBoolean, std::move(children));
      if (!is_null.negated) return test;
      children.clear();
      children.push_back(std::move(test));
      return Expression::Make(ExpressionKind::kNot, TypeId::kBoolean, std::move(children));
    }
    case sql::ExprKind::kBetween: {
      const auto& between = expr.As<sql::BetweenExpr>();
      std::vector<ExpressionPtr> children;
      children.push_back(Call(">=", expr, {between.value.get(), between.low.get()}));
      children.push_back(Call("<=", expr, {between.value.get(), between.high.get()}));
      auto test = Expression::Make(ExpressionKind::kAnd, TypeId::kBoolean, std::move(children));
      if (!between.negated) return test;
      children.clear();
      children.push_back(std::move(test));
      return Expression::Make(ExpressionKind::kNot, TypeId::kBoolean, std::move(children));
    }
    case sql::ExprKind::kInList:
      return BindIn(expr.As<sql::InListExpr>());
    case sql::ExprKind::kCase:
      return BindCase(expr.As<sql::CaseExpr>());
    case sql::ExprKind::kCast: {
      const auto& cast = expr.As<sql::CastExpr>();
      return CastTo(Bind(*cast.operand), TypeOf(cast.type, expr));
    }
    case sql::ExprKind::kFunction:
      return BindFunction(expr.As<sql::FunctionExpr>());
    default:
      break;
  }
  Throw<UserError>("{}", AtLocation("this kind of expression is not supported yet", expr));
}

ExpressionPtr ExpressionBinder::BindLiteral(const sql::LiteralExpr& literal) const {
  switch (literal.literal_kind) {
    case sql::LiteralKind::kNull:
      return Expression::Constant(core::Value::Null(TypeId::kInteger));
    case sql::LiteralKind::kBoolean:
      return Expression::Constant(core::Value::Boolean(literal.boolean_value));
    case sql::LiteralKind::kInteger: {
      int64_t value = literal.integer_value;
      if (value >= INT32_MIN && value <= INT32_MAX) {
        return Expression::Constant(core::Value::Integer(static_cast<int32_t>(value)));
      }
      return Expression::Constant(core::Value::Bigint(value));
    }
    case sql::LiteralKind::kDouble:
      return Expression::Constant(core::Value::Double(literal.double_value));
    case sql::LiteralKind::kString:
      return Expression::Constant(core::Value::Varchar(literal.text));
  }
  throw InternalError("unknown literal kind");
}

ExpressionPtr ExpressionBinder::BindBinary(const sql::BinaryExpr& binary) const {
  if (binary.op == sql::BinaryOp::kAnd || binary.op == sql::BinaryOp::kOr) {
    std::vector<ExpressionPtr> children;
    children.push_back(BindAs(*binary.left, TypeId::kBoolean));
    children.push_back(BindAs(*binary.right, TypeId::kBoolean));
    auto kind = binary.op == sql::BinaryOp::kAnd ? ExpressionKind::kAnd : ExpressionKind::kOr;
    return Expression::Make(kind, TypeId::kBoolean, std::move(children));
  }
  if (auto shifted = BindIntervalArithmetic(binary)) return shifted;
  auto call = Call(OperatorFunction(binary.op), binary, {binary.left.get(), binary.right.get()});
  if (binary.op != sql::BinaryOp::kNotLike && binary.op != sql::BinaryOp::kNotILike) return call;
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(call));
  return Expression::Make(ExpressionKind::kNot, TypeId::kBoolean, std::move(children));
}

ExpressionPtr ExpressionBinder::BindIntervalArithmetic(const sql::BinaryExpr& binary) const {
  bool add = binary.op == sql::BinaryOp::kAdd, subtract = binary.op == sql::BinaryOp::kSubtract;
  const sql::Expr* interval = IsIntervalLiteral(*binary.right) ? binary.right.get() : nullptr;
  const sql::Expr* value = binary.left.get();
  if (interval == nullptr && add && IsIntervalLiteral(*binary.left)) {
    interval = binary.left.get();
    value = binary.right.get();
  }
  if (interval == nullptr || !(add || subtract)) return nullptr;
  const auto& literal = interval->As<sql::TypedLiteralExpr>();
  auto parsed = core::ParseInterval(literal.value, literal.unit);
  if (!parsed) {
    Throw<UserError>("{}", AtLocation("invalid interval '" + literal.value + "'", *interval));
  }
  int64_t sign = subtract ? -1 : 1;
  std::vector<ExpressionPtr> arguments;
  arguments.push_back(Bind(*value));
  arguments.push_back(Expression::Constant(core::Value::Bigint(sign * parsed->months)));
  arguments.push_back(Expression::Constant(core::Value::Bigint(sign * parsed->days)));
  arguments.push_back(Expression::Constant(core::Value::Bigint(sign * parsed->micros)));
  return CallBound("add_interval", binary, std::move(arguments), std::vector<bool>(4, false));
}

ExpressionPtr ExpressionBinder::BindIn(const sql::InListExpr& expr) const {
  std::vector<ExpressionPtr> tests;
  for (const auto& item : expr.list)
    tests.push_back(Call("=", expr, {expr.value.get(), item.get()}));
  auto any = tests.size() == 1
                 ? std::move(tests[0])
                 : Expression::Make(ExpressionKind::kOr, TypeId::kBoolean, std::move(tests));
  if (!expr.negated) return any;
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(any));
  return Expression::Make(ExpressionKind::kNot, TypeId::kBoolean, std::move(children));
}

ExpressionPtr ExpressionBinder::BindCase(const sql::CaseExpr& expr) const {
  std::vector<ExpressionPtr> results;
  std::optional<TypeId> type;
  auto unify = [&](const sql::Expr& result) {
    auto bound = Bind(result);
    if (!IsUntypedNull(result)) {
      if (!type || exec::ImplicitCastCost(*type, bound->type)) {
        type = bound->type;
      } else if (!exec::ImplicitCastCost(bound->type, *type)) {
        Throw<UserError>("{}",
                         AtLocation(fmt::format("CASE types {} and {} cannot be matched",
                                                core::TypeName(*type), core::TypeName(bound->type)),
                                    result));
      }
    }
    results.push_back(std::move(bound));
  };
  for (const auto& when : expr.whens) unify(*when.result);
  if (expr.else_result) unify(*expr.else_result);
  TypeId result_type = type.value_or(TypeId::kInteger);
  std::vector<ExpressionPtr> children;
  for (size_t i = 0; i < expr.whens.size(); ++i) {
    const auto& when = expr.whens[i];
    children.push_back(expr.operand
                           ? Call("=", *when.condition, {expr.operand.get(), when.condition.get()})
                           : BindAs(*when.condition, TypeId::kBoolean));
    children.push_back(CastTo(std::move(results[i]), result_type));
  }
  if (expr.else_result) children.push_back(CastTo(std::move(results.back()), result_type));
  auto bound = Expression::Make(ExpressionKind::kCase, result_type, std::move(children));
  bound->has_else = expr.else_result != nullptr;
  return bound;
}

ExpressionPtr ExpressionBinder::BindFunction(const sql::FunctionExpr& function) const {
  if (IsAggregateCall(function)) {
    Throw<UserError>(
        "{}", AtLocation("aggregate function " + function.name.back() + " is not allowed here",
                         function));
  }
  if (function.over)
    Throw<UserError>(
        "{}",
        AtLocation(
            "window functions are not allowed here (only in the select list, QUALIFY and ORDER BY)",
            function));
  std::vector<const sql::Expr*> arguments;
  for (const auto& argument : function.args) arguments.push_back(argument.get());
  return Call(function.name.back(), function, std::move(arguments));
}

ExpressionPtr ExpressionBinder::Call(std::string_view name, const sql::Expr& at,
                                     std::vector<const sql::Expr*> arguments) const {
  std::vector<ExpressionPtr> bound;
  std::vector<bool> untyped;
  for (const sql::Expr* argument : arguments) {
    bound.push_back(Bind(*argument));
    untyped.push_back(IsUntypedNull(*argument));
  }
  if (name == "||" || name == "concat") {
    // Text concatenation takes any value as text, as PostgreSQL's anynonarray || text does.
    for (auto& argument : bound) argument = CastTo(std::move(argument), TypeId::kVarchar);
  } else if (bound.size() == 2 && !Resolves(name, bound, untyped)) {
    // A quoted literal takes the type of the value it meets (date_col > '2024-01-01') when no
    // overload takes it as text.
    for (size_t i = 0; i < 2; ++i) {
      const ExpressionPtr& other = bound[1 - i];
      if (!IsStringLiteral(*arguments[i]) || untyped[1 - i] || other->type == TypeId::kVarchar) {
        continue;
      }
      try {
        bound[i] = CastTo(std::move(bound[i]), other->type);
      } catch (const DataError& error) {
        Throw<UserError>("{}", AtLocation(error.what(), *arguments[i]));
      }
    }
  }
  return CallBound(name, at, std::move(bound), std::move(untyped));
}

ExpressionPtr ExpressionBinder::CallBound(std::string_view name, const sql::Expr& at,
                                          std::vector<ExpressionPtr> arguments,
                                          std::vector<bool> untyped_null) const {
  std::vector<std::optional<TypeId>> types;
  for (size_t i = 0; i < arguments.size(); ++i) {
    types.push_back(untyped_null[i] ? std::nullopt : std::optional(arguments[i]->type));
  }
  const auto& registry = exec::ScalarFunctionRegistry::BuiltIn();
  const exec::ScalarFunction* function = registry.Resolve(name, types);
  if (function == nullptr) {
    std::string listed;
    for (const auto& argument : arguments) {
      listed += (listed.empty() ? "" : ", ") + std::string(core::TypeName(argument->type));
    }
    if (!registry.Contains(name)) {
      auto suggestion = ClosestName(std::string(name), registry.Names());
      Throw<UserError>(
          "{}", AtLocation(fmt::format("function {}() does not exist{}", name,
                                       suggestion ? "; did you mean " + *suggestion + "()?" : ""),
                           at));
    }
    Throw<UserError>(
        "{}",
        AtLocation(fmt::format("no function {}({}) matches the argument types", name, listed), at));
  }
  for (size_t i = 0; i < arguments.size(); ++i) {
    size_t parameter = std::min(i, function->arguments.size() - 1);
    arguments[i] = CastTo(std::move(arguments[i]), function->arguments[parameter]);
  }
  return FoldConstants(Expression::Call(*function, std::move(arguments)));
}

}  // namespace sluice::planner
