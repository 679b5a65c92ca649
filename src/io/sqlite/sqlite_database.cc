#include "io/sqlite/sqlite_database.h"

#include <filesystem>

#include "base/error.h"

namespace sluice::io::sqlite {

std::unique_ptr<SqliteDatabase> SqliteDatabase::Open(const std::string& path, bool writable) {
  sqlite3* database = nullptr;
  int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (writable) {
    // A sink into `out/x.db` makes the folder `out/` when it is missing.
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  }
  int status = sqlite3_open_v2(path.c_str(), &database, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (status != SQLITE_OK) {
    std::string message = database == nullptr ? sqlite3_errstr(status) : sqlite3_errmsg(database);
    sqlite3_close(database);
    Throw<IoError>("cannot open SQLite database '{}': {}", path, message);
  }
  sqlite3_busy_timeout(database, 5000);
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(database, path));
}

SqliteDatabase::SqliteDatabase(sqlite3* database, std::string path)
    : database_(database), path_(std::move(path)) {}

SqliteDatabase::~SqliteDatabase() { sqlite3_close_v2(database_); }

void SqliteDatabase::Fail(std::string_view what) {
  int code = sqlite3_errcode(database_) & 0xff;
  std::string message = sqlite3_errmsg(database_);
  if (code == SQLITE_IOERR || code == SQLITE_CANTOPEN || code == SQLITE_NOTADB ||
      code == SQLITE_CORRUPT || code == SQLITE_FULL) {
    Throw<IoError>("{} in SQLite database '{}': {}", what, path_, message);
  }
  Throw<UserError>("{} in SQLite database '{}': {}", what, path_, message);
}

void SqliteDatabase::Execute(const std::string& sql, std::string_view what) {
  if (sqlite3_exec(database_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) Fail(what);
}

SqliteStatement SqliteDatabase::Prepare(const std::string& sql, std::string_view what) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(database_, sql.c_str(), static_cast<int>(sql.size()), &statement,
                         nullptr) != SQLITE_OK) {
    Fail(what);
  }
  return SqliteStatement(statement, &sqlite3_finalize);
}

}  // namespace sluice::io::sqlite
