#pragma once

#include <string_view>

#include "core/value.h"

namespace sluice::catalog {

/// Returns how many schema migrations this Sluice knows (the newest `PRAGMA user_version`).
int CatalogSchemaVersion();
/// Returns the SQL that migrates a catalog from version `from` to `from + 1`.
/// REQUIRES: 0 <= from < CatalogSchemaVersion().
const char* CatalogMigration(int from);

/// Returns the statistic stored as `text` as a value of `type`; NULL when `is_null` or when the
/// text no longer converts.
core::Value ParseStatistic(bool is_null, std::string_view text, core::TypeId type);

}  // namespace sluice::catalog
