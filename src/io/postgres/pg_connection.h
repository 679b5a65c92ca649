#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

namespace sluice::io::postgres {

/// Owns a libpq result; empty when null.
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

/// Is one open connection to a PostgreSQL server, set up for Sluice: UTF-8 client encoding,
/// TimeZone UTC, standard-conforming strings. Errors name the server by `display_url()`, which
/// never holds a password. Not thread-safe.
class PgConnection {
 public:
  /// Connects to `url` (a postgresql:// URL or a key=value connection string). Throws IoError
  /// naming the server (without password) when the server cannot be reached or refuses.
  static std::unique_ptr<PgConnection> Connect(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  /// Returns the server as postgresql://user@host:port/database (no password).
  const std::string& display_url() const { return display_url_; }
  PGconn* raw() { return connection_; }

  /// Runs `sql` (one or more commands without results). Throws UserError with the server's
  /// message, prefixed with `what` when given.
  void Execute(const std::string& sql, std::string_view what = {});
  /// Runs `sql` with text parameters $1, $2… and returns its rows. Throws like Execute.
  PgResult Query(const std::string& sql, const std::vector<std::string>& params = {},
                 std::string_view what = {});
  /// Checks that `result` has `expected` status; else throws UserError with the server's message.
  void Check(const PGresult* result, ExecStatusType expected, std::string_view what);

 private:
  PgConnection(PGconn* connection, std::string display_url);

  PGconn* connection_;
  std::string display_url_;
};

/// Returns `url` as postgresql://user@host:port/database, without password; empty when it
/// does not parse.
std::string RedactPgUrl(const std::string& url);

}  // namespace sluice::io::postgres
