#pragma once

// Expression nodes of the syntax tree. Include sql/ast.h, which completes QueryNode and
// describes how to walk the tree.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"

namespace sluice::sql {

/// Names a place in the SQL text: 1-based line and column (in characters) of a token.
struct SourceLocation {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

/// Is a possibly qualified name such as `t`, `schema.t` or `ml.predict`, one part per element.
using QualifiedName = std::vector<std::string>;

/// Is the base of every node family (expressions, FROM items, queries, statements): a kind
/// tag and the location of the node's first token. Walk a tree by switching on `kind` and
/// calling `As<T>()`, which checks the tag in debug builds.
template <typename Kind>
struct TaggedNode {
  explicit TaggedNode(Kind kind) : kind(kind) {}
  virtual ~TaggedNode() = default;
  TaggedNode(const TaggedNode&) = delete;
  TaggedNode& operator=(const TaggedNode&) = delete;

  /// Returns this node as the struct for its kind. REQUIRES: kind == T::kKind.
  template <typename T>
  const T& As() const {
    SLUICE_DCHECK(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    SLUICE_DCHECK(kind == T::kKind);
    return static_cast<T&>(*this);
  }

  const Kind kind;
  SourceLocation location;
};

struct QueryNode;

// Types

/// Is a type as written: upper-case name ("VARCHAR", "DOUBLE PRECISION",
/// "TIMESTAMP WITH TIME ZONE", or any unknown name) and its parameters (VARCHAR(10) → {10}).
/// The binder maps `name` through core::TypeFromName; the parser accepts any name.
struct TypeName {
  std::string name;
  std::vector<int64_t> parameters;
  SourceLocation location;
};

// Expressions

/// Tags the expression kinds; each has one struct below with `kKind` equal to it.
enum class ExprKind : uint8_t {
  kLiteral,       // LiteralExpr: 1, 2.5, 'text', TRUE, NULL
  kTypedLiteral,  // TypedLiteralExpr: DATE '2001-01-01', INTERVAL '1' DAY
  kColumnRef,     // ColumnRefExpr: c, t.c, s.t.c
  kStar,          // StarExpr: *, t.*
  kParameter,     // ParameterExpr: $1
  kUnary,         // UnaryExpr: -x, +x, NOT x
  kBinary,        // BinaryExpr: arithmetic, comparison, AND/OR, ||, LIKE, IS DISTINCT FROM
  kIsNull,        // IsNullExpr: x IS [NOT] NULL
  kBetween,       // BetweenExpr: x [NOT] BETWEEN a AND b
  kInList,        // InListExpr: x [NOT] IN (a, b)
  kInSubquery,    // InSubqueryExpr: x [NOT] IN (SELECT ...)
  kExists,        // ExistsExpr: EXISTS (SELECT ...)
  kSubquery,      // SubqueryExpr: (SELECT ...) as a scalar
  kCase,          // CaseExpr: CASE [x] WHEN ... THEN ... [ELSE ...] END
  kCast,          // CastExpr: CAST(x AS t), x::t, TRY_CAST(x AS t)
  kFunction,      // FunctionExpr: f(args), count(*), aggregates, window functions
  kList,          // ListExpr: [1, 2, 3]
};

/// Is the base of every expression node.
struct Expr : TaggedNode<ExprKind> {
  using TaggedNode::TaggedNode;
};

using ExprPtr = std::unique_ptr<Expr>;

/// Tags the literal's value type.
enum class LiteralKind : uint8_t { kNull, kBoolean, kInteger, kDouble, kString };

/// Is a constant. Integers that do not fit int64 become kDouble; `text` keeps a number's
/// spelling (for DECIMAL later and messages).
struct LiteralExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  LiteralExpr() : Expr(kKind) {}
  LiteralKind literal_kind = LiteralKind::kNull;
  bool boolean_value = false;
  int64_t integer_value = 0;
  double double_value = 0;
  std::string text;  // The string's value, or a number's spelling.
};

/// Is `TYPE 'text'`: DATE, TIME, TIMESTAMP, INTERVAL with the string left unparsed. For
/// `INTERVAL '1' DAY`, `unit` is "day" (lower case); otherwise empty.
struct TypedLiteralExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kTypedLiteral;
  TypedLiteralExpr() : Expr(kKind) {}
  TypeName type;
  std::string value;
  std::string unit;
};

/// Is a column reference; the last part is the column, earlier parts qualify it.
struct ColumnRefExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kColumnRef;
  ColumnRefExpr() : Expr(kKind) {}
  QualifiedName names;
  const std::string& column() const { return names.back(); }
};

/// Is `*` (empty qualifier) or `t.*`.
struct StarExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kStar;
  StarExpr() : Expr(kKind) {}
  QualifiedName qualifier;
};

/// Is a positional parameter `$index` (1-based).
struct ParameterExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kParameter;
  ParameterExpr() : Expr(kKind) {}
  int index = 0;
};

/// Names the prefix operators.
enum class UnaryOp : uint8_t { kNegate, kPlus, kNot };

/// Is a prefix operator applied to one operand.
struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryExpr() : Expr(kKind) {}
  UnaryOp op = UnaryOp::kNegate;
  ExprPtr operand;
};

/// Names the infix operators.
enum class BinaryOp : uint8_t {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kPower,
  kConcat,
  kEqual,
  kNotEqual,  // <> and !=
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
  kIsDistinctFrom,
  kIsNotDistinctFrom,
  kLike,
  kNotLike,
  kILike,
  kNotILike,
};

