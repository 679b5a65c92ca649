#include "planner/scope.h"

#include <strings.h>

#include <algorithm>

#include "base/error.h"

namespace sluice::planner {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> ClosestName(const std::string& name,
                                       const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(name, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
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
