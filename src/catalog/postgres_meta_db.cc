// The PostgreSQL backend of MetaDb: one libpq connection, set up by io::postgres::PgConnection.

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "base/error.h"
#include "catalog/meta_db.h"
#include "io/postgres/pg_connection.h"

namespace sluice::catalog {
namespace {

using io::postgres::PgConnection;
using io::postgres::PgResult;

// Type OIDs of pg_type (stable across PostgreSQL versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// The advisory lock that lets one process at a time create or migrate a catalog's tables
// (advisory locks are per database).
constexpr int64_t kMigrationLock = 0x51c1ce0ca7a1;

// Returns `sql` with its `?` placeholders numbered $1, $2…; quoted text and names are kept.
std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int number = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: the same effect
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?') {
      out += '$' + std::to_string(++number);
      continue;
    }
    out += c;
  }
  return out;
}

std::string DoubleText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", value);
}

// Returns a URL that did not parse with its password (between "user:" and "@") hidden.
std::string HidePassword(std::string url) {
  size_t scheme = url.find("://");
  size_t at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon != std::string::npos && colon < at) url.replace(colon + 1, at - colon - 1, "***");
  return url;
}

/// Is a MetaDb over one PostgreSQL connection; the schema version is the one row of table
/// `sluice_schema_version`.
class PostgresMetaDb final : public MetaDb {
 public:
  explicit PostgresMetaDb(std::unique_ptr<PgConnection> connection)
      : connection_(std::move(connection)) {}

  MetaBackend backend() const override { return MetaBackend::kPostgres; }
  const std::string& display_name() const override { return connection_->display_url(); }

  int64_t Execute(std::string_view sql, std::initializer_list<MetaValue> params) override {
    PgResult result = Run(sql, params);
    const char* changed = PQcmdTuples(result.get());
    return changed == nullptr || *changed == '\0' ? 0 : std::strtoll(changed, nullptr, 10);
  }
  std::vector<MetaRow> Query(std::string_view sql,
                             std::initializer_list<MetaValue> params) override {
    PgResult result = Run(sql, params);
    std::vector<MetaRow> rows;
    int num_rows = PQntuples(result.get());
    rows.reserve(static_cast<size_t>(num_rows));
    for (int r = 0; r < num_rows; ++r) rows.push_back(ReadRow(result.get(), r));
    return rows;
  }
  void ExecuteScript(std::string_view sql) override {
    std::string text(sql);
    PgResult result = Send([&] { return PQexec(connection_->raw(), text.c_str()); });
    Check(result.get());
  }

  void Begin(bool write) override {
    ExecuteScript(write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    in_transaction_ = true;
    in_write_ = write;
  }
  void Commit() override {
    // Never through ExecuteScript: a COMMIT on a new connection would "succeed" with nothing.
    PgResult result(PQexec(connection_->raw(), "COMMIT"), &PQclear);
    in_transaction_ = false;
    in_write_ = false;
    Check(result.get());
  }
  void Rollback() noexcept override {
    in_transaction_ = false;
    in_write_ = false;
    PGTransactionStatusType status = PQtransactionStatus(connection_->raw());
    if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) {
      PQclear(PQexec(connection_->raw(), "ROLLBACK"));
    }
  }

  /// Sets up a connection as Sluice's catalog needs it (again after a reconnect).
  void SetUpSession() {
    // Notices ("relation already exists, skipping") would go to stderr.
    PQsetNoticeProcessor(
        connection_->raw(), [](void*, const char*) {}, nullptr);
    ExecuteScript("SET client_min_messages = warning");
  }

  int ReadSchemaVersion() override {
    if (in_write_) {
      Query("SELECT pg_advisory_xact_lock(?)", {kMigrationLock});
      ExecuteScript("CREATE TABLE IF NOT EXISTS sluice_schema_version (version BIGINT NOT NULL)");
    }
    std::vector<MetaRow> rows = Query("SELECT MAX(version) FROM sluice_schema_version", {});
    return rows.empty() ? 0 : static_cast<int>(rows[0].Int(0));
  }
  void WriteSchemaVersion(int version) override {
    Execute("DELETE FROM sluice_schema_version", {});
    Execute("INSERT INTO sluice_schema_version (version) VALUES (?)", {version});
  }

