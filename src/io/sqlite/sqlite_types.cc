#include "io/sqlite/sqlite_types.h"

#include <algorithm>
#include <cctype>

#include "base/error.h"
#include "base/strings.h"
#include "io/scan_sql.h"

namespace sluice::io::sqlite {
namespace {

using core::TypeId;

std::string Upper(std::string_view text) { return AsciiUpper(std::string(text)); }

// Returns the type the stored values of an undeclared column suggest.
TypeId InferFromValues(SqliteDatabase& database, const std::string& table,
                       const std::string& column) {
  std::string quoted = QuoteSqlIdentifier(column);
  SqliteStatement sample =
      database.Prepare("SELECT DISTINCT typeof(" + quoted + ") FROM (SELECT " + quoted + " FROM " +
                           QuoteTableName(table) + " WHERE " + quoted + " IS NOT NULL LIMIT 1000)",
                       "sampling column \"" + column + "\"");
  bool integer = false, real = false, other = false;
  while (sqlite3_step(sample.get()) == SQLITE_ROW) {
    std::string_view kind = reinterpret_cast<const char*>(sqlite3_column_text(sample.get(), 0));
    integer = integer || kind == "integer";
    real = real || kind == "real";
    other = other || (kind != "integer" && kind != "real");
  }
  if (other || (!integer && !real)) return TypeId::kVarchar;
  return real ? TypeId::kDouble : TypeId::kBigint;
}

SqliteColumn ColumnOf(SqliteDatabase& database, const std::string& table, std::string name,
                      std::string declared, UnsupportedTypes unsupported) {
  SqliteColumn column{std::move(name), std::move(declared)};
  std::string upper = Upper(column.declared);
  if (upper.empty()) {
    column.type = InferFromValues(database, table, column.name);
    return column;  // no affinity: SQLite compares stored values as they are
  }
  auto type = TypeOfDeclared(upper);
  if (!type && unsupported == UnsupportedTypes::kError) {
    Throw<UserError>(
        "column \"{}\" of SQLite table \"{}\" is declared {}, which Sluice cannot read; use the "
        "option unsupported = 'text' to read it as hexadecimal text",
        column.name, table, column.declared);
  }
  column.as_hex = !type;
  column.type = type.value_or(TypeId::kVarchar);
  // Affinity converts what is stored into these types, so SQLite compares as Sluice does.
  bool text_affinity = upper.find("CHAR") != std::string::npos ||
                       upper.find("CLOB") != std::string::npos ||
                       upper.find("TEXT") != std::string::npos;
  column.comparable =
      !column.as_hex && (column.type == TypeId::kBigint || column.type == TypeId::kDouble ||
                         (column.type == TypeId::kVarchar && text_affinity));
  return column;
}

double EstimateRows(SqliteDatabase& database, const std::string& table) {
  sqlite3_stmt* statement = nullptr;
  std::string sql = "SELECT max(rowid) FROM " + QuoteTableName(table);
  if (sqlite3_prepare_v2(database.raw(), sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    sqlite3_finalize(statement);
    return 0;  // a view or a WITHOUT ROWID table
  }
  double rows = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_double(statement, 0) : 0;
  sqlite3_finalize(statement);
  return rows;
}

}  // namespace

std::optional<TypeId> TypeOfDeclared(std::string_view declared) {
  std::string upper = Upper(declared);
  auto has = [&](std::string_view part) { return upper.find(part) != std::string::npos; };
  if (upper.starts_with("BOOL")) return TypeId::kBoolean;
  if (has("INT")) return TypeId::kBigint;
  if (has("CHAR") || has("CLOB") || has("TEXT")) return TypeId::kVarchar;
  if (has("BLOB") || upper.empty()) return std::nullopt;
  if (has("REAL") || has("FLOA") || has("DOUB")) return TypeId::kDouble;
  if (has("DATETIME") || has("TIMESTAMP")) return TypeId::kTimestamp;
  if (has("DATE")) return TypeId::kDate;
  return TypeId::kDouble;  // NUMERIC, DECIMAL(p, s), …: numeric affinity
}

std::string_view SqliteTypeOf(TypeId type) {
  // SQLite keeps declared names as written; only VARCHAR reads better as TEXT there.
  return type == TypeId::kVarchar ? "TEXT" : core::TypeName(type);
}

SqliteTable DescribeSqliteTable(SqliteDatabase& database, const std::string& table,
                                UnsupportedTypes unsupported) {
  std::vector<std::string> parts = SplitTableName(table);
  std::string what = "describing table \"" + table + "\"";
  SqliteStatement info =
      database.Prepare(parts.size() == 2 ? "SELECT name, type FROM pragma_table_info(?1, ?2)"
                                         : "SELECT name, type FROM pragma_table_info(?1)",
                       what);
  sqlite3_bind_text(info.get(), 1, parts.back().c_str(), -1, SQLITE_TRANSIENT);
  if (parts.size() == 2) sqlite3_bind_text(info.get(), 2, parts[0].c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::pair<std::string, std::string>> declared;
  int status;
  while ((status = sqlite3_step(info.get())) == SQLITE_ROW) {
    auto text = [&](int i) {
      const unsigned char* value = sqlite3_column_text(info.get(), i);
      return std::string(value == nullptr ? "" : reinterpret_cast<const char*>(value));
    };
    declared.emplace_back(text(0), text(1));
  }
  if (status != SQLITE_DONE) database.Fail(what);
  if (declared.empty() || parts.size() > 2) {
    Throw<UserError>("SQLite table \"{}\" does not exist in '{}'", table, database.path());
  }
  SqliteTable result{table, {}, EstimateRows(database, table)};
  for (auto& [name, type] : declared) {
    result.columns.push_back(
        ColumnOf(database, table, std::move(name), std::move(type), unsupported));
  }
  return result;
}

core::SchemaPtr SchemaOf(const std::vector<SqliteColumn>& columns) {
  std::vector<core::Field> fields;
  for (const SqliteColumn& column : columns) fields.push_back({column.name, column.type});
  return std::make_shared<core::Schema>(std::move(fields));
}

}  // namespace sluice::io::sqlite
