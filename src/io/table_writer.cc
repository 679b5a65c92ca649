#include "io/table_writer.h"

#include <algorithm>

#include "base/error.h"
#include "io/postgres/pg_connection.h"
#include "io/postgres/pg_table_writer.h"
#include "io/sqlite/sqlite_table_writer.h"

namespace sluice::io {

std::optional<WriteMode> WriteModeOf(std::string_view name) {
  if (name == "replace") return WriteMode::kReplace;
  if (name == "append") return WriteMode::kAppend;
  if (name == "upsert") return WriteMode::kUpsert;
  return std::nullopt;
}

std::string_view WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kReplace:
      return "replace";
    case WriteMode::kAppend:
      return "append";
    case WriteMode::kUpsert:
      return "upsert";
  }
  return "replace";
}

bool IsPostgresLocation(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::optional<std::string> SqlitePathOf(std::string_view location) {
  if (location.starts_with("sqlite://")) return std::string(location.substr(9));
  if (location.starts_with("sqlite:")) return std::string(location.substr(7));
  for (std::string_view extension : {".db", ".sqlite", ".sqlite3"}) {
    if (location.ends_with(extension)) return std::string(location);
  }
  return std::nullopt;
}

bool IsDatabaseLocation(std::string_view location) {
  return IsPostgresLocation(location) || SqlitePathOf(location).has_value();
}

std::string DisplayLocation(const std::string& location) {
  if (!IsPostgresLocation(location)) return location;
  std::string redacted = postgres::RedactPgUrl(location);
  return redacted.empty() ? "postgresql://…" : redacted;
}

std::unique_ptr<TableWriter> OpenTableWriter(const std::string& location,
                                             const core::SchemaPtr& schema,
                                             const TableWriteOptions& options) {
  if (options.table.empty()) Throw<UserError>("a sink needs the option table = 'name'");
  if (options.mode == WriteMode::kUpsert && options.key.empty()) {
    Throw<UserError>(
        "mode 'upsert' needs the option key = 'column[, column…]' naming the columns that "
        "identify a row");
  }
  for (const std::string& column : options.key) {
    const auto& fields = schema->fields();
    if (std::none_of(fields.begin(), fields.end(),
                     [&](const core::Field& field) { return field.name == column; })) {
      Throw<UserError>("key column \"{}\" is not a column of the rows written ({})", column,
                       schema->ToString());
    }
  }
  if (IsPostgresLocation(location)) {
    return std::make_unique<postgres::PgTableWriter>(location, schema, options);
  }
  if (auto path = SqlitePathOf(location)) {
    return std::make_unique<sqlite::SqliteTableWriter>(*path, schema, options);
  }
  Throw<UserError>(
      "cannot write to '{}': expected a postgresql:// URL, sqlite:path, or a .db/.sqlite file",
      location);
}

}  // namespace sluice::io
