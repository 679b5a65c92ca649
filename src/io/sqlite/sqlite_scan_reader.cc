#include "io/sqlite/sqlite_scan_reader.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "base/strings.h"
#include "core/datetime.h"
#include "io/scan_sql.h"

namespace sluice::io::sqlite {
namespace {

using core::TypeId;

std::vector<SqliteColumn> Project(const SqliteTable& table, const std::vector<std::string>& names) {
  if (names.empty()) return table.columns;
  std::vector<SqliteColumn> columns;
  for (const std::string& name : names) {
    auto found = std::find_if(table.columns.begin(), table.columns.end(),
                              [&](const SqliteColumn& column) { return column.name == name; });
    if (found == table.columns.end()) {
      Throw<UserError>("column \"{}\" does not exist in SQLite table \"{}\"", name, table.name);
    }
    columns.push_back(*found);
  }
  return columns;
}

std::string_view Text(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  return {text == nullptr ? "" : text,
          static_cast<size_t>(sqlite3_column_bytes(statement, column))};
}

std::optional<bool> ParseBoolean(std::string_view text) {
  std::string lower = AsciiLower(std::string(text));
  if (lower == "true" || lower == "t" || lower == "1") return true;
  if (lower == "false" || lower == "f" || lower == "0") return false;
  return std::nullopt;
}

std::string_view KindName(int kind) {
  switch (kind) {
    case SQLITE_INTEGER:
      return "INTEGER";
    case SQLITE_FLOAT:
      return "REAL";
    case SQLITE_TEXT:
      return "TEXT";
    default:
      return "BLOB";
  }
}

}  // namespace

std::string SqliteScanQuery(const SqliteTable& table, const std::vector<SqliteColumn>& columns,
                            const std::vector<ScanPredicate>& predicates, TypeMismatch mismatch) {
  std::string select;
  for (const SqliteColumn& column : columns) {
    std::string quoted = QuoteSqlIdentifier(column.name);
    select += (select.empty() ? "" : ", ") +
              (column.as_hex ? "CASE WHEN " + quoted + " IS NOT NULL THEN hex(" + quoted + ") END"
                             : quoted);
  }
  std::vector<ScanPredicate> pushable;
  for (const ScanPredicate& predicate : predicates) {
    bool is_null = predicate.op == ScanPredicate::Op::kIsNull;
    // A mismatched value is NULL to Sluice but not to SQLite.
    if (is_null && mismatch == TypeMismatch::kNull) continue;
    for (const SqliteColumn& column : table.columns) {
      if (column.name != predicate.column) continue;
      if (column.comparable || is_null || predicate.op == ScanPredicate::Op::kIsNotNull) {
        pushable.push_back(predicate);
      }
    }
  }
  std::string where = PredicatesToSql(pushable, *SchemaOf(table.columns), SqlDialect::kSqlite);
  return "SELECT " + (select.empty() ? std::string("NULL") : select) + " FROM " +
         QuoteTableName(table.name) + (where.empty() ? "" : " WHERE " + where);
}

SqliteScanReader::SqliteScanReader(std::string path, SqliteTable table,
                                   const std::vector<std::string>& columns,
                                   const std::vector<ScanPredicate>& predicates,
                                   TypeMismatch mismatch)
    : path_(std::move(path)),
      table_name_(table.name),
      columns_(Project(table, columns)),
      schema_(SchemaOf(columns_)),
      query_(SqliteScanQuery(table, columns_, predicates, mismatch)),
      mismatch_(mismatch) {}

std::optional<core::Batch> SqliteScanReader::Next() {
  if (done_) return std::nullopt;
  if (database_ == nullptr) {
    database_ = SqliteDatabase::Open(path_, false);
    statement_ = database_->Prepare(query_, "reading table \"" + table_name_ + "\"");
  }
  core::Batch batch(schema_);
  size_t rows = 0;
  while (rows < core::kVectorSize) {
    int status = sqlite3_step(statement_.get());
    if (status == SQLITE_DONE) {
      done_ = true;
      statement_.reset();
      database_.reset();
      break;
    }
    if (status != SQLITE_ROW) database_->Fail("reading table \"" + table_name_ + "\"");
    for (size_t c = 0; c < columns_.size(); ++c) ReadValue(c, batch.column(c), rows);
    ++rows;
    ++rows_read_;
  }
  if (rows == 0) return std::nullopt;
  batch.SetNumRows(rows);
  return batch;
}

void SqliteScanReader::ReadValue(size_t column, core::Vector& vector, size_t row) {
  sqlite3_stmt* statement = statement_.get();
  int index = static_cast<int>(column);
  int kind = sqlite3_column_type(statement, index);
  if (kind == SQLITE_NULL) {
    vector.SetNull(row);
    return;
  }
  bool number = kind == SQLITE_INTEGER || kind == SQLITE_FLOAT;
  bool fits = true;
  switch (vector.type()) {
    case TypeId::kInteger:  // never declared so (INT… is BIGINT); kept for completeness
      fits = kind == SQLITE_INTEGER;
      if (fits) vector.data<int32_t>()[row] = sqlite3_column_int(statement, index);
      break;
    case TypeId::kBigint: {
      fits = kind == SQLITE_INTEGER;
      if (kind == SQLITE_FLOAT) {  // 2.0 fits, 2.5 does not
        double real = sqlite3_column_double(statement, index);
        fits = real == std::trunc(real) && std::fabs(real) < 9.2e18;
      }
      if (fits) vector.data<int64_t>()[row] = sqlite3_column_int64(statement, index);
      break;
    }
    case TypeId::kDouble:
      fits = number;
      if (fits) vector.data<double>()[row] = sqlite3_column_double(statement, index);
      break;
    case TypeId::kBoolean: {
      auto value = kind == SQLITE_INTEGER
                       ? std::optional<bool>(sqlite3_column_int64(statement, index) != 0)
                       : ParseBoolean(Text(statement, index));
      fits = value.has_value() && kind != SQLITE_FLOAT;
      if (fits) vector.data<uint8_t>()[row] = *value;
      break;
    }
    case TypeId::kVarchar:
      vector.SetString(row, Text(statement, index));
      break;
    case TypeId::kDate: {
      auto days = kind == SQLITE_TEXT ? core::ParseDate(Text(statement, index)) : std::nullopt;
      fits = days.has_value();
      if (fits) vector.data<int32_t>()[row] = *days;
      break;
    }
    case TypeId::kTimestamp: {
      auto micros =
          kind == SQLITE_TEXT ? core::ParseTimestamp(Text(statement, index)) : std::nullopt;
      fits = micros.has_value();
      if (fits) vector.data<int64_t>()[row] = *micros;
      break;
    }
  }
  if (fits) return;
  if (mismatch_ == TypeMismatch::kError) Mismatch(column);
  vector.SetNull(row);
}

void SqliteScanReader::Mismatch(size_t column) const {
  sqlite3_stmt* statement = statement_.get();
  int index = static_cast<int>(column);
  std::string value(Text(statement, index).substr(0, 40));
  const SqliteColumn& sqlite = columns_[column];
  Throw<DataError>(
      "column \"{}\" of SQLite table \"{}\" (declared {}, read as {}) holds the {} value '{}' in "
      "row {}; use the option type_mismatch = 'null' to read such values as NULL",
      sqlite.name, table_name_, sqlite.declared.empty() ? "without type" : sqlite.declared,
      core::TypeName(sqlite.type), KindName(sqlite3_column_type(statement, index)), value,
      rows_read_ + 1);
}

}  // namespace sluice::io::sqlite
