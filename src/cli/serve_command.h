#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/foreground.h"
#include "serve/http_server.h"
#include "serve/result_service.h"
#include "session/database.h"

namespace sluice::cli {

/// Is the access layer of a workspace while it runs: its routes and the HTTP server.
class Serving {
 public:
  /// Starts serving `database` (the workspace in folder `workspace`) as its sluice.yaml's
  /// `serve:` section says; `listen`, when not empty, overrides `serve.listen`. Prints the
  /// URLs on `console`, and an access log line per request (JSON, on stderr) when
  /// `access_log`. Throws UserError for a bad configuration, IoError when it cannot listen.
  static std::unique_ptr<Serving> Start(session::Database& database, const std::string& workspace,
                                        const std::string& listen, bool access_log,
                                        Console& console);
  ~Serving();
  Serving(const Serving&) = delete;
  Serving& operator=(const Serving&) = delete;

  /// Stops accepting requests and lets those in progress finish. Idempotent.
  void Stop();

 private:
  Serving() = default;

  std::unique_ptr<serve::ResultService> service_;
  std::unique_ptr<serve::HttpServer> server_;
};

/// Adds `sluice serve`: every result of the workspace as an HTTP service.
void AddServeCommand(CLI::App& app);

}  // namespace sluice::cli
