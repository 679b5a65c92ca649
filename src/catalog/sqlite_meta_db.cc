// The SQLite backend of MetaDb: one connection to `.sluice/catalog.db`.

#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "base/error.h"
#include "catalog/meta_db.h"

namespace sluice::catalog {
namespace {

constexpr int kBusyMillis = 60000;  // how long a connection waits for another's lock

/// Is a MetaDb over one SQLite connection; the schema version is `PRAGMA user_version`.
class SqliteMetaDb final : public MetaDb {
 public:
  SqliteMetaDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteMetaDb() override { sqlite3_close(db_); }

  MetaBackend backend() const override { return MetaBackend::kSqlite; }
  const std::string& display_name() const override { return path_; }

  int64_t Execute(std::string_view sql, std::initializer_list<MetaValue> params) override {
    Run(sql, params, nullptr);
    return sqlite3_changes64(db_);
  }
  std::vector<MetaRow> Query(std::string_view sql,
                             std::initializer_list<MetaValue> params) override {
    std::vector<MetaRow> rows;
    Run(sql, params, &rows);
    return rows;
  }
  void ExecuteScript(std::string_view sql) override {
    std::string text(sql);
    char* error = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return;
    std::string message = error == nullptr ? "unknown error" : error;
    sqlite3_free(error);
    Fail(message);
  }

  void Begin(bool write) override { ExecuteScript(write ? "BEGIN IMMEDIATE" : "BEGIN"); }
  void Commit() override { ExecuteScript("COMMIT"); }
  void Rollback() noexcept override {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  int ReadSchemaVersion() override {
    std::vector<MetaRow> rows = Query("PRAGMA user_version", {});
    return rows.empty() ? 0 : static_cast<int>(rows[0].Int(0));
  }
  void WriteSchemaVersion(int version) override {
    ExecuteScript("PRAGMA user_version = " + std::to_string(version));
  }

 private:
  // Runs one statement; keeps its rows in `rows` when given.
  void Run(std::string_view sql, std::initializer_list<MetaValue> params,
           std::vector<MetaRow>* rows) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) !=
        SQLITE_OK) {
      Fail(sqlite3_errmsg(db_));
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> owner(statement, &sqlite3_finalize);
    int index = 0;
    for (const MetaValue& param : params) Bind(statement, ++index, param);
    while (true) {
      int code = sqlite3_step(statement);
      if (code == SQLITE_DONE) return;
      if (code != SQLITE_ROW) Fail(sqlite3_errmsg(db_));
      if (rows != nullptr) rows->push_back(ReadRow(statement));
    }
  }

  void Bind(sqlite3_stmt* statement, int index, const MetaValue& param) {
    const MetaValue::Variant& value = param.get();
    int code = SQLITE_OK;
    if (const auto* number = std::get_if<int64_t>(&value)) {
      code = sqlite3_bind_int64(statement, index, *number);
    } else if (const auto* real = std::get_if<double>(&value)) {
      code = sqlite3_bind_double(statement, index, *real);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      code = sqlite3_bind_text64(statement, index, text->data(), text->size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
    } else {
      code = sqlite3_bind_null(statement, index);
    }
    if (code != SQLITE_OK) Fail(sqlite3_errmsg(db_));
  }

  static MetaRow ReadRow(sqlite3_stmt* statement) {
    int columns = sqlite3_column_count(statement);
    std::vector<MetaValue> values;
    values.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(statement, c)) {
        case SQLITE_INTEGER:
          values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(statement, c)));
          break;
        case SQLITE_FLOAT:
          values.emplace_back(sqlite3_column_double(statement, c));
          break;
        case SQLITE_NULL:
          values.emplace_back();
          break;
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
          values.emplace_back(std::string(text == nullptr ? "" : text,
                                          static_cast<size_t>(sqlite3_column_bytes(statement, c))));
        }
      }
    }
    return MetaRow(std::move(values));
  }

  [[noreturn]] void Fail(std::string_view message) {
    int code = sqlite3_errcode(db_);
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      Throw<DataError>("the catalog '{}' is not a valid SQLite database: {}", path_, message);
    }
    Throw<IoError>("catalog '{}': {}", path_, message);
  }

  sqlite3* db_;
  std::string path_;
};

}  // namespace

std::unique_ptr<MetaDb> OpenSqliteMetaDb(const std::string& path) {
  sqlite3* db = nullptr;
  int code =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (code != SQLITE_OK) {
    std::string message = db == nullptr ? sqlite3_errstr(code) : sqlite3_errmsg(db);
    sqlite3_close(db);
    Throw<IoError>("cannot open the catalog '{}': {}", path, message);
  }
  auto meta = std::make_unique<SqliteMetaDb>(db, path);
  sqlite3_busy_timeout(db, kBusyMillis);
  // Switching a new catalog to WAL while another process opens it too (the ranks of a job) is
  // refused at once as "locked", without the busy wait: wait here.
  for (int waited = 0; waited < kBusyMillis; waited += 10) {
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_BUSY)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  meta->ExecuteScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON");
  return meta;
}

}  // namespace sluice::catalog