 private:
  // Runs `send` (a libpq call that runs statements); outside a transaction, runs it again
  // once on a new connection when the connection was lost (the server restarted, or an
  // administrator ended the session), so that a long-lived process recovers. Inside one, the
  // failure stands: what the transaction did is gone with the session.
  template <typename Call>
  PgResult Send(Call send) {
    PGconn* raw = connection_->raw();
    if (PQstatus(raw) != CONNECTION_OK && !in_transaction_) Reconnect();
    PgResult result(send(), &PQclear);
    if (PQstatus(raw) == CONNECTION_OK || in_transaction_) return result;
    Reconnect();
    return PgResult(send(), &PQclear);
  }

  void Reconnect() {
    PGconn* raw = connection_->raw();
    PQreset(raw);
    if (PQstatus(raw) != CONNECTION_OK) {
      std::string message = PQerrorMessage(raw);
      Throw<IoError>("lost the connection to the catalog at {}: {}", display_name(),
                     message.substr(0, message.find('\n')));
    }
    SetUpSession();
  }

  PgResult Run(std::string_view sql, std::initializer_list<MetaValue> params) {
    std::vector<std::string> texts;
    std::vector<Oid> types;
    texts.reserve(params.size());
    for (const MetaValue& param : params) {
      const MetaValue::Variant& value = param.get();
      if (const auto* number = std::get_if<int64_t>(&value)) {
        texts.push_back(std::to_string(*number));
        types.push_back(kInt8Oid);
      } else if (const auto* real = std::get_if<double>(&value)) {
        texts.push_back(DoubleText(*real));
        types.push_back(kFloat8Oid);
      } else if (const auto* text = std::get_if<std::string>(&value)) {
        texts.push_back(*text);
        types.push_back(kTextOid);
      } else {
        texts.emplace_back();
        types.push_back(0);  // NULL: the server infers the type
      }
    }
    std::vector<const char*> values;
    auto param = params.begin();
    for (const std::string& text : texts) {
      values.push_back(param->is_null() ? nullptr : text.c_str());
      ++param;
    }
    std::string numbered = NumberPlaceholders(sql);
    PgResult result = Send([&] {
      return PQexecParams(connection_->raw(), numbered.c_str(), static_cast<int>(values.size()),
                          types.data(), values.data(), nullptr, nullptr, 0);
    });
    Check(result.get());
    return result;
  }

  static MetaRow ReadRow(const PGresult* result, int row) {
    int columns = PQnfields(result);
    std::vector<MetaValue> values;
    values.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, row, c)) {
        values.emplace_back();
        continue;
      }
      const char* text = PQgetvalue(result, row, c);
      switch (PQftype(result, c)) {
        case kInt8Oid:
        case kInt4Oid:
        case kInt2Oid:
          values.emplace_back(static_cast<int64_t>(std::strtoll(text, nullptr, 10)));
          break;
        case kFloat4Oid:
        case kFloat8Oid:
        case kNumericOid:
          values.emplace_back(std::strtod(text, nullptr));
          break;
        case kBoolOid:
          values.emplace_back(int64_t{text[0] == 't'});
          break;
        default:
          values.emplace_back(std::string(text, static_cast<size_t>(PQgetlength(result, row, c))));
      }
    }
    return MetaRow(std::move(values));
  }

  void Check(const PGresult* result) {
    ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    const char* primary =
        result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    std::string message = primary != nullptr ? primary : PQerrorMessage(connection_->raw());
    message = message.substr(0, message.find('\n'));
    if (PQstatus(connection_->raw()) == CONNECTION_BAD) {
      Throw<IoError>("lost the connection to the catalog at {}: {}", display_name(), message);
    }
    Throw<IoError>("catalog {}: {}", display_name(), message);
  }

  std::unique_ptr<PgConnection> connection_;
  bool in_transaction_ = false;
  bool in_write_ = false;
};

}  // namespace

std::unique_ptr<MetaDb> OpenPostgresMetaDb(const std::string& url) {
  if (io::postgres::RedactPgUrl(url).empty()) {
    Throw<IoError>(
        "cannot open the catalog: '{}' is not a PostgreSQL URL (expected "
        "postgresql://user@host:port/database)",
        HidePassword(url));
  }
  std::unique_ptr<PgConnection> connection;
  try {
    connection = PgConnection::Connect(url);
  } catch (const Error& error) {
    Throw<IoError>("cannot open the catalog: {}", error.what());
  }
  auto db = std::make_unique<PostgresMetaDb>(std::move(connection));
  db->SetUpSession();
  return db;
}

}  // namespace sluice::catalog
