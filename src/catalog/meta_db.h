#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::catalog {

/// Is the SQL dialect of a metadata database.
enum class MetaBackend { kSqlite, kPostgres };

/// Is one value bound to a `?` placeholder or read from a row: NULL, a 64-bit integer, a
/// double or text. Converts implicitly from each, and from an optional (NULL when empty).
class MetaValue {
 public:
  using Variant = std::variant<std::monostate, int64_t, double, std::string>;

  MetaValue() = default;
  MetaValue(std::nullopt_t) {}
  MetaValue(int64_t value) : value_(value) {}
  MetaValue(int value) : value_(int64_t{value}) {}
  MetaValue(double value) : value_(value) {}
  MetaValue(std::string value) : value_(std::move(value)) {}
  MetaValue(std::string_view value) : value_(std::string(value)) {}
  MetaValue(const char* value) : value_(std::string(value)) {}
  template <typename T>
  MetaValue(const std::optional<T>& value) {
    if (value) *this = MetaValue(*value);
  }

  const Variant& get() const { return value_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }

 private:
  Variant value_;
};

/// Is one row of a query's answer. Accessors convert between the value kinds (text parses as
/// a number, a number prints as text) so that callers need not care how a backend typed a
/// column; NULL reads as 0 or "".
class MetaRow {
 public:
  explicit MetaRow(std::vector<MetaValue> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  bool IsNull(size_t column) const;
  int64_t Int(size_t column) const;
  double Double(size_t column) const;
  std::string Text(size_t column) const;

 private:
  std::vector<MetaValue> values_;
};

/// Is a database that holds a workspace's catalog: SQLite (a file) or PostgreSQL (a server
/// shared by several processes and machines). Statements use `?` placeholders; a backend that
/// numbers them ($1…) rewrites them. Failures throw IoError naming the database (a path, or a
/// URL without its password), or DataError when a file is not a database. A server backend
/// that finds its connection lost outside a transaction connects again and runs the statement
/// once more, so a statement run outside a transaction must be safe to repeat; inside one, the
/// failure stands. Not thread-safe.
class MetaDb {
 public:
  virtual ~MetaDb() = default;

  /// Returns which dialect the database speaks.
  virtual MetaBackend backend() const = 0;
  /// Returns the database as messages name it: a path, or a URL without its password.
  virtual const std::string& display_name() const = 0;

  /// Runs one statement with `params` bound to its `?` in order; returns the rows it changed.
  virtual int64_t Execute(std::string_view sql, std::initializer_list<MetaValue> params = {}) = 0;
  /// Runs one statement with `params` bound to its `?` in order; returns every row it yields.
  virtual std::vector<MetaRow> Query(std::string_view sql,
                                     std::initializer_list<MetaValue> params = {}) = 0;
  /// Runs several statements separated by semicolons, without parameters (migrations).
  virtual void ExecuteScript(std::string_view sql) = 0;

  /// Starts a transaction. `write`: it will write, so writers queue for it at its start
  /// (SQLite BEGIN IMMEDIATE); readers see one snapshot either way.
  /// REQUIRES: no transaction is open.
  virtual void Begin(bool write) = 0;
  /// Commits the open transaction.
  virtual void Commit() = 0;
  /// Rolls back the open transaction, if any; never throws.
  virtual void Rollback() noexcept = 0;

  /// Returns the schema version the database records (0 when new). In a write transaction it
  /// also makes other processes that ask the same wait until that transaction ends, so that
  /// one process at a time migrates.
  virtual int ReadSchemaVersion() = 0;
  /// Records the schema version. REQUIRES: inside the write transaction that read it.
  virtual void WriteSchemaVersion(int version) = 0;
};

/// Opens (creating if needed) the SQLite catalog file at `path`: WAL mode, synchronous=FULL,
/// foreign keys on, a 60 s busy timeout. Throws IoError naming the path when it cannot.
std::unique_ptr<MetaDb> OpenSqliteMetaDb(const std::string& path);

/// Connects to the PostgreSQL database at `url` (postgresql://user:password@host:port/db or a
/// key=value string). Throws IoError naming the URL without its password when the URL does not
/// parse or the server cannot be reached or refuses.
std::unique_ptr<MetaDb> OpenPostgresMetaDb(const std::string& url);

/// Returns `text` with each byte that does not begin a valid UTF-8 sequence replaced by U+FFFD
/// (PostgreSQL and JSON refuse such text).
std::string ValidUtf8(std::string_view text);

/// Returns true when `location` names a PostgreSQL database (postgresql:// or postgres://)
/// rather than a SQLite file.
bool IsPostgresUrl(std::string_view location);

}  // namespace sluice::catalog
