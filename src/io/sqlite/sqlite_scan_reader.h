#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/batch_reader.h"
#include "io/scan_predicate.h"
#include "io/sqlite/sqlite_database.h"
#include "io/sqlite/sqlite_types.h"

namespace sluice::io::sqlite {

/// Returns the query a scan of `table` runs: SELECT columns FROM table WHERE pushed filters.
/// Predicates SQLite would not evaluate as Sluice does are left out (and, with
/// TypeMismatch::kNull, IS NULL, since mismatched values read as NULL).
std::string SqliteScanQuery(const SqliteTable& table, const std::vector<SqliteColumn>& columns,
                            const std::vector<ScanPredicate>& predicates, TypeMismatch mismatch);

/// Streams the rows of an SQLite table as batches, stepping one statement: memory stays bounded.
/// Each value is converted to its column's type; one that does not fit is an error or NULL by
/// `mismatch`. Opens the file at the first Next(). Not thread-safe.
class SqliteScanReader final : public BatchReader {
 public:
  /// Reads `columns` (names; empty: all) of the described `table` in the file at `path`.
  /// Throws UserError for a column the table does not have.
  SqliteScanReader(std::string path, SqliteTable table, const std::vector<std::string>& columns,
                   const std::vector<ScanPredicate>& predicates, TypeMismatch mismatch);

  const core::SchemaPtr& schema() const override { return schema_; }
  std::optional<core::Batch> Next() override;
  /// Returns the query this scan runs.
  const std::string& query() const { return query_; }

 private:
  void ReadValue(size_t column, core::Vector& vector, size_t row);
  [[noreturn]] void Mismatch(size_t column) const;

  std::string path_;
  std::string table_name_;
  std::vector<SqliteColumn> columns_;
  core::SchemaPtr schema_;
  std::string query_;
  TypeMismatch mismatch_;
  std::unique_ptr<SqliteDatabase> database_;
  SqliteStatement statement_{nullptr, &sqlite3_finalize};
  size_t rows_read_ = 0;
  bool done_ = false;
};

}  // namespace sluice::io::sqlite
