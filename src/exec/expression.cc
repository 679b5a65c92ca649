#include "exec/expression.h"

#include <algorithm>

#include "base/error.h"

namespace sluice::exec {
namespace {

using core::TypeId;

bool IsOperatorName(std::string_view name) {
  return !name.empty() && std::none_of(name.begin(), name.end(),
                                       [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

std::string ConstantToString(const core::Value& value) {
  if (value.is_null()) return "NULL";
  switch (value.type()) {
    case TypeId::kVarchar: {
      std::string quoted = "'";
      for (char c : value.GetString()) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      return quoted + "'";
    }
    case TypeId::kDate:
    case TypeId::kTimestamp:
      return fmt::format("{} '{}'", core::TypeName(value.type()), value.ToString());
    default:
      return value.ToString();
  }
}

std::string CallToString(const Expression& expression) {
  const std::string& name = expression.function->name;
  const auto& children = expression.children;
  if (children.size() == 2 && IsOperatorName(name)) {
    return fmt::format("({} {} {})", children[0]->ToString(), name, children[1]->ToString());
  }
  std::string text = name + "(";
  for (size_t i = 0; i < children.size(); ++i) {
    if (i > 0) text += ", ";
    text += children[i]->ToString();
  }
  return text + ")";
}

std::string CaseToString(const Expression& expression) {
  const auto& children = expression.children;
  size_t pairs = (children.size() - expression.has_else) / 2;
  std::string text = "CASE";
  for (size_t i = 0; i < pairs; ++i) {
    text += fmt::format(" WHEN {} THEN {}", children[2 * i]->ToString(),
                        children[2 * i + 1]->ToString());
  }
  if (expression.has_else) text += " ELSE " + children.back()->ToString();
  return text + " END";
}

std::string JoinedToString(const Expression& expression, std::string_view separator) {
  std::string text = "(";
  for (size_t i = 0; i < expression.children.size(); ++i) {
    if (i > 0) text += separator;
    text += expression.children[i]->ToString();
  }
  return text + ")";
}

}  // namespace

std::string Expression::ToString() const {
  switch (kind) {
    case ExpressionKind::kConstant:
      return ConstantToString(constant);
    case ExpressionKind::kColumn:
      return fmt::format("#{}", column);
    case ExpressionKind::kCall:
      return CallToString(*this);
    case ExpressionKind::kCast:
      return fmt::format("CAST({} AS {})", children[0]->ToString(), core::TypeName(type));
    case ExpressionKind::kCase:
      return CaseToString(*this);
    case ExpressionKind::kAnd:
      return JoinedToString(*this, " AND ");
    case ExpressionKind::kOr:
      return JoinedToString(*this, " OR ");
    case ExpressionKind::kNot:
      return "(NOT " + children[0]->ToString() + ")";
    case ExpressionKind::kIsNull:
      return "(" + children[0]->ToString() + " IS NULL)";
    case ExpressionKind::kRow:
      return row_function->ToString() + JoinedToString(*this, ", ");
  }
  throw InternalError("unknown expression kind");
}

std::unique_ptr<Expression> Expression::Constant(core::Value value) {
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kConstant;
  expression->type = value.type();
  expression->constant = std::move(value);
  return expression;
}

std::unique_ptr<Expression> Expression::Column(size_t column, core::TypeId type) {
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kColumn;
  expression->type = type;
  expression->column = column;
  return expression;
}

std::unique_ptr<Expression> Expression::Call(const ScalarFunction& function,
                                             std::vector<std::unique_ptr<Expression>> children) {
  size_t fixed = function.arguments.size();
  SLUICE_CHECK(function.variadic ? children.size() + 1 >= fixed : children.size() == fixed);
  for (size_t i = 0; i < children.size(); ++i) {
    TypeId wanted = function.arguments[std::min(i, fixed - 1)];
    Expression& child = *children[i];
    // An untyped NULL literal fits any argument: retype it rather than make the binder cast it.
    if (child.kind == ExpressionKind::kConstant && child.constant.is_null()) {
      child.type = wanted;
      child.constant = core::Value::Null(wanted);
    }
    if (child.type != wanted) {
      throw InternalError(fmt::format("argument {} of {} is {}, the overload wants {}", i + 1,
                                      function.name, core::TypeName(child.type),
                                      core::TypeName(wanted)));
    }
  }
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kCall;
  expression->type = function.result;
  expression->function = &function;
  expression->children = std::move(children);
  return expression;
}

std::unique_ptr<Expression> Expression::Row(std::shared_ptr<const RowFunction> function,
                                            TypeId type,
                                            std::vector<std::unique_ptr<Expression>> children) {
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kRow;
  expression->type = type;
  expression->row_function = std::move(function);
  expression->children = std::move(children);
  return expression;
}

std::unique_ptr<Expression> Expression::Cast(std::unique_ptr<Expression> child, core::TypeId type) {
  std::vector<std::unique_ptr<Expression>> children;
  children.push_back(std::move(child));
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kCast;
  expression->type = type;
  expression->children = std::move(children);
  return expression;
}

std::unique_ptr<Expression> Expression::Make(ExpressionKind kind, core::TypeId type,
                                             std::vector<std::unique_ptr<Expression>> children) {
  SLUICE_CHECK(kind != ExpressionKind::kConstant && kind != ExpressionKind::kColumn &&
               kind != ExpressionKind::kCall && kind != ExpressionKind::kCast);
  SLUICE_CHECK(!children.empty());
  auto expression = std::make_unique<Expression>();
  expression->kind = kind;
  expression->type = kind == ExpressionKind::kCase ? type : TypeId::kBoolean;
  expression->has_else = kind == ExpressionKind::kCase && children.size() % 2 == 1;
  expression->children = std::move(children);
  return expression;
}

}  // namespace sluice::exec
