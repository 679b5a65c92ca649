#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "io/sqlite/sqlite_database.h"

namespace sluice::io::sqlite {

/// Says what to do with a column declared BLOB.
enum class UnsupportedTypes { kError, kText };

/// Says what to do with a value that does not fit its column's type (SQLite lets any column
/// hold any value): fail naming column, value and row, or read it as NULL.
enum class TypeMismatch { kError, kNull };

/// Is one column of an SQLite table as Sluice reads it.
struct SqliteColumn {
  std::string name;
  std::string declared;  // the declared type, as written ("" when none)
  core::TypeId type = core::TypeId::kVarchar;
  bool as_hex = false;      // a BLOB column read as hexadecimal text
  bool comparable = false;  // SQLite compares it as Sluice does: filters may be pushed
};

/// Is an SQLite table or view: its columns and about how many rows it has.
struct SqliteTable {
  std::string name;  // as the user wrote it
  std::vector<SqliteColumn> columns;
  double estimated_rows = 0;
};

/// Returns the Sluice type of a declared type by SQLite's affinity rules, refined by name
/// (BOOL… → BOOLEAN, DATE → DATE, DATETIME/TIMESTAMP… → TIMESTAMP); nothing for BLOB and for
/// no declared type.
std::optional<core::TypeId> TypeOfDeclared(std::string_view declared);

/// Returns the type a Sluice type is declared as in CREATE TABLE (reads back as the same
/// type, except INTEGER, which reads back as BIGINT).
std::string_view SqliteTypeOf(core::TypeId type);

/// Describes `table` ("table" or "schema.table"). A column without declared type takes its
/// type from the values of its first 1000 non-NULL rows. Throws UserError when the table does
/// not exist, or for a BLOB column when `unsupported` is kError.
SqliteTable DescribeSqliteTable(SqliteDatabase& database, const std::string& table,
                                UnsupportedTypes unsupported);

/// Returns the schema of `columns`.
core::SchemaPtr SchemaOf(const std::vector<SqliteColumn>& columns);

}  // namespace sluice::io::sqlite
