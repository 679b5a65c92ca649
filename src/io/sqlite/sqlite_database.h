#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

namespace sluice::io::sqlite {

/// Owns a prepared SQLite statement.
using SqliteStatement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

/// Is one open SQLite database file. Errors name the file. Not thread-safe.
class SqliteDatabase {
 public:
  /// Opens the file at `path`: read-only (it must exist), or read-write (created when missing).
  /// Throws IoError naming the file when it cannot be opened.
  static std::unique_ptr<SqliteDatabase> Open(const std::string& path, bool writable);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  sqlite3* raw() { return database_; }
  const std::string& path() const { return path_; }

  /// Runs `sql` (statements without rows). Throws UserError with SQLite's message, prefixed
  /// with `what`.
  void Execute(const std::string& sql, std::string_view what);
  /// Prepares one statement. Throws like Execute.
  SqliteStatement Prepare(const std::string& sql, std::string_view what);
  /// Throws UserError (IoError for I/O failures) with SQLite's latest message for this file.
  [[noreturn]] void Fail(std::string_view what);

 private:
  SqliteDatabase(sqlite3* database, std::string path);

  sqlite3* database_;
  std::string path_;
};

}  // namespace sluice::io::sqlite
