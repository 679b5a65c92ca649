#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/batch_reader.h"
#include "io/postgres/pg_connection.h"
#include "io/postgres/pg_copy_decoder.h"
#include "io/postgres/pg_types.h"
#include "io/scan_predicate.h"

namespace sluice::io::postgres {

/// Returns the command a scan of `table` sends: COPY (SELECT columns FROM table WHERE
/// pushed filters) TO STDOUT (FORMAT binary). `columns` empty means every column; predicates
/// PostgreSQL would not evaluate exactly as Sluice does are left out.
std::string PgScanCommand(const PgTable& table, const std::vector<PgColumn>& columns,
                          const std::vector<ScanPredicate>& predicates);

/// Streams the rows of a PostgreSQL table as batches, decoding a binary COPY as it arrives:
/// memory stays bounded whatever the table's size. Connects and starts the COPY at the first
/// Next(), so a plan can be built (and explained) without running it. Not thread-safe.
class PgScanReader final : public BatchReader {
 public:
  /// Reads `columns` (names; empty: all) of the described `table` at `url`, asking the server
  /// to filter by `predicates`. Throws UserError for a column the table does not have.
  PgScanReader(std::string url, PgTable table, const std::vector<std::string>& columns,
               const std::vector<ScanPredicate>& predicates);
  ~PgScanReader() override;

  const core::SchemaPtr& schema() const override { return schema_; }
  std::optional<core::Batch> Next() override;
  /// Returns the COPY command this scan sends.
  const std::string& command() const { return command_; }

 private:
  void Start();
  bool Receive();
  void Finish();

  std::string url_;
  std::string table_name_;
  core::SchemaPtr schema_;
  std::string command_;
  PgCopyDecoder decoder_;
  std::unique_ptr<PgConnection> connection_;
  std::string pending_;  // received bytes not decoded yet, from pending_offset_
  size_t pending_offset_ = 0;
  bool done_ = false;
};

}  // namespace sluice::io::postgres
