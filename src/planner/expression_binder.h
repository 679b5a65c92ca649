#pragma once

#include <functional>
#include <memory>
#include <string>

#include "exec/expression.h"
#include "planner/scope.h"
#include "sql/ast.h"

namespace sluice::planner {

class ExpressionBinder;
class OuterReferences;

/// Binds subqueries used as expressions (scalar, EXISTS, IN).
class SubqueryBinder {
 public:
  virtual ~SubqueryBinder() = default;
  /// Returns the bound form of `expr` (a kSubquery, kExists or kInSubquery node) as seen from
  /// `binder`'s scope.
  virtual std::unique_ptr<exec::Expression> BindSubquery(const sql::Expr& expr,
                                                         const ExpressionBinder& binder) = 0;
};

/// Is what a binder may reach beyond its scope: the columns of enclosing queries, and the
/// planner that binds subqueries. Both may be null.
struct BindContext {
  const OuterReferences* outer = nullptr;
  SubqueryBinder* subqueries = nullptr;
};

/// Binds syntax-tree expressions against a scope into typed exec expressions: resolves
/// columns, picks function overloads and inserts the implicit casts they need.
class ExpressionBinder {
 public:
  /// Returns a replacement for a node (a GROUP BY key or an aggregate already computed by
  /// an earlier operator), or null to bind the node normally.
  using Replacement = std::function<std::unique_ptr<exec::Expression>(const sql::Expr&)>;

  explicit ExpressionBinder(const Scope& scope, Replacement replacement = nullptr,
                            BindContext context = {})
      : scope_(scope), replacement_(std::move(replacement)), context_(context) {}

  const Scope& scope() const { return scope_; }

  /// Binds `expr`. Throws UserError naming line and column for unknown columns or
  /// functions, wrong argument types, and aggregates where none may appear.
  std::unique_ptr<exec::Expression> Bind(const sql::Expr& expr) const;
  /// Binds `expr` and casts it to `type` when it is not already of that type.
  std::unique_ptr<exec::Expression> BindAs(const sql::Expr& expr, core::TypeId type) const;
  /// Returns a call of the scalar function `name` over bound arguments, with the implicit
  /// casts its overload needs; `untyped_null` marks arguments that are a bare NULL literal.
  std::unique_ptr<exec::Expression> CallBound(
      std::string_view name, const sql::Expr& at,
      std::vector<std::unique_ptr<exec::Expression>> arguments,
      std::vector<bool> untyped_null) const;

 private:
  std::unique_ptr<exec::Expression> BindNode(const sql::Expr& expr) const;
  std::unique_ptr<exec::Expression> BindLiteral(const sql::LiteralExpr& literal) const;
  std::unique_ptr<exec::Expression> BindBinary(const sql::BinaryExpr& binary) const;
  std::unique_ptr<exec::Expression> BindFunction(const sql::FunctionExpr& function) const;
  std::unique_ptr<exec::Expression> BindCase(const sql::CaseExpr& expr) const;
  std::unique_ptr<exec::Expression> BindIn(const sql::InListExpr& expr) const;
  std::unique_ptr<exec::Expression> BindIntervalArithmetic(const sql::BinaryExpr& binary) const;
  std::unique_ptr<exec::Expression> Call(std::string_view name, const sql::Expr& at,
                                         std::vector<const sql::Expr*> arguments) const;

  const Scope& scope_;
  Replacement replacement_;
  BindContext context_;
};

/// Appends the conjuncts of `expr` (split at AND) to `out`.
void SplitConjuncts(const sql::Expr& expr, std::vector<const sql::Expr*>& out);
/// Returns true when `expr` calls an aggregate function (not looking into subqueries).
bool IsAggregateCall(const sql::Expr& expr);
/// Returns true when `expr` or any child is a window function call (has OVER).
bool ContainsWindowCall(const sql::Expr& expr);
/// Returns true when `expr` or any child contains an aggregate call.
bool ContainsAggregate(const sql::Expr& expr);
/// Returns `message` followed by " at line L, column C" of `at`.
std::string AtLocation(const std::string& message, const sql::Expr& at);

}  // namespace sluice::planner
