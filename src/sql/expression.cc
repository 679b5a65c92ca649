#include "sql/ast.h"

namespace sluice::sql {
namespace {

void VisitAll(const std::vector<ExprPtr>& exprs, const std::function<void(const Expr&)>& visit) {
  for (const ExprPtr& expr : exprs) visit(*expr);
}

void VisitWindow(const WindowSpec& window, const std::function<void(const Expr&)>& visit) {
  VisitAll(window.partition_by, visit);
  for (const OrderByItem& item : window.order_by) visit(*item.expr);
  if (window.frame == nullptr) return;
  if (window.frame->start.offset) visit(*window.frame->start.offset);
  if (window.frame->end.offset) visit(*window.frame->end.offset);
}

void VisitFunction(const FunctionExpr& function, const std::function<void(const Expr&)>& visit) {
  VisitAll(function.args, visit);
  for (const OrderByItem& item : function.order_by) visit(*item.expr);
  if (function.filter) visit(*function.filter);
  if (function.over) VisitWindow(*function.over, visit);
}

void VisitCase(const CaseExpr& case_expr, const std::function<void(const Expr&)>& visit) {
  if (case_expr.operand) visit(*case_expr.operand);
  for (const WhenClause& when : case_expr.whens) {
    visit(*when.condition);
    visit(*when.result);
  }
  if (case_expr.else_result) visit(*case_expr.else_result);
}

}  // namespace

void ForEachChild(const Expr& expr, const std::function<void(const Expr&)>& visit) {
  switch (expr.kind) {
    case ExprKind::kLiteral:
    case ExprKind::kTypedLiteral:
    case ExprKind::kColumnRef:
    case ExprKind::kStar:
    case ExprKind::kParameter:
    case ExprKind::kExists:
    case ExprKind::kSubquery:
      return;
    case ExprKind::kUnary:
      visit(*expr.As<UnaryExpr>().operand);
      return;
    case ExprKind::kBinary:
      visit(*expr.As<BinaryExpr>().left);
      visit(*expr.As<BinaryExpr>().right);
      return;
    case ExprKind::kIsNull:
      visit(*expr.As<IsNullExpr>().operand);
      return;
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      visit(*between.value);
      visit(*between.low);
      visit(*between.high);
      return;
    }
    case ExprKind::kInList:
      visit(*expr.As<InListExpr>().value);
      VisitAll(expr.As<InListExpr>().list, visit);
      return;
    case ExprKind::kInSubquery:
      visit(*expr.As<InSubqueryExpr>().value);
      return;
    case ExprKind::kCase:
      VisitCase(expr.As<CaseExpr>(), visit);
      return;
    case ExprKind::kCast:
      visit(*expr.As<CastExpr>().operand);
      return;
    case ExprKind::kFunction:
      VisitFunction(expr.As<FunctionExpr>(), visit);
      return;
    case ExprKind::kList:
      VisitAll(expr.As<ListExpr>().elements, visit);
      return;
  }
}

}  // namespace sluice::sql
