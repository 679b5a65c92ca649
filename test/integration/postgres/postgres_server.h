#pragma once

#include <memory>
#include <string>

namespace sluice::testing {

/// Is a throwaway PostgreSQL 15 server for tests: initdb in a fresh temporary folder, started
/// with pg_ctl on a free loopback port (its socket in the same folder), trust authentication,
/// user `postgres`; stopped and deleted when destroyed. As root, the server runs as the
/// `postgres` user (initdb refuses root), through runuser. A guard process stops the server
/// too if the test program dies without running the destructor (a crash, an abort). Not
/// thread-safe.
class PostgresServer {
 public:
  /// Starts a server. Returns null and sets `*why_not` when the server binaries are missing
  /// (SLUICE_PG_BINDIR, else /usr/lib/postgresql/15/bin); throws std::runtime_error when they
  /// are there but the server does not start (the message holds the server log's tail).
  static std::unique_ptr<PostgresServer> Start(std::string* why_not);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// Returns postgresql://postgres@127.0.0.1:<port>/<database>.
  std::string Url(const std::string& database = "postgres") const;
  int port() const { return port_; }
  /// Returns the folder of the server's binaries (psql is there too).
  const std::string& bin_dir() const { return bin_dir_; }

  /// Runs `sql` on database `postgres`; throws std::runtime_error with the server's message.
  void Execute(const std::string& sql) const;
  /// Returns the rows of `sql` as text, a row per line, values separated by `|`, NULL as NULL.
  std::string Query(const std::string& sql) const;

 private:
  PostgresServer(std::string bin_dir, std::string folder, int port);
  std::string AsServerUser(const std::string& command) const;
  std::string StopCommand() const;
  void StartGuard();

  std::string bin_dir_;
  std::string folder_;
  int port_;
  bool running_ = false;
  int guard_pipe_ = -1;  // the guard stops the server when this closes
  int guard_pid_ = -1;
};

}  // namespace sluice::testing
