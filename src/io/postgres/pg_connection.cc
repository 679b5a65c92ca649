#include "io/postgres/pg_connection.h"

#include "base/error.h"

namespace sluice::io::postgres {
namespace {

// Returns the first line of a libpq message, without its "ERROR:" prefix.
std::string FirstLine(const char* message) {
  std::string text = message == nullptr ? "" : message;
  text = text.substr(0, text.find('\n'));
  if (text.starts_with("ERROR:  ")) text = text.substr(8);
  return text.empty() ? "unknown error" : text;
}

std::string Prefix(std::string_view what) {
  return what.empty() ? std::string() : std::string(what) + ": ";
}

}  // namespace

std::string RedactPgUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return {};
  }
  std::string user, host, port, database;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    std::string_view keyword = option->keyword;
    std::string value = option->val == nullptr ? "" : option->val;
    if (keyword == "user") user = value;
    if (keyword == "host" || (keyword == "hostaddr" && host.empty())) host = value;
    if (keyword == "port") port = value;
    if (keyword == "dbname") database = value;
  }
  PQconninfoFree(options);
  if (host.find('/') != std::string::npos) host = "[" + host + "]";  // a socket folder
  return "postgresql://" + (user.empty() ? "" : user + "@") + host +
         (port.empty() ? "" : ":" + port) + "/" + database;
}

std::unique_ptr<PgConnection> PgConnection::Connect(const std::string& url) {
  std::string display = RedactPgUrl(url);
  if (display.empty()) {
    Throw<UserError>(
        "invalid PostgreSQL connection string (expected postgresql://user@host:port/database)");
  }
  // Defaults first: what the URL itself says wins (expand_dbname applies it last).
  const char* keywords[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                            nullptr};
  const char* values[] = {"10", "sluice", "UTF8", url.c_str(), nullptr};
  PGconn* connection = PQconnectdbParams(keywords, values, 1);
  if (connection == nullptr) Throw<IoError>("cannot connect to PostgreSQL at {}", display);
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = FirstLine(PQerrorMessage(connection));
    PQfinish(connection);
    Throw<IoError>("cannot connect to PostgreSQL at {}: {}", display, message);
  }
  std::unique_ptr<PgConnection> result(new PgConnection(connection, std::move(display)));
  result->Execute(
      "SET TimeZone = 'UTC'; SET standard_conforming_strings = on; SET DateStyle = 'ISO'",
      "setting up the session");
  return result;
}

PgConnection::PgConnection(PGconn* connection, std::string display_url)
    : connection_(connection), display_url_(std::move(display_url)) {}

PgConnection::~PgConnection() { PQfinish(connection_); }

void PgConnection::Check(const PGresult* result, ExecStatusType expected, std::string_view what) {
  if (result != nullptr && PQresultStatus(result) == expected) return;
  std::string message = result == nullptr
                            ? FirstLine(PQerrorMessage(connection_))
                            : FirstLine(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
  if (PQstatus(connection_) == CONNECTION_BAD) {
    Throw<IoError>("{}lost the connection to PostgreSQL at {}: {}", Prefix(what), display_url_,
                   message);
  }
  Throw<UserError>("{}PostgreSQL at {} says: {}", Prefix(what), display_url_, message);
}

void PgConnection::Execute(const std::string& sql, std::string_view what) {
  PgResult result(PQexec(connection_, sql.c_str()), &PQclear);
  Check(result.get(), PGRES_COMMAND_OK, what);
}

PgResult PgConnection::Query(const std::string& sql, const std::vector<std::string>& params,
                             std::string_view what) {
  std::vector<const char*> values;
  for (const std::string& param : params) values.push_back(param.c_str());
  PgResult result(PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0),
                  &PQclear);
  Check(result.get(), PGRES_TUPLES_OK, what);
  return result;
}

}  // namespace sluice::io::postgres
