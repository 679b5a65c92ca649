#include "planner/scan_predicates.h"

#include <optional>

#include "planner/expression_binder.h"
#include "planner/scope.h"

namespace sluice::planner {
namespace {

using Op = io::ScanPredicate::Op;

bool EqualsIgnoringCase(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) return false;
  for (size_t i = 0; i < left.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(left[i])) !=
        std::tolower(static_cast<unsigned char>(right[i]))) {
      return false;
    }
  }
  return true;
}

// Returns the schema's name of the column `expr` refers to, when it is one of this scan's.
std::optional<std::string> ColumnOf(const sql::Expr& expr, const core::Schema& schema,
                                    std::string_view table) {
  if (expr.kind != sql::ExprKind::kColumnRef) return std::nullopt;
  const auto& names = expr.As<sql::ColumnRefExpr>().names;
  if (names.size() > 2) return std::nullopt;
  if (names.size() == 2 && !EqualsIgnoringCase(names[0], table)) return std::nullopt;
  auto index = schema.FindField(names.back());
  if (!index) return std::nullopt;
  return schema.field(*index).name;
}

// Returns the value of an expression that folds to a constant without reading columns.
std::optional<core::Value> ConstantOf(const sql::Expr& expr) {
  switch (expr.kind) {
    case sql::ExprKind::kLiteral:
    case sql::ExprKind::kTypedLiteral:
    case sql::ExprKind::kUnary:
    case sql::ExprKind::kBinary:
    case sql::ExprKind::kCast:
    case sql::ExprKind::kFunction:
      break;
    default:
      return std::nullopt;
  }
  try {
    Scope empty;
    auto bound = ExpressionBinder(empty).Bind(expr);
    if (bound->kind != exec::ExpressionKind::kConstant) return std::nullopt;
    return bound->constant;
  } catch (const Error&) {
    return std::nullopt;  // reads a column, or is not valid on its own: not a constant
  }
}

std::optional<Op> ComparisonOp(sql::BinaryOp op, bool swapped) {
  switch (op) {
    case sql::BinaryOp::kEqual:
      return Op::kEq;
    case sql::BinaryOp::kLess:
      return swapped ? Op::kGt : Op::kLt;
    case sql::BinaryOp::kLessEqual:
      return swapped ? Op::kGe : Op::kLe;
    case sql::BinaryOp::kGreater:
      return swapped ? Op::kLt : Op::kGt;
    case sql::BinaryOp::kGreaterEqual:
      return swapped ? Op::kLe : Op::kGe;
    default:
      return std::nullopt;
  }
}

void AddComparison(const sql::BinaryExpr& binary, const core::Schema& schema,
                   std::string_view table, std::vector<io::ScanPredicate>& out) {
  for (bool swapped : {false, true}) {
    const sql::Expr& column_side = swapped ? *binary.right : *binary.left;
    const sql::Expr& constant_side = swapped ? *binary.left : *binary.right;
    auto op = ComparisonOp(binary.op, swapped);
    auto column = op ? ColumnOf(column_side, schema, table) : std::nullopt;
    if (!column) continue;
    auto constant = ConstantOf(constant_side);
    if (!constant) continue;
    out.push_back({*column, *op, *constant});
    return;
  }
}

void AddConjunct(const sql::Expr& conjunct, const core::Schema& schema, std::string_view table,
                 std::vector<io::ScanPredicate>& out) {
  if (conjunct.kind == sql::ExprKind::kBinary) {
    return AddComparison(conjunct.As<sql::BinaryExpr>(), schema, table, out);
  }
  if (conjunct.kind == sql::ExprKind::kIsNull) {
    const auto& is_null = conjunct.As<sql::IsNullExpr>();
    if (auto column = ColumnOf(*is_null.operand, schema, table)) {
      io::ScanPredicate predicate;
      predicate.column = *column;
      predicate.op = is_null.negated ? Op::kIsNotNull : Op::kIsNull;
      out.push_back(std::move(predicate));
    }
    return;
  }
  if (conjunct.kind == sql::ExprKind::kBetween) {
    const auto& between = conjunct.As<sql::BetweenExpr>();
    auto column = between.negated ? std::nullopt : ColumnOf(*between.value, schema, table);
    if (!column) return;
    auto low = ConstantOf(*between.low);
    auto high = ConstantOf(*between.high);
    if (low) out.push_back({*column, Op::kGe, *low});
    if (high) out.push_back({*column, Op::kLe, *high});
  }
}

}  // namespace

std::vector<io::ScanPredicate> ExtractScanPredicates(const std::vector<const sql::Expr*>& conjuncts,
                                                     const core::Schema& schema,
                                                     std::string_view table) {
  std::vector<io::ScanPredicate> predicates;
  for (const sql::Expr* conjunct : conjuncts) {
    if (conjunct != nullptr) AddConjunct(*conjunct, schema, table, predicates);
  }
  return predicates;
}

}  // namespace sluice::planner
