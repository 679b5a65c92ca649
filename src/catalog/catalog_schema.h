#pragma once

#include <string>
#include <string_view>

#include "catalog/meta_db.h"
#include "core/value.h"

namespace sluice::catalog {

/// Returns how many schema migrations this Sluice knows (the newest schema version: SQLite's
/// `PRAGMA user_version`, PostgreSQL's `sluice_schema_version` table).
int CatalogSchemaVersion();
/// Returns the SQL script that migrates a `backend` catalog from version `from` to `from + 1`.
/// REQUIRES: 0 <= from < CatalogSchemaVersion().
std::string CatalogMigration(int from, MetaBackend backend = MetaBackend::kSqlite);

/// Returns the statistic stored as `text` as a value of `type`; NULL when `is_null` or when the
/// text no longer converts.
core::Value ParseStatistic(bool is_null, std::string_view text, core::TypeId type);

}  // namespace sluice::catalog
