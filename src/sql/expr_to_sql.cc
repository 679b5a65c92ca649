// ToSql for expressions, types and windows.

#include "sql/keywords.h"
#include "sql/to_sql.h"

namespace sluice::sql {
namespace {

std::string_view BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSubtract:
      return "-";
    case BinaryOp::kMultiply:
      return "*";
    case BinaryOp::kDivide:
      return "/";
    case BinaryOp::kModulo:
      return "%";
    case BinaryOp::kPower:
      return "^";
    case BinaryOp::kConcat:
      return "||";
    case BinaryOp::kEqual:
      return "=";
    case BinaryOp::kNotEqual:
      return "<>";
    case BinaryOp::kLess:
      return "<";
    case BinaryOp::kLessEqual:
      return "<=";
    case BinaryOp::kGreater:
      return ">";
    case BinaryOp::kGreaterEqual:
      return ">=";
    case BinaryOp::kAnd:
      return "AND";
    case BinaryOp::kOr:
      return "OR";
    case BinaryOp::kIsDistinctFrom:
      return "IS DISTINCT FROM";
    case BinaryOp::kIsNotDistinctFrom:
      return "IS NOT DISTINCT FROM";
    case BinaryOp::kLike:
      return "LIKE";
    case BinaryOp::kNotLike:
      return "NOT LIKE";
    case BinaryOp::kILike:
      return "ILIKE";
    case BinaryOp::kNotILike:
      return "NOT ILIKE";
  }
  return "?";
}

std::string JoinExprs(const std::vector<ExprPtr>& exprs) {
  std::string text;
  for (const ExprPtr& expr : exprs) {
    if (!text.empty()) text += ", ";
    text += ToSql(*expr);
  }
  return text;
}

std::string OrderByToSql(const std::vector<OrderByItem>& items) {
  std::string text;
  for (const OrderByItem& item : items) text += (text.empty() ? "" : ", ") + ToSql(item);
  return text;
}

std::string LiteralToSql(const LiteralExpr& literal) {
  switch (literal.literal_kind) {
    case LiteralKind::kNull:
      return "NULL";
    case LiteralKind::kBoolean:
      return literal.boolean_value ? "TRUE" : "FALSE";
    case LiteralKind::kInteger:
      return std::to_string(literal.integer_value);
    case LiteralKind::kDouble:
      return literal.text;
    case LiteralKind::kString:
      return QuoteString(literal.text);
  }
  return "?";
}

std::string FrameBoundToSql(const FrameBound& bound) {
  switch (bound.kind) {
    case FrameBoundKind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case FrameBoundKind::kPreceding:
      return ToSql(*bound.offset) + " PRECEDING";
    case FrameBoundKind::kCurrentRow:
      return "CURRENT ROW";
    case FrameBoundKind::kFollowing:
      return ToSql(*bound.offset) + " FOLLOWING";
    case FrameBoundKind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

std::string FunctionToSql(const FunctionExpr& call) {
  std::string text = ToSql(call.name) + "(";
  if (call.star) text += "*";
  if (call.distinct) text += "DISTINCT ";
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i > 0) text += ", ";
    if (!call.arg_names[i].empty()) text += QuoteIdentifier(call.arg_names[i]) + " => ";
    text += ToSql(*call.args[i]);
  }
  if (!call.order_by.empty()) text += " ORDER BY " + OrderByToSql(call.order_by);
  text += ")";
  if (call.filter) text += " FILTER (WHERE " + ToSql(*call.filter) + ")";
  if (call.over) {
    bool bare_name = !call.over->base_name.empty() && call.over->partition_by.empty() &&
                     call.over->order_by.empty() && call.over->frame == nullptr;
    text += " OVER " + (bare_name ? QuoteIdentifier(call.over->base_name) : ToSql(*call.over));
  }
  return text;
}

std::string CaseToSql(const CaseExpr& case_expr) {
  std::string text = "CASE";
  if (case_expr.operand) text += " " + ToSql(*case_expr.operand);
  for (const WhenClause& when : case_expr.whens) {
    text += " WHEN " + ToSql(*when.condition) + " THEN " + ToSql(*when.result);
  }
  if (case_expr.else_result) text += " ELSE " + ToSql(*case_expr.else_result);
  return text + " END";
}

std::string UnaryToSql(const UnaryExpr& unary) {
  switch (unary.op) {
    case UnaryOp::kNegate:
      return "-(" + ToSql(*unary.operand) + ")";
    case UnaryOp::kPlus:
      return "+(" + ToSql(*unary.operand) + ")";
    case UnaryOp::kNot:
      return "(NOT " + ToSql(*unary.operand) + ")";
  }
  return "?";
}

std::string PredicateToSql(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kIsNull: {
      const auto& is_null = expr.As<IsNullExpr>();
      return "(" + ToSql(*is_null.operand) + (is_null.negated ? " IS NOT NULL)" : " IS NULL)");
    }
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      return "(" + ToSql(*between.value) + (between.negated ? " NOT" : "") + " BETWEEN " +
             ToSql(*between.low) + " AND " + ToSql(*between.high) + ")";
    }
    case ExprKind::kInList: {
      const auto& in = expr.As<InListExpr>();
      return "(" + ToSql(*in.value) + (in.negated ? " NOT" : "") + " IN (" + JoinExprs(in.list) +
             "))";
    }
    case ExprKind::kInSubquery: {
      const auto& in = expr.As<InSubqueryExpr>();
      return "(" + ToSql(*in.value) + (in.negated ? " NOT" : "") + " IN (" + ToSql(*in.subquery) +
             "))";
    }
    default:
      return "?";
  }
}

}  // namespace

