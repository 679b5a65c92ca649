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
};

/// Is a bound, typed expression ready to evaluate on batches. Built by the planner.
struct Expression {
  ExpressionKind kind;
  core::TypeId type;
  std::vector<std::unique_ptr<Expression>> children;
  core::Value constant = core::Value::Null(core::TypeId::kBigint);
  size_t column = 0;
  const ScalarFunction* function = nullptr;
  bool has_else = false;

  /// Returns the expression as text, for EXPLAIN and errors.
  std::string ToString() const;

  static std::unique_ptr<Expression> Constant(core::Value value);
  static std::unique_ptr<Expression> Column(size_t column, core::TypeId type);
  static std::unique_ptr<Expression> Call(const ScalarFunction& function,
                                          std::vector<std::unique_ptr<Expression>> children);
  static std::unique_ptr<Expression> Cast(std::unique_ptr<Expression> child, core::TypeId type);
  /// Makes an AND, OR, NOT, IS NULL or CASE node of the given children.
  static std::unique_ptr<Expression> Make(ExpressionKind kind, core::TypeId type,
                                          std::vector<std::unique_ptr<Expression>> children);
};

}  // namespace sluice::exec
