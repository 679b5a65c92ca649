#include "postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <libpq-fe.h>

namespace sluice::testing {
namespace {

// Returns a port nobody listens on at the moment (the kernel's pick for port 0).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string Tail(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

void Run(const std::string& command, const std::string& log) {
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("failed: " + command + "\n" + Tail(log));
  }
}

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::Start(std::string* why_not) {
  const char* override_dir = std::getenv("SLUICE_PG_BINDIR");
  std::string bin_dir = override_dir != nullptr ? override_dir : "/usr/lib/postgresql/15/bin";
  if (!std::filesystem::exists(bin_dir + "/initdb") ||
      !std::filesystem::exists(bin_dir + "/pg_ctl")) {
    *why_not = "PostgreSQL server binaries not found in " + bin_dir +
               " (install postgresql-15 with scripts/bootstrap, or set SLUICE_PG_BINDIR)";
    return nullptr;
  }
  char pattern[] = "/tmp/sluice-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a temporary folder");
  std::unique_ptr<PostgresServer> server(new PostgresServer(bin_dir, pattern, FreePort()));
  std::string log = server->folder_ + "/log";
  if (geteuid() == 0) Run("chown postgres:postgres " + server->folder_, log);
  Run(server->AsServerUser(bin_dir + "/initdb -D " + server->folder_ +
                           "/data -A trust -U postgres -E UTF8 --no-sync >" + log + " 2>&1"),
      log);
  // Durability is not what these servers are for: fsync off keeps tests fast.
  Run(server->AsServerUser(bin_dir + "/pg_ctl -D " + server->folder_ + "/data -l " + log +
                           " -w -o \"-p " + std::to_string(server->port_) + " -k " +
                           server->folder_ +
                           " -c listen_addresses=127.0.0.1 -c fsync=off "
                           "-c synchronous_commit=off -c full_page_writes=off\" start >/dev/null"),
      log);
  server->running_ = true;
  server->StartGuard();
  return server;
}

PostgresServer::PostgresServer(std::string bin_dir, std::string folder, int port)
    : bin_dir_(std::move(bin_dir)), folder_(std::move(folder)), port_(port) {}

PostgresServer::~PostgresServer() {
  if (running_) {
    std::string stop = StopCommand();
    if (std::system(stop.c_str()) != 0) std::fprintf(stderr, "could not stop: %s\n", stop.c_str());
  }
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
  if (guard_pid_ > 0) {
    close(guard_pipe_);
    waitpid(guard_pid_, nullptr, 0);
  }
}

std::string PostgresServer::StopCommand() const {
  return AsServerUser(bin_dir_ + "/pg_ctl -D " + folder_ + "/data -m fast -w stop >/dev/null 2>&1");
}

void PostgresServer::StartGuard() {
  int fds[2];
  if (pipe(fds) != 0) return;
  // Only this process holds the write end: the server and pg_ctl must not inherit it.
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[1]);
    char byte;
    while (read(fds[0], &byte, 1) > 0) {
    }
    if (std::filesystem::exists(folder_ + "/data/postmaster.pid")) {
      int ignored = std::system(StopCommand().c_str());
      (void)ignored;
    }
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
    _exit(0);
  }
  close(fds[0]);
  guard_pipe_ = fds[1];
  guard_pid_ = pid;
}

std::string PostgresServer::AsServerUser(const std::string& command) const {
  if (geteuid() != 0) return command;
  return "runuser -u postgres -- sh -c '" + command + "'";
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void PostgresServer::Execute(const std::string& sql) const { Query(sql); }

std::string PostgresServer::Query(const std::string& sql) const {
  Connection connection(PQconnectdb(Url().c_str()), &PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    throw std::runtime_error(PQerrorMessage(connection.get()));
  }
  PQsetNoticeProcessor(
      connection.get(), [](void*, const char*) {}, nullptr);
  Result result(PQexec(connection.get(), sql.c_str()), &PQclear);
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(PQresultErrorMessage(result.get()));
  }
  std::string text;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    for (int column = 0; column < PQnfields(result.get()); ++column) {
      if (column > 0) text += '|';
      text +=
          PQgetisnull(result.get(), row, column) ? "NULL" : PQgetvalue(result.get(), row, column);
    }
    text += '\n';
  }
  return text;
}

}  // namespace sluice::testing
