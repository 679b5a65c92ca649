#include "planner/scope.h"

#include <strings.h>

#include <algorithm>

#include "base/error.h"
#include "sql/names.h"

namespace sluice::planner {

std::optional<std::string> ClosestName(const std::string& name,
                                       const std::vector<std::string>& candidates) {
  return sql::ClosestName(name, candidates);
}

std::optional<size_t> Scope::Find(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name && !columns_[i].hidden) return i;
  }
  return std::nullopt;
}

std::optional<size_t> Scope::TryResolve(const sql::ColumnRefExpr& reference) const {
  const std::string& name = reference.column();
  std::string table = reference.names.size() > 1 ? reference.names[reference.names.size() - 2] : "";
  std::optional<size_t> found;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name != name || (!table.empty() && columns_[i].table != table)) continue;
    if (columns_[i].hidden && table.empty()) continue;
    if (found) {
      Throw<UserError>("column reference \"{}\" is ambiguous at line {}, column {}", name,
                       reference.location.line, reference.location.column);
    }
    found = i;
  }
  if (found) return found;
  // Names from files keep their case ("Name"); like DuckDB, an unquoted reference that
  // matches no column exactly may match one ignoring case.
  for (size_t i = 0; i < columns_.size(); ++i) {
    const ScopeColumn& column = columns_[i];
    if (column.name.size() != name.size() ||
        strncasecmp(column.name.data(), name.data(), name.size()) != 0 ||
        (!table.empty() && column.table != table) || (column.hidden && table.empty())) {
      continue;
    }
    if (found) {
      Throw<UserError>("column reference \"{}\" is ambiguous at line {}, column {}", name,
                       reference.location.line, reference.location.column);
    }
    found = i;
  }
  return found;
}

size_t Scope::Resolve(const sql::ColumnRefExpr& reference) const {
  if (auto found = TryResolve(reference)) return *found;
  const std::string& name = reference.column();
  std::vector<std::string> names;
  for (const ScopeColumn& column : columns_) names.push_back(column.name);
  auto suggestion = ClosestName(name, names);
  Throw<UserError>("column \"{}\" does not exist at line {}, column {}{}", name,
                   reference.location.line, reference.location.column,
                   suggestion ? "; did you mean \"" + *suggestion + "\"?" : "");
}

}  // namespace sluice::planner
