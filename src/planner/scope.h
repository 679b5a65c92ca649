#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "sql/ast.h"

namespace sluice::planner {

/// Is one column visible to expressions: the table (alias) it comes from, its name, type.
struct ScopeColumn {
  std::string table;
  std::string name;
  core::TypeId type;
  /// Hidden columns (join keys computed for a join, the right side of USING) are not
  /// expanded by `*` and are found only when qualified.
  bool hidden = false;
  /// Which FROM item of a chain of joins the column comes from (1-based; 0: none), so the
  /// planner can restore the FROM order after joining in another order.
  uint32_t source = 0;
};

/// Is the list of columns an expression can name, in input-column order.
class Scope {
 public:
  Scope() = default;
  explicit Scope(std::vector<ScopeColumn> columns) : columns_(std::move(columns)) {}

  const std::vector<ScopeColumn>& columns() const { return columns_; }
  /// Returns the index of the column `reference` names. Throws UserError naming the line and
  /// column when it is missing (with the closest name as a suggestion) or ambiguous.
  size_t Resolve(const sql::ColumnRefExpr& reference) const;
  /// Returns the index of the column `reference` names, or nothing when none does. Throws
  /// UserError when it is ambiguous.
  std::optional<size_t> TryResolve(const sql::ColumnRefExpr& reference) const;
  /// Returns the index of the column named `name` (unqualified), or nothing.
  std::optional<size_t> Find(const std::string& name) const;

 private:
  std::vector<ScopeColumn> columns_;
};

/// Returns the candidate closest to `name` by edit distance, if it is close enough to be a
/// likely misspelling (sql::ClosestName, kept here for the planner's callers).
std::optional<std::string> ClosestName(const std::string& name,
                                       const std::vector<std::string>& candidates);

}  // namespace sluice::planner
