#include "io/postgres/pg_table_writer.h"

#include "base/error.h"
#include "core/datetime.h"
#include "core/value.h"
#include "io/postgres/pg_types.h"
#include "io/scan_sql.h"

namespace sluice::io::postgres {
namespace {

using core::TypeId;

constexpr size_t kFlushBytes = 1 << 20;
constexpr const char* kStage = "sluice_upsert_stage";

void AppendEscaped(std::string_view text, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
}

// Appends value `row` of `vector` in COPY's text format.
void AppendValue(const core::Vector& vector, size_t row, std::string& out) {
  if (vector.IsNull(row)) {
    out += "\\N";
    return;
  }
  switch (vector.type()) {
    case TypeId::kBoolean:
      out += vector.data<uint8_t>()[row] ? 't' : 'f';
      return;
    case TypeId::kInteger:
      out += std::to_string(vector.data<int32_t>()[row]);
      return;
    case TypeId::kDate:
      out += core::FormatDate(vector.data<int32_t>()[row]);
      return;
    case TypeId::kBigint:
      out += std::to_string(vector.data<int64_t>()[row]);
      return;
    case TypeId::kDouble:
      out += core::FormatDouble(vector.data<double>()[row]);
      return;
    case TypeId::kVarchar:
      AppendEscaped(vector.GetString(row), out);
      return;
    case TypeId::kTimestamp:
      out += core::FormatTimestamp(vector.data<int64_t>()[row]);
      return;
  }
}

}  // namespace

PgTableWriter::PgTableWriter(const std::string& url, core::SchemaPtr schema,
                             TableWriteOptions options)
    : schema_(std::move(schema)),
      options_(std::move(options)),
      target_(QuoteTableName(options_.table)) {
  connection_ = PgConnection::Connect(url);
  Prepare();
}

PgTableWriter::~PgTableWriter() {
  if (committed_ || connection_ == nullptr) return;
  // Ends the COPY with an error, so the server rolls the whole transaction back.
  if (copying_) PQputCopyEnd(connection_->raw(), "cancelled by Sluice");
  while (PGresult* result = PQgetResult(connection_->raw())) PQclear(result);
  PQclear(PQexec(connection_->raw(), "ROLLBACK"));
}

std::string PgTableWriter::What() const { return "writing table \"" + options_.table + "\""; }

std::string PgTableWriter::ColumnList() const {
  std::string list;
  for (const core::Field& field : schema_->fields()) {
    list += (list.empty() ? "" : ", ") + QuoteSqlIdentifier(field.name);
  }
  return list;
}

void PgTableWriter::Prepare() {
  connection_->Execute("BEGIN", What());
  PgResult exists = connection_->Query("SELECT to_regclass($1) IS NOT NULL", {target_}, What());
  if (std::string_view(PQgetvalue(exists.get(), 0, 0)) != "t") {
    std::string create = "CREATE TABLE " + target_ + " (";
    for (const core::Field& field : schema_->fields()) {
      create += QuoteSqlIdentifier(field.name) + " " + std::string(PgTypeOf(field.type)) + ", ";
    }
    std::string key;
    for (const std::string& column : options_.key) {
      key += (key.empty() ? "" : ", ") + QuoteSqlIdentifier(column);
    }
    create = key.empty() ? create.substr(0, create.size() - 2) + ")"
                         : create + "PRIMARY KEY (" + key + "))";
    connection_->Execute(create, What());
  } else if (options_.mode == WriteMode::kReplace) {
    connection_->Execute("TRUNCATE " + target_, What());
  }
  std::string copy_target = target_;
  if (options_.mode == WriteMode::kUpsert) {
    connection_->Execute(std::string("CREATE TEMP TABLE ") + kStage + " ON COMMIT DROP AS SELECT " +
                             ColumnList() + " FROM " + target_ + " WITH NO DATA",
                         What());
    copy_target = kStage;
  }
  std::string copy = "COPY " + copy_target + " (" + ColumnList() + ") FROM STDIN";
  PgResult result(PQexec(connection_->raw(), copy.c_str()), &PQclear);
  connection_->Check(result.get(), PGRES_COPY_IN, What());
  copying_ = true;
}

void PgTableWriter::Append(const core::Batch& batch) {
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    size_t physical = batch.PhysicalRow(row);
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      if (c > 0) buffer_ += '\t';
      AppendValue(batch.column(c), physical, buffer_);
    }
    buffer_ += '\n';
    if (buffer_.size() >= kFlushBytes) Flush();
  }
}

void PgTableWriter::Flush() {
  if (buffer_.empty()) return;
  if (PQputCopyData(connection_->raw(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    connection_->Check(nullptr, PGRES_COPY_IN, What());
  }
  buffer_.clear();
}

size_t PgTableWriter::Commit() {
  Flush();
  if (PQputCopyEnd(connection_->raw(), nullptr) != 1) {
    connection_->Check(nullptr, PGRES_COMMAND_OK, What());
  }
  copying_ = false;
  PgResult result(PQgetResult(connection_->raw()), &PQclear);
  connection_->Check(result.get(), PGRES_COMMAND_OK, What());
  size_t rows = std::strtoull(PQcmdTuples(result.get()), nullptr, 10);
  while (PGresult* rest = PQgetResult(connection_->raw())) PQclear(rest);
  if (options_.mode == WriteMode::kUpsert) {
    std::string key, updates;
    for (const std::string& column : options_.key) {
      key += (key.empty() ? "" : ", ") + QuoteSqlIdentifier(column);
    }
    for (const core::Field& field : schema_->fields()) {
      if (std::find(options_.key.begin(), options_.key.end(), field.name) != options_.key.end()) {
        continue;
      }
      std::string column = QuoteSqlIdentifier(field.name);
      updates += (updates.empty() ? "" : ", ") + column + " = EXCLUDED." + column;
    }
    connection_->Execute("INSERT INTO " + target_ + " (" + ColumnList() + ") SELECT " +
                             ColumnList() + " FROM " + kStage + " ON CONFLICT (" + key + ") DO " +
                             (updates.empty() ? "NOTHING" : "UPDATE SET " + updates),
                         What());
  }
  connection_->Execute("COMMIT", What());
  committed_ = true;
  return rows;
}

}  // namespace sluice::io::postgres
