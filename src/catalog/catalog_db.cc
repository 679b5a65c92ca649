#include "catalog/catalog_db.h"

#include <sqlite3.h>

#include <chrono>

#include "base/error.h"
#include "catalog/catalog_schema.h"

namespace sluice::catalog {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Returns "0,1;2" for {{0, 1}, {2}}.
std::string FormatKeys(const std::vector<std::vector<size_t>>& keys) {
  std::string text;
  for (const auto& key : keys) {
    if (!text.empty()) text += ';';
    for (size_t i = 0; i < key.size(); ++i) text += (i > 0 ? "," : "") + std::to_string(key[i]);
  }
  return text;
}

std::vector<std::vector<size_t>> ParseKeys(std::string_view text) {
  std::vector<std::vector<size_t>> keys;
  if (text.empty()) return keys;
  keys.emplace_back();
  size_t number = 0;
  for (char c : text) {
    if (c == ';' || c == ',') {
      keys.back().push_back(number);
      number = 0;
      if (c == ';') keys.emplace_back();
    } else {
      number = number * 10 + static_cast<size_t>(c - '0');
    }
  }
  keys.back().push_back(number);
  return keys;
}

}  // namespace

/// Is one prepared statement; binds parameters from 1 and steps through rows.
class CatalogDb::Statement {
 public:
  Statement(CatalogDb& db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db.db_, sql, -1, &statement_, nullptr) != SQLITE_OK) db.Fail("prepare");
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(std::string_view text) {
    Check(sqlite3_bind_text(statement_, ++bound_, text.data(), static_cast<int>(text.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Statement& Bind(int64_t number) {
    Check(sqlite3_bind_int64(statement_, ++bound_, number));
    return *this;
  }
  Statement& BindNull() {
    Check(sqlite3_bind_null(statement_, ++bound_));
    return *this;
  }
  // Returns true while there is a row.
  bool Step() {
    int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return true;
    if (code != SQLITE_DONE) db_.Fail("step");
    return false;
  }
  void Run() {
    while (Step()) {
    }
  }
  int64_t Int(int column) { return sqlite3_column_int64(statement_, column); }
  bool IsNull(int column) { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  std::string Text(int column) {
    const auto* text = sqlite3_column_text(statement_, column);
    return text == nullptr ? std::string()
                           : std::string(reinterpret_cast<const char*>(text),
                                         sqlite3_column_bytes(statement_, column));
  }

 private:
  void Check(int code) {
    if (code != SQLITE_OK) db_.Fail("bind");
  }

  CatalogDb& db_;
  sqlite3_stmt* statement_ = nullptr;
  int bound_ = 0;
};

/// Holds the catalog's mutex and one SQLite transaction, rolled back unless committed.
class CatalogDb::Transaction {
 public:
  Transaction(CatalogDb& db, bool write) : db_(db), lock_(db.mutex_) {
    db_.Exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void Commit() {
    db_.Exec("COMMIT");
    done_ = true;
  }

 private:
  CatalogDb& db_;
  std::lock_guard<std::recursive_mutex> lock_;
  bool done_ = false;
};

std::unique_ptr<CatalogDb> CatalogDb::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int code =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (code != SQLITE_OK) {
    std::string message = db == nullptr ? sqlite3_errstr(code) : sqlite3_errmsg(db);
    sqlite3_close(db);
    Throw<IoError>("cannot open the catalog '{}': {}", path, message);
  }
  std::unique_ptr<CatalogDb> catalog(new CatalogDb(db, path));
  sqlite3_busy_timeout(db, 60000);
  catalog->Exec("PRAGMA journal_mode=WAL");
  catalog->Exec("PRAGMA synchronous=FULL");
  catalog->Exec("PRAGMA foreign_keys=ON");
  catalog->Migrate();
  return catalog;
}

CatalogDb::CatalogDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

CatalogDb::~CatalogDb() { sqlite3_close(db_); }

void CatalogDb::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) == SQLITE_OK) return;
  std::string message = error == nullptr ? "unknown error" : error;
  sqlite3_free(error);
  int code = sqlite3_errcode(db_);
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
    Throw<DataError>("the catalog '{}' is not a valid SQLite database: {}", path_, message);
  }
  Throw<IoError>("catalog '{}': {}", path_, message);
}

void CatalogDb::Fail(std::string_view what) {
  int code = sqlite3_errcode(db_);
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
    Throw<DataError>("the catalog '{}' is not a valid SQLite database: {}", path_,
                     sqlite3_errmsg(db_));
  }
  Throw<IoError>("catalog '{}' ({}): {}", path_, what, sqlite3_errmsg(db_));
}

