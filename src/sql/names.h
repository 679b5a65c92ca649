#pragma once

#include <string>

#include "sql/ast.h"

namespace sluice::sql {

/// Returns the name a catalog knows a table by: "sluice.datasets" and
/// "information_schema.tables" keep their schema; other qualifiers (main.t, public.t) name the
/// one namespace of user tables, so only the last part counts.
std::string CatalogName(const QualifiedName& name);

}  // namespace sluice::sql
