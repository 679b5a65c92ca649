#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice::io {

/// Says how a sink writes into its target table.
enum class WriteMode {
  kReplace,  // create the table when missing, else empty it; then insert
  kAppend,   // create the table when missing; insert
  kUpsert,   // insert, updating the rows whose key is already there
};

/// Returns the mode named `name` ("replace", "append", "upsert"), or nothing.
std::optional<WriteMode> WriteModeOf(std::string_view name);
/// Returns the name of `mode`.
std::string_view WriteModeName(WriteMode mode);

/// Is where and how a sink writes.
struct TableWriteOptions {
  std::string table;  // "schema.table" or "table", names exact
  WriteMode mode = WriteMode::kReplace;
  std::vector<std::string> key;  // upsert: the columns that identify a row
};

/// Writes rows into one database table inside one transaction: nothing is visible to others
/// before Commit(), and a writer destroyed without Commit() (an error, a cancel) leaves the
/// target as it was. Not thread-safe.
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  /// Writes the rows of `batch` (whose schema is the writer's). Throws on a refused row.
  virtual void Append(const core::Batch& batch) = 0;
  /// Makes every appended row visible at once; returns the number of rows written.
  virtual size_t Commit() = 0;
};

/// Opens a writer of rows of `schema` into the database at `location` (postgresql://… or
/// sqlite:path / path.db). Throws UserError for an unknown location, a bad option (upsert
/// without key, a key column not in `schema`), or when the database refuses.
std::unique_ptr<TableWriter> OpenTableWriter(const std::string& location,
                                             const core::SchemaPtr& schema,
                                             const TableWriteOptions& options);

/// Returns true when `location` names a database Sluice can read and write (postgresql://,
/// postgres://, sqlite:, or a path ending in .db, .sqlite or .sqlite3).
bool IsDatabaseLocation(std::string_view location);

/// Returns true for postgresql:// and postgres:// URLs.
bool IsPostgresLocation(std::string_view location);

/// Returns the SQLite file path of a location (sqlite:path, sqlite://path, or a bare .db path),
/// or nothing when it is not SQLite.
std::optional<std::string> SqlitePathOf(std::string_view location);

/// Returns `location` fit to print: a PostgreSQL URL without its password.
std::string DisplayLocation(const std::string& location);

}  // namespace sluice::io
