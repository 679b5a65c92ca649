#pragma once

#include <memory>
#include <string>

#include "io/postgres/pg_connection.h"
#include "io/table_writer.h"

namespace sluice::io::postgres {

/// Writes rows into a PostgreSQL table with COPY … FROM STDIN (text format) inside one
/// transaction. replace: CREATE TABLE when missing (types mapped from Sluice's, the key as
/// primary key), else TRUNCATE; append: CREATE TABLE when missing; upsert: COPY into a temporary
/// table, then INSERT … ON CONFLICT (key) DO UPDATE. Not thread-safe.
class PgTableWriter final : public TableWriter {
 public:
  /// Connects, begins the transaction and starts the COPY. Throws IoError when the server
  /// cannot be reached, UserError when it refuses (naming the table).
  PgTableWriter(const std::string& url, core::SchemaPtr schema, TableWriteOptions options);
  ~PgTableWriter() override;

  void Append(const core::Batch& batch) override;
  size_t Commit() override;

 private:
  void Prepare();
  std::string ColumnList() const;
  void Flush();
  std::string What() const;

  std::unique_ptr<PgConnection> connection_;
  core::SchemaPtr schema_;
  TableWriteOptions options_;
  std::string target_;  // the quoted table name
  std::string buffer_;  // COPY text not sent yet
  bool copying_ = false;
  bool committed_ = false;
};

}  // namespace sluice::io::postgres