void CatalogDb::Migrate() {
  Transaction transaction(*this, true);
  int version = schema_version();
  if (version > CatalogSchemaVersion()) {
    Throw<DataError>(
        "the catalog '{}' has schema version {}, newer than this sluice knows ({}); upgrade "
        "sluice",
        path_, version, CatalogSchemaVersion());
  }
  for (; version < CatalogSchemaVersion(); ++version) Exec(CatalogMigration(version));
  Exec(("PRAGMA user_version=" + std::to_string(version)).c_str());
  transaction.Commit();
}

int CatalogDb::schema_version() {
  std::lock_guard lock(mutex_);
  Statement statement(*this, "PRAGMA user_version");
  return statement.Step() ? static_cast<int>(statement.Int(0)) : 0;
}

std::vector<std::string> CatalogDb::ResultNames() {
  std::lock_guard lock(mutex_);
  Statement statement(*this, "SELECT name FROM results ORDER BY name");
  std::vector<std::string> names;
  while (statement.Step()) names.push_back(statement.Text(0));
  return names;
}

std::vector<int64_t> CatalogDb::Versions(std::string_view name) {
  std::lock_guard lock(mutex_);
  Statement statement(*this, "SELECT version FROM versions WHERE result = ? ORDER BY version");
  statement.Bind(name);
  std::vector<int64_t> versions;
  while (statement.Step()) versions.push_back(statement.Int(0));
  return versions;
}

std::optional<VersionInfo> CatalogDb::FindVersion(std::string_view name, int64_t version) {
  Transaction transaction(*this, false);
  Statement statement(*this,
                      "SELECT created_micros, num_rows, num_bytes, unique_keys FROM versions "
                      "WHERE result = ? AND version = ?");
  statement.Bind(name).Bind(version);
  if (!statement.Step()) return std::nullopt;
  VersionInfo info;
  info.result = std::string(name);
  info.version = version;
  info.created_micros = statement.Int(0);
  info.num_rows = statement.Int(1);
  info.num_bytes = statement.Int(2);
  info.unique_keys = ParseKeys(statement.Text(3));
  LoadColumns(info);
  info.parts = LoadParts(name, version);
  transaction.Commit();
  return info;
}

void CatalogDb::LoadColumns(VersionInfo& info) {
  Statement statement(*this,
                      "SELECT name, type, not_null, null_count, min_value, max_value FROM "
                      "version_columns WHERE result = ? AND version = ? ORDER BY ordinal");
  statement.Bind(info.result).Bind(info.version);
  std::vector<core::Field> fields;
  while (statement.Step()) {
    auto type = core::TypeFromName(statement.Text(1));
    if (!type) Throw<DataError>("catalog '{}': unknown type {}", path_, statement.Text(1));
    fields.push_back({statement.Text(0), *type});
    ColumnInfo column;
    column.not_null = statement.Int(2) != 0;
    column.null_count = statement.Int(3);
    column.min = ParseStatistic(statement.IsNull(4), statement.Text(4), *type);
    column.max = ParseStatistic(statement.IsNull(5), statement.Text(5), *type);
    info.columns.push_back(std::move(column));
  }
  info.schema = std::make_shared<core::Schema>(std::move(fields));
}

std::vector<PartInfo> CatalogDb::LoadParts(std::string_view name, int64_t version) {
  Statement statement(*this,
                      "SELECT p.path, p.num_rows, p.num_bytes FROM version_parts v JOIN parts p "
                      "ON p.path = v.path WHERE v.result = ? AND v.version = ? ORDER BY v.ordinal");
  statement.Bind(name).Bind(version);
  std::vector<PartInfo> parts;
  while (statement.Step()) parts.push_back({statement.Text(0), statement.Int(1), statement.Int(2)});
  return parts;
}

int64_t CatalogDb::NextVersion(std::string_view name) {
  std::lock_guard lock(mutex_);
  Statement statement(*this, "SELECT next_version FROM results WHERE name = ?");
  statement.Bind(name);
  return statement.Step() ? statement.Int(0) : 1;
}

void CatalogDb::AddVersion(const VersionInfo& info) {
  Transaction transaction(*this, true);
  int64_t now = info.created_micros != 0 ? info.created_micros : NowMicros();
  Statement(*this,
            "INSERT INTO results (name, next_version, created_micros) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET next_version = excluded.next_version")
      .Bind(info.result)
      .Bind(info.version + 1)
      .Bind(now)
      .Run();
  Statement(*this,
            "INSERT INTO versions (result, version, created_micros, num_rows, num_bytes, "
            "unique_keys) VALUES (?, ?, ?, ?, ?, ?)")
      .Bind(info.result)
      .Bind(info.version)
      .Bind(now)
      .Bind(info.num_rows)
      .Bind(info.num_bytes)
      .Bind(FormatKeys(info.unique_keys))
      .Run();
  InsertColumns(info);
  InsertParts(info);
  transaction.Commit();
}

