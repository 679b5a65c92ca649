#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/types.h"
#include "core/value.h"
#include "exec/scalar_function.h"

namespace sluice::exec {

/// Names the kinds of physical expression nodes.
enum class ExpressionKind {
  kConstant,  // `constant`
  kColumn,    // the input batch's column `column`
  kCall,      // `function` over `children`
  kCast,      // children[0] cast to `type` (PostgreSQL rules; bad values throw DataError)
  kCase,      // children: when0, then0, when1, then1, ..., [else]; `has_else`
  kAnd,       // children, three-valued logic
  kOr,        // children, three-valued logic
  kNot,       // children[0]
  kIsNull,    // children[0] IS NULL (IS NOT NULL is kNot over it)
  kRow,       // `row_function` over the children's values, one row at a time
};

/// Computes one value per row from the values of an expression's children, for what has no
/// vectorized form (a correlated subquery). Thread-safe.
class RowFunction {
 public:
  virtual ~RowFunction() = default;
  /// Returns the value for one row's argument values.
  virtual core::Value Evaluate(const std::vector<core::Value>& arguments) const = 0;
  /// Returns a short description for EXPLAIN.
  virtual std::string ToString() const = 0;
};

/// Is a bound, typed expression ready to evaluate on batches. Built by the planner.
struct Expression {
  ExpressionKind kind;
  core::TypeId type;
  std::vector<std::unique_ptr<Expression>> children;
  core::Value constant = core::Value::Null(core::TypeId::kBigint);
  size_t column = 0;
  const ScalarFunction* function = nullptr;
  std::shared_ptr<const RowFunction> row_function;
  bool has_else = false;

  /// Returns the expression as text, for EXPLAIN and errors.
  std::string ToString() const;

  static std::unique_ptr<Expression> Constant(core::Value value);
  static std::unique_ptr<Expression> Column(size_t column, core::TypeId type);
  static std::unique_ptr<Expression> Call(const ScalarFunction& function,
                                          std::vector<std::unique_ptr<Expression>> children);
  static std::unique_ptr<Expression> Cast(std::unique_ptr<Expression> child, core::TypeId type);
  static std::unique_ptr<Expression> Row(std::shared_ptr<const RowFunction> function,
                                         core::TypeId type,
                                         std::vector<std::unique_ptr<Expression>> children);
  /// Makes an AND, OR, NOT, IS NULL or CASE node of the given children.
  static std::unique_ptr<Expression> Make(ExpressionKind kind, core::TypeId type,
                                          std::vector<std::unique_ptr<Expression>> children);
};

}  // namespace sluice::exec