/// Is an infix operator applied to two operands.
struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryExpr() : Expr(kKind) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr left;
  ExprPtr right;
};

/// Is `operand IS NULL` or, when negated, `operand IS NOT NULL`.
struct IsNullExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIsNull;
  IsNullExpr() : Expr(kKind) {}
  bool negated = false;
  ExprPtr operand;
};

/// Is `value [NOT] BETWEEN low AND high`.
struct BetweenExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBetween;
  BetweenExpr() : Expr(kKind) {}
  bool negated = false;
  ExprPtr value;
  ExprPtr low;
  ExprPtr high;
};

/// Is `value [NOT] IN (list...)`.
struct InListExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInList;
  InListExpr() : Expr(kKind) {}
  bool negated = false;
  ExprPtr value;
  std::vector<ExprPtr> list;
};

/// Is `value [NOT] IN (subquery)`.
struct InSubqueryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInSubquery;
  InSubqueryExpr() : Expr(kKind) {}
  bool negated = false;
  ExprPtr value;
  std::unique_ptr<QueryNode> subquery;
};

/// Is `EXISTS (subquery)`; NOT EXISTS is a UnaryExpr kNot around it.
struct ExistsExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kExists;
  ExistsExpr() : Expr(kKind) {}
  std::unique_ptr<QueryNode> subquery;
};

/// Is a parenthesized query used as a scalar value.
struct SubqueryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubquery;
  SubqueryExpr() : Expr(kKind) {}
  std::unique_ptr<QueryNode> subquery;
};

/// Is one `WHEN condition THEN result` arm of a CASE.
struct WhenClause {
  ExprPtr condition;
  ExprPtr result;
};

/// Is a CASE expression: simple when `operand` is set (WHEN compares to it), else searched.
struct CaseExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCase;
  CaseExpr() : Expr(kKind) {}
  ExprPtr operand;  // May be null.
  std::vector<WhenClause> whens;
  ExprPtr else_result;  // May be null.
};

/// Is CAST(operand AS type), operand::type, or TRY_CAST(operand AS type).
struct CastExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCast;
  CastExpr() : Expr(kKind) {}
  ExprPtr operand;
  TypeName type;
  bool try_cast = false;
};

/// Names the sort direction of an ORDER BY item.
enum class OrderDirection : uint8_t { kAscending, kDescending };
/// Names where NULLs sort; kDefault leaves it to the engine (last for ASC, first for DESC).
enum class NullsOrder : uint8_t { kDefault, kFirst, kLast };

/// Is one `expr [ASC|DESC] [NULLS FIRST|LAST]`.
struct OrderByItem {
  ExprPtr expr;
  OrderDirection direction = OrderDirection::kAscending;
  NullsOrder nulls = NullsOrder::kDefault;
};

/// Names the unit of a window frame.
enum class FrameUnit : uint8_t { kRows, kRange, kGroups };

/// Names one end of a window frame.
enum class FrameBoundKind : uint8_t {
  kUnboundedPreceding,
  kPreceding,  // offset PRECEDING
  kCurrentRow,
  kFollowing,  // offset FOLLOWING
  kUnboundedFollowing,
};

/// Is one end of a window frame; `offset` is set for kPreceding and kFollowing.
struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  ExprPtr offset;
};

/// Is `ROWS|RANGE|GROUPS BETWEEN start AND end`; `ROWS start` alone has end kCurrentRow.
struct WindowFrame {
  FrameUnit unit = FrameUnit::kRows;
  FrameBound start;
  FrameBound end;
};

/// Is a window: `OVER name`, or `OVER ([base] PARTITION BY ... ORDER BY ... frame)`.
/// `base_name` refers to a WINDOW-clause entry the spec refines (empty when none).
struct WindowSpec {
  std::string base_name;
  std::vector<ExprPtr> partition_by;
  std::vector<OrderByItem> order_by;
  std::unique_ptr<WindowFrame> frame;  // May be null: the default frame.
  SourceLocation location;
};

/// Is a function call. Special forms are normalized: EXTRACT(f FROM x) → date_part('f', x),
/// SUBSTRING(x FROM a FOR b) → substring(x, a, b), TRIM(LEADING c FROM x) → ltrim(x, c),
/// POSITION(a IN b) → strpos(b, a). `arg_names` has one entry per argument: empty for a
/// positional one, the name for `name => value`.
struct FunctionExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kFunction;
  FunctionExpr() : Expr(kKind) {}
  QualifiedName name;  // Lower case unless quoted; usually one part.
  std::vector<ExprPtr> args;
  std::vector<std::string> arg_names;
  bool distinct = false;
  bool star = false;                  // count(*): args is empty.
  std::vector<OrderByItem> order_by;  // string_agg(x, ',' ORDER BY y)
  ExprPtr filter;                     // FILTER (WHERE ...); may be null.
  std::unique_ptr<WindowSpec> over;   // OVER (...); may be null.
};

/// Is a list literal `[a, b, c]`.
struct ListExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kList;
  ListExpr() : Expr(kKind) {}
  std::vector<ExprPtr> elements;
};

/// Calls `visit` on each direct child expression of `expr`: operands, arguments, CASE arms,
/// FILTER, and the window's PARTITION BY, ORDER BY and frame offsets. Subqueries are not entered.
void ForEachChild(const Expr& expr, const std::function<void(const Expr&)>& visit);

}  // namespace sluice::sql