void CatalogDb::InsertColumns(const VersionInfo& info) {
  for (size_t c = 0; c < info.schema->num_fields(); ++c) {
    const ColumnInfo& column = info.columns[c];
    Statement statement(*this,
                        "INSERT INTO version_columns (result, version, ordinal, name, type, "
                        "not_null, null_count, min_value, max_value) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    statement.Bind(info.result).Bind(info.version).Bind(static_cast<int64_t>(c));
    statement.Bind(info.schema->field(c).name).Bind(core::TypeName(info.schema->field(c).type));
    statement.Bind(int64_t{column.not_null}).Bind(column.null_count);
    for (const core::Value* value : {&column.min, &column.max}) {
      if (value->is_null()) {
        statement.BindNull();
      } else {
        statement.Bind(value->ToString());
      }
    }
    statement.Run();
  }
}

void CatalogDb::InsertParts(const VersionInfo& info) {
  for (size_t p = 0; p < info.parts.size(); ++p) {
    const PartInfo& part = info.parts[p];
    Statement(*this,
              "INSERT INTO parts (path, result, num_rows, num_bytes) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (path) DO NOTHING")
        .Bind(part.path)
        .Bind(info.result)
        .Bind(part.num_rows)
        .Bind(part.num_bytes)
        .Run();
    Statement(*this,
              "INSERT INTO version_parts (result, version, ordinal, path) VALUES (?, ?, ?, ?)")
        .Bind(info.result)
        .Bind(info.version)
        .Bind(static_cast<int64_t>(p))
        .Bind(part.path)
        .Run();
  }
}

std::vector<std::string> CatalogDb::DeleteVersions(std::string_view name,
                                                   const std::vector<int64_t>& versions) {
  Transaction transaction(*this, true);
  for (int64_t version : versions) {
    for (const char* sql : {"DELETE FROM version_parts WHERE result = ? AND version = ?",
                            "DELETE FROM version_columns WHERE result = ? AND version = ?",
                            "DELETE FROM versions WHERE result = ? AND version = ?"}) {
      Statement(*this, sql).Bind(name).Bind(version).Run();
    }
  }
  Statement unused(*this,
                   "DELETE FROM parts WHERE result = ?1 AND path NOT IN "
                   "(SELECT path FROM version_parts WHERE result = ?1) RETURNING path");
  unused.Bind(name);
  std::vector<std::string> paths;
  while (unused.Step()) paths.push_back(unused.Text(0));
  transaction.Commit();
  return paths;
}

bool CatalogDb::DropResult(std::string_view name) {
  Transaction transaction(*this, true);
  for (const char* sql :
       {"DELETE FROM version_parts WHERE result = ?",
        "DELETE FROM version_columns WHERE result = ?", "DELETE FROM versions WHERE result = ?",
        "DELETE FROM parts WHERE result = ?"}) {
    Statement(*this, sql).Bind(name).Run();
  }
  Statement drop(*this, "DELETE FROM results WHERE name = ?");
  drop.Bind(name).Run();
  bool dropped = sqlite3_changes(db_) > 0;
  transaction.Commit();
  return dropped;
}

std::vector<std::string> CatalogDb::PartPaths(std::string_view name) {
  std::lock_guard lock(mutex_);
  Statement statement(*this, "SELECT path FROM parts WHERE result = ? ORDER BY path");
  statement.Bind(name);
  std::vector<std::string> paths;
  while (statement.Step()) paths.push_back(statement.Text(0));
  return paths;
}

std::optional<std::string> CatalogDb::GetSetting(std::string_view name) {
  std::lock_guard lock(mutex_);
  Statement statement(*this, "SELECT value FROM settings WHERE name = ?");
  statement.Bind(name);
  if (!statement.Step()) return std::nullopt;
  return statement.Text(0);
}

void CatalogDb::PutSetting(std::string_view name, std::string_view value) {
  std::lock_guard lock(mutex_);
  Statement(*this,
            "INSERT INTO settings (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value")
      .Bind(name)
      .Bind(value)
      .Run();
}

void CatalogDb::RecordSource(std::string_view name, std::string_view kind, std::string_view sql) {
  std::lock_guard lock(mutex_);
  Statement(*this,
            "INSERT INTO sources (name, kind, sql, created_micros) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, sql = excluded.sql")
      .Bind(name)
      .Bind(kind)
      .Bind(sql)
      .Bind(NowMicros())
      .Run();
}

bool CatalogDb::ForgetSource(std::string_view name) {
  std::lock_guard lock(mutex_);
  Statement(*this, "DELETE FROM sources WHERE name = ?").Bind(name).Run();
  return sqlite3_changes(db_) > 0;
}

std::vector<SourceDefinition> CatalogDb::Sources() {
  std::lock_guard lock(mutex_);
  Statement statement(*this, "SELECT name, kind, sql, created_micros FROM sources ORDER BY rowid");
  std::vector<SourceDefinition> sources;
  while (statement.Step()) {
    sources.push_back({statement.Text(0), statement.Text(1), statement.Text(2), statement.Int(3)});
  }
  return sources;
}

}  // namespace sluice::catalog
