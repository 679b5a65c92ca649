#pragma once

#include <memory>
#include <string>

#include "io/sqlite/sqlite_database.h"
#include "io/table_writer.h"

namespace sluice::io::sqlite {

/// Writes rows into an SQLite table inside one transaction (BEGIN IMMEDIATE … COMMIT) with one
/// prepared INSERT. replace: CREATE TABLE when missing (declared types that read back as the
/// same Sluice types, the key as primary key), else DELETE every row; append: CREATE TABLE
/// when missing; upsert: INSERT … ON CONFLICT (key) DO UPDATE. DATE and TIMESTAMP values are
/// stored as ISO text, BOOLEAN as 0/1. Not thread-safe.
class SqliteTableWriter final : public TableWriter {
 public:
  /// Opens (or creates) the file at `path` and prepares the table. Throws IoError when the
  /// file cannot be opened, UserError when SQLite refuses (naming the table).
  SqliteTableWriter(const std::string& path, core::SchemaPtr schema, TableWriteOptions options);
  ~SqliteTableWriter() override;

  void Append(const core::Batch& batch) override;
  size_t Commit() override;

 private:
  void Prepare();
  std::string InsertSql() const;
  void Bind(const core::Vector& vector, size_t row, int parameter);
  std::string What() const;

  std::unique_ptr<SqliteDatabase> database_;
  core::SchemaPtr schema_;
  TableWriteOptions options_;
  std::string target_;  // the quoted table name
  SqliteStatement insert_{nullptr, &sqlite3_finalize};
  std::string scratch_;  // text of the DATE or TIMESTAMP value being bound
  size_t rows_ = 0;
  bool committed_ = false;
};

}  // namespace sluice::io::sqlite
