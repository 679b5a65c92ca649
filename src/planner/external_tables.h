#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "planner/catalog.h"
#include "sql/expression.h"

namespace sluice::planner {

/// Is where a source's rows live and how to read them: CREATE SOURCE's location and options,
/// or the arguments of a postgres_scan / sqlite_scan call.
struct ExternalTableSpec {
  std::string location;  // postgresql://…, sqlite:path, path.db/.sqlite, or a data file path
  /// Options by lower-case name: table (databases), unsupported ('error' | 'text'),
  /// type_mismatch ('error' | 'null', SQLite).
  std::vector<std::pair<std::string, std::string>> options;
};

/// Describes the table `spec` names (connecting to the database, or opening the file) and
/// returns an entry whose open_scan streams it, pushing the projection and the filters the
/// database evaluates as Sluice does. Each scan opens its own connection when it starts.
/// Throws UserError for a bad option, a missing table or an unsupported column type, IoError
/// when the database or file cannot be reached; messages never hold a password.
std::shared_ptr<const TableEntry> OpenExternalTable(const ExternalTableSpec& spec);

/// Returns true for the table functions that read database tables (postgres_scan,
/// sqlite_scan).
bool IsDatabaseTableFunction(std::string_view name);

/// Returns the table a postgres_scan('url', 'schema.table' [, unsupported => 'text']) or
/// sqlite_scan('file.db', 'table' [, type_mismatch => 'null', unsupported => 'text']) call
/// reads. Throws UserError naming line and column for bad arguments.
std::shared_ptr<const TableEntry> DatabaseTableFunction(const sql::FunctionExpr& call);

}  // namespace sluice::planner
