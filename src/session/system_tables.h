#pragma once

#include <memory>
#include <string_view>

#include "planner/catalog.h"

namespace sluice::session {

class Database;

/// Returns true for names of the schemas `sluice` and `information_schema`.
bool IsSystemTableName(std::string_view name);

/// Returns system table `name` ("sluice.datasets", "information_schema.columns", …) built
/// from the catalog now, or nullptr when there is no such table. Throws UserError for a
/// catalog table of an in-memory database.
std::shared_ptr<const planner::TableEntry> SystemTable(const Database& database,
                                                       std::string_view name);

}  // namespace sluice::session
