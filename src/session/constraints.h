#pragma once

#include <string>

#include "planner/catalog.h"

namespace sluice::session {

/// Throws UserError when the rows of `table` (named `name`) break one of its NOT NULL or
/// unique constraints, naming the column, or the key's columns and the duplicated values.
void CheckConstraints(const planner::TableEntry& table, const std::string& name);

}  // namespace sluice::session
