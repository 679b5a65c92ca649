#include "io/postgres/pg_scan_reader.h"

#include "base/error.h"
#include "io/scan_sql.h"

namespace sluice::io::postgres {
namespace {

std::vector<PgColumn> Project(const PgTable& table, const std::vector<std::string>& names) {
  if (names.empty()) return table.columns;
  std::vector<PgColumn> columns;
  for (const std::string& name : names) {
    auto found = std::find_if(table.columns.begin(), table.columns.end(),
                              [&](const PgColumn& column) { return column.name == name; });
    if (found == table.columns.end()) {
      Throw<UserError>("column \"{}\" does not exist in PostgreSQL table \"{}\"", name, table.name);
    }
    columns.push_back(*found);
  }
  return columns;
}

}  // namespace

std::string PgScanCommand(const PgTable& table, const std::vector<PgColumn>& columns,
                          const std::vector<ScanPredicate>& predicates) {
  std::string select;
  for (const PgColumn& column : columns) {
    select += (select.empty() ? "" : ", ") + QuoteSqlIdentifier(column.name);
    if (column.as_text) select += "::text";
  }
  std::vector<ScanPredicate> pushable;
  for (const ScanPredicate& predicate : predicates) {
    for (const PgColumn& column : table.columns) {
      bool null_test = predicate.op == ScanPredicate::Op::kIsNull ||
                       predicate.op == ScanPredicate::Op::kIsNotNull;
      if (column.name == predicate.column && (column.comparable || null_test)) {
        pushable.push_back(predicate);
      }
    }
  }
  std::string where = PredicatesToSql(pushable, *SchemaOf(table.columns), SqlDialect::kPostgres);
  return "COPY (SELECT " + select + " FROM " + QuoteTableName(table.name) +
         (where.empty() ? "" : " WHERE " + where) + ") TO STDOUT (FORMAT binary)";
}

PgScanReader::PgScanReader(std::string url, PgTable table, const std::vector<std::string>& columns,
                           const std::vector<ScanPredicate>& predicates)
    : url_(std::move(url)), table_name_(table.name), decoder_(Project(table, columns)) {
  std::vector<PgColumn> projected = Project(table, columns);
  schema_ = SchemaOf(projected);
  command_ = PgScanCommand(table, projected, predicates);
}

PgScanReader::~PgScanReader() {
  if (connection_ == nullptr) return;
  // Stops the server's side of an unfinished COPY (a LIMIT reached, an error) at once.
  if (PGcancel* cancel = PQgetCancel(connection_->raw())) {
    char error[256];
    PQcancel(cancel, error, sizeof(error));
    PQfreeCancel(cancel);
  }
}

void PgScanReader::Start() {
  connection_ = PgConnection::Connect(url_);
  PgResult result(PQexec(connection_->raw(), command_.c_str()), &PQclear);
  connection_->Check(result.get(), PGRES_COPY_OUT, "reading table \"" + table_name_ + "\"");
}

bool PgScanReader::Receive() {
  char* buffer = nullptr;
  int size = PQgetCopyData(connection_->raw(), &buffer, 0);
  if (size < 0) {
    // The COPY ended (-1) or failed (-2): the command's result says why.
    PgResult result(PQgetResult(connection_->raw()), &PQclear);
    connection_->Check(result.get(), PGRES_COMMAND_OK, "reading table \"" + table_name_ + "\"");
    return false;
  }
  if (pending_offset_ == pending_.size()) {
    pending_.clear();
    pending_offset_ = 0;
  } else if (pending_offset_ > 0) {
    pending_.erase(0, pending_offset_);
    pending_offset_ = 0;
  }
  pending_.append(buffer, static_cast<size_t>(size));
  PQfreemem(buffer);
  return true;
}

void PgScanReader::Finish() {
  while (Receive()) {
  }
  while (PGresult* rest = PQgetResult(connection_->raw())) PQclear(rest);
  connection_.reset();
  done_ = true;
}

std::optional<core::Batch> PgScanReader::Next() {
  if (done_) return std::nullopt;
  if (connection_ == nullptr) Start();
  core::Batch batch(schema_);
  size_t rows = 0;
  while (rows < core::kVectorSize && !decoder_.finished()) {
    std::string_view available(pending_.data() + pending_offset_,
                               pending_.size() - pending_offset_);
    pending_offset_ += decoder_.Decode(available, batch, &rows);
    if (rows == core::kVectorSize || decoder_.finished()) break;
    if (!Receive()) {
      Throw<DataError>("the COPY data of PostgreSQL table \"{}\" ended without its trailer",
                       table_name_);
    }
  }
  if (decoder_.finished()) Finish();
  if (rows == 0) return std::nullopt;
  batch.SetNumRows(rows);
  return batch;
}

}  // namespace sluice::io::postgres
