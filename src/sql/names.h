#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql/ast.h"

namespace sluice::sql {

/// Returns the name a catalog knows a table by: "sluice.datasets" and
/// "information_schema.tables" keep their schema; other qualifiers (main.t, public.t) name the
/// one namespace of user tables, so only the last part counts.
std::string CatalogName(const QualifiedName& name);

/// Returns the candidate closest to `name` by edit distance, if it is close enough to be a
/// likely misspelling (for "did you mean" hints).
std::optional<std::string> ClosestName(const std::string& name,
                                       const std::vector<std::string>& candidates);

}  // namespace sluice::sql
