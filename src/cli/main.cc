#include <malloc.h>

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "base/log.h"
#include "base/task.h"
#include "cli/catalog_command.h"
#include "cli/describe_command.h"
#include "cli/init_command.h"
#include "cli/models_command.h"
#include "cli/run_command.h"
#include "cli/serve_command.h"
#include "cli/sql_command.h"
#include "cli/sqllogictest_command.h"
#include "cli/submit_command.h"
#include "cli/token_command.h"
#include "cli/up_command.h"
#include "cli/version.h"

namespace {

constexpr char kDescription[] =
    "Sluice turns SQL notebooks into live data products: it reads files and databases, runs SQL "
    "on all cores, and serves every result.";

}  // namespace

int main(int argc, char** argv) {
  // Freed blocks under 32 MiB stay in the process for reuse, and up to 64 MiB of free memory
  // stays at the top of each heap, instead of going back to the kernel and returning as fresh
  // pages to fault in and zero: scans and operators allocate and free vectors all the time.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  CLI::App app(kDescription, "sluice");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(sluice::cli::kVersion));
  size_t threads = 0;
  std::string log_level = "warn";
  app.add_option("--threads", threads, "Worker threads (0 = all cores)")->capture_default_str();
  app.add_option("--log-level", log_level, "Log level: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.add_subcommand("version", "Print the version of this sluice binary")->callback([] {
    std::cout << "sluice " << sluice::cli::kVersion << '\n';
  });
  sluice::cli::AddCatalogCommand(app);
  sluice::cli::AddDescribeCommand(app);
  sluice::cli::AddInitCommand(app);
  sluice::cli::AddModelsCommand(app);
  sluice::cli::AddRunCommand(app);
  sluice::cli::AddScanCommand(app);
  sluice::cli::AddServeCommand(app);
  sluice::cli::AddSqlCommand(app);
  sluice::cli::AddSqlLogicTestCommand(app);
  sluice::cli::AddSubmitCommand(app);
  sluice::cli::AddTokenCommand(app);
  sluice::cli::AddUpCommand(app);
  app.parse_complete_callback([&] {
    sluice::InitLogging(log_level);
    sluice::SetThreadCount(threads);
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const sluice::cli::ExitCode& exit) {
    return exit.code;
  } catch (const sluice::UserError& error) {
    std::cerr << "Error: " << error.what() << '\n';
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "Internal error: " << error.what() << '\n';
    return 2;
  }
  return 0;
}
