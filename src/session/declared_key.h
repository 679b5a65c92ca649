#pragma once

#include <string>
#include <vector>

#include "core/schema.h"
#include "planner/catalog.h"
#include "sql/ast.h"

namespace sluice::session {

/// Returns the columns of `schema` that the key of `statement` (`WITH (key = 'a, b')`) names,
/// in the key's order; empty when the statement declares no key. Throws UserError, with the
/// option's line and column, for an empty key, a column named twice, or a column that is not in
/// `schema` (suggesting the nearest one).
std::vector<size_t> DeclaredKey(const sql::CreateTableStatement& statement,
                                const core::Schema& schema);

/// Makes the key that `statement` declares the first unique key of `table` (named `name`) and
/// its columns NOT NULL, then checks the rows: a NULL or duplicated key throws UserError naming
/// the table, the key's columns and the value. Does nothing without a declared key.
/// REQUIRES: `table` holds batches (not a stored table's scan).
void ApplyDeclaredKey(const sql::CreateTableStatement& statement, const std::string& name,
                      planner::TableEntry& table);

}  // namespace sluice::session