std::string QuoteIdentifier(std::string_view name) {
  if (!NeedsQuotes(name)) return std::string(name);
  std::string text = "\"";
  for (char c : name) text += c == '"' ? std::string("\"\"") : std::string(1, c);
  return text + "\"";
}

std::string QuoteString(std::string_view value) {
  std::string text = "'";
  for (char c : value) text += c == '\'' ? std::string("''") : std::string(1, c);
  return text + "'";
}

std::string ToSql(const QualifiedName& name) {
  std::string text;
  for (const std::string& part : name) text += (text.empty() ? "" : ".") + QuoteIdentifier(part);
  return text;
}

std::string ToSql(const OrderByItem& item) {
  std::string text = ToSql(*item.expr);
  if (item.direction == OrderDirection::kDescending) text += " DESC";
  if (item.nulls == NullsOrder::kFirst) text += " NULLS FIRST";
  if (item.nulls == NullsOrder::kLast) text += " NULLS LAST";
  return text;
}

std::string ToSql(const TypeName& type) {
  std::string text = type.name;
  bool with_zone = text.ends_with(" TIME ZONE");
  std::string suffix;
  if (with_zone) {
    // Parameters go between the base name and WITH/WITHOUT TIME ZONE.
    size_t split = text.find(' ');
    suffix = text.substr(split);
    text.resize(split);
  }
  if (!type.parameters.empty()) {
    text += "(";
    for (size_t i = 0; i < type.parameters.size(); ++i) {
      if (i > 0) text += ", ";
      text += std::to_string(type.parameters[i]);
    }
    text += ")";
  }
  return text + suffix;
}

std::string ToSql(const WindowSpec& window) {
  std::string text;
  auto append = [&text](const std::string& part) { text += (text.empty() ? "" : " ") + part; };
  if (!window.base_name.empty()) append(QuoteIdentifier(window.base_name));
  if (!window.partition_by.empty()) append("PARTITION BY " + JoinExprs(window.partition_by));
  if (!window.order_by.empty()) append("ORDER BY " + OrderByToSql(window.order_by));
  if (window.frame) {
    static constexpr std::string_view kUnits[] = {"ROWS", "RANGE", "GROUPS"};
    append(std::string(kUnits[static_cast<int>(window.frame->unit)]) + " BETWEEN " +
           FrameBoundToSql(window.frame->start) + " AND " + FrameBoundToSql(window.frame->end));
  }
  return "(" + text + ")";
}

std::string ToSql(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral:
      return LiteralToSql(expr.As<LiteralExpr>());
    case ExprKind::kTypedLiteral: {
      const auto& typed = expr.As<TypedLiteralExpr>();
      // TIMESTAMP WITH TIME ZONE 'x' would not read back; its one-word alias does.
      bool zoned = typed.type.name == "TIMESTAMP WITH TIME ZONE";
      std::string text =
          (zoned ? "TIMESTAMPTZ" : ToSql(typed.type)) + " " + QuoteString(typed.value);
      if (!typed.unit.empty()) text += " " + typed.unit;
      return text;
    }
    case ExprKind::kColumnRef:
      return ToSql(expr.As<ColumnRefExpr>().names);
    case ExprKind::kStar: {
      const auto& star = expr.As<StarExpr>();
      return star.qualifier.empty() ? "*" : ToSql(star.qualifier) + ".*";
    }
    case ExprKind::kParameter:
      return "$" + std::to_string(expr.As<ParameterExpr>().index);
    case ExprKind::kUnary:
      return UnaryToSql(expr.As<UnaryExpr>());
    case ExprKind::kBinary: {
      const auto& binary = expr.As<BinaryExpr>();
      return "(" + ToSql(*binary.left) + " " + std::string(BinaryOpText(binary.op)) + " " +
             ToSql(*binary.right) + ")";
    }
    case ExprKind::kIsNull:
    case ExprKind::kBetween:
    case ExprKind::kInList:
    case ExprKind::kInSubquery:
      return PredicateToSql(expr);
    case ExprKind::kExists:
      return "EXISTS (" + ToSql(*expr.As<ExistsExpr>().subquery) + ")";
    case ExprKind::kSubquery:
      return "(" + ToSql(*expr.As<SubqueryExpr>().subquery) + ")";
    case ExprKind::kCase:
      return CaseToSql(expr.As<CaseExpr>());
    case ExprKind::kCast: {
      const auto& cast = expr.As<CastExpr>();
      return std::string(cast.try_cast ? "TRY_CAST(" : "CAST(") + ToSql(*cast.operand) + " AS " +
             ToSql(cast.type) + ")";
    }
    case ExprKind::kFunction:
      return FunctionToSql(expr.As<FunctionExpr>());
    case ExprKind::kList:
      return "[" + JoinExprs(expr.As<ListExpr>().elements) + "]";
  }
  return "?";
}

std::string DefaultColumnName(const Expr& expr) {
  if (expr.kind == ExprKind::kColumnRef) return expr.As<ColumnRefExpr>().column();
  if (expr.kind == ExprKind::kFunction) {
    const auto& call = expr.As<FunctionExpr>();
    if (call.star && call.name.size() == 1 && call.name[0] == "count" && !call.filter &&
        !call.over) {
      return "count_star()";
    }
  }
  return ToSql(expr);
}

}  // namespace sluice::sql
