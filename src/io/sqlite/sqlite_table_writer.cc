#include "io/sqlite/sqlite_table_writer.h"

#include <algorithm>

#include "base/error.h"
#include "core/datetime.h"
#include "io/scan_sql.h"
#include "io/sqlite/sqlite_types.h"

namespace sluice::io::sqlite {
namespace {

using core::TypeId;

bool TableExists(SqliteDatabase& database, const std::string& table, std::string_view what) {
  std::vector<std::string> parts = SplitTableName(table);
  SqliteStatement info =
      database.Prepare(parts.size() == 2 ? "SELECT count(*) FROM pragma_table_info(?1, ?2)"
                                         : "SELECT count(*) FROM pragma_table_info(?1)",
                       what);
  sqlite3_bind_text(info.get(), 1, parts.back().c_str(), -1, SQLITE_TRANSIENT);
  if (parts.size() == 2) sqlite3_bind_text(info.get(), 2, parts[0].c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(info.get()) != SQLITE_ROW) database.Fail(what);
  return sqlite3_column_int64(info.get(), 0) > 0;
}

std::string NameList(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names)
    list += (list.empty() ? "" : ", ") + QuoteSqlIdentifier(name);
  return list;
}

}  // namespace

SqliteTableWriter::SqliteTableWriter(const std::string& path, core::SchemaPtr schema,
                                     TableWriteOptions options)
    : database_(SqliteDatabase::Open(path, true)),
      schema_(std::move(schema)),
      options_(std::move(options)),
      target_(QuoteTableName(options_.table)) {
  Prepare();
}

SqliteTableWriter::~SqliteTableWriter() {
  if (committed_) return;
  insert_.reset();
  sqlite3_exec(database_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

std::string SqliteTableWriter::What() const { return "writing table \"" + options_.table + "\""; }

void SqliteTableWriter::Prepare() {
  database_->Execute("BEGIN IMMEDIATE", What());
  if (!TableExists(*database_, options_.table, What())) {
    std::string create = "CREATE TABLE " + target_ + " (";
    for (const core::Field& field : schema_->fields()) {
      create += QuoteSqlIdentifier(field.name) + " " + std::string(SqliteTypeOf(field.type)) + ", ";
    }
    create = options_.key.empty() ? create.substr(0, create.size() - 2) + ")"
                                  : create + "PRIMARY KEY (" + NameList(options_.key) + "))";
    database_->Execute(create, What());
  } else if (options_.mode == WriteMode::kReplace) {
    database_->Execute("DELETE FROM " + target_, What());
  }
  insert_ = database_->Prepare(InsertSql(), What());
}

std::string SqliteTableWriter::InsertSql() const {
  std::vector<std::string> columns;
  std::string updates;
  for (const core::Field& field : schema_->fields()) {
    columns.push_back(field.name);
    if (std::find(options_.key.begin(), options_.key.end(), field.name) != options_.key.end()) {
      continue;
    }
    std::string quoted = QuoteSqlIdentifier(field.name);
    updates += (updates.empty() ? "" : ", ") + quoted + " = excluded." + quoted;
  }
  std::string parameters;
  for (size_t i = 0; i < columns.size(); ++i) parameters += i == 0 ? "?" : ", ?";
  std::string sql =
      "INSERT INTO " + target_ + " (" + NameList(columns) + ") VALUES (" + parameters + ")";
  if (options_.mode != WriteMode::kUpsert) return sql;
  return sql + " ON CONFLICT (" + NameList(options_.key) + ") DO " +
         (updates.empty() ? "NOTHING" : "UPDATE SET " + updates);
}

void SqliteTableWriter::Bind(const core::Vector& vector, size_t row, int parameter) {
  sqlite3_stmt* insert = insert_.get();
  if (vector.IsNull(row)) {
    sqlite3_bind_null(insert, parameter);
    return;
  }
  switch (vector.type()) {
    case TypeId::kBoolean:
      sqlite3_bind_int(insert, parameter, vector.data<uint8_t>()[row] ? 1 : 0);
      return;
    case TypeId::kInteger:
      sqlite3_bind_int(insert, parameter, vector.data<int32_t>()[row]);
      return;
    case TypeId::kBigint:
      sqlite3_bind_int64(insert, parameter, vector.data<int64_t>()[row]);
      return;
    case TypeId::kDouble:
      sqlite3_bind_double(insert, parameter, vector.data<double>()[row]);
      return;
    case TypeId::kVarchar: {
      std::string_view text = vector.GetString(row);
      sqlite3_bind_text(insert, parameter, text.data(), static_cast<int>(text.size()),
                        SQLITE_STATIC);
      return;
    }
    case TypeId::kDate:
    case TypeId::kTimestamp:
      scratch_ = vector.type() == TypeId::kDate
                     ? core::FormatDate(vector.data<int32_t>()[row])
                     : core::FormatTimestamp(vector.data<int64_t>()[row]);
      sqlite3_bind_text(insert, parameter, scratch_.data(), static_cast<int>(scratch_.size()),
                        SQLITE_TRANSIENT);
      return;
  }
}

void SqliteTableWriter::Append(const core::Batch& batch) {
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    size_t physical = batch.PhysicalRow(row);
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      Bind(batch.column(c), physical, static_cast<int>(c + 1));
    }
    if (sqlite3_step(insert_.get()) != SQLITE_DONE) {
      database_->Fail(fmt::format("row {} refused while {}", rows_ + 1, What()));
    }
    sqlite3_reset(insert_.get());
    ++rows_;
  }
}

size_t SqliteTableWriter::Commit() {
  insert_.reset();
  database_->Execute("COMMIT", What());
  committed_ = true;
  return rows_;
}

}  // namespace sluice::io::sqlite
