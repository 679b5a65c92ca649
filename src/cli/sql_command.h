#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Is thrown by a subcommand that already reported its error, to end the process with `code`.
struct ExitCode {
  int code;
};

/// Adds `sluice sql`: an interactive SQL shell, or `-c SQL` / a .sql file run once.
void AddSqlCommand(CLI::App& app);

}  // namespace sluice::cli
