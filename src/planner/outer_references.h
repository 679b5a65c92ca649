#pragma once

#include <memory>
#include <vector>

#include "core/value.h"
#include "exec/expression.h"
#include "planner/scope.h"
#include "sql/ast.h"

namespace sluice::planner {

/// Lets a subquery name the columns of the query around it. Without values (while the outer
/// query is planned) it records which outer columns the subquery uses and binds them as typed
/// NULL placeholders; with one outer row's values it binds them as those constants. A chain
/// of parents reaches queries further out.
class OuterReferences {
 public:
  OuterReferences(Scope scope, std::vector<core::Value> values,
                  std::shared_ptr<const OuterReferences> parent)
      : scope_(std::move(scope)), values_(std::move(values)), parent_(std::move(parent)) {}

  /// Returns a constant for the outer column `reference` names, or null when none does.
  std::unique_ptr<exec::Expression> Resolve(const sql::ColumnRefExpr& reference) const;
  /// Returns the outer columns resolved so far (indices into the scope), in first-use order.
  const std::vector<size_t>& used() const { return used_; }
  const Scope& scope() const { return scope_; }

 private:
  Scope scope_;
  std::vector<core::Value> values_;  // empty while collecting
  std::shared_ptr<const OuterReferences> parent_;
  mutable std::vector<size_t> used_;
};

}  // namespace sluice::planner
