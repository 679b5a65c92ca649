#include "cli/sqllogictest_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "cli/sql_command.h"
#include "testing/sqllogictest_runner.h"

namespace sluice::cli {
namespace {

struct SqlLogicTestOptions {
  std::vector<std::string> paths;
  testing::RunnerOptions runner;
};

bool IsTestFile(const std::filesystem::path& path) {
  return path.extension() == ".test" || path.extension() == ".slt";
}

// Returns the files named by `paths`: files as given, directories searched recursively (sorted).
std::vector<std::string> CollectFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    if (!std::filesystem::is_directory(path)) {
      if (!std::filesystem::exists(path)) Throw<IoError>("no such file or directory '{}'", path);
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
      if (entry.is_regular_file() && IsTestFile(entry.path())) found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

void Run(const SqlLogicTestOptions& options) {
  std::vector<std::string> files = CollectFiles(options.paths);
  testing::SqlLogicTestRunner runner(options.runner, std::cout);
  testing::FileSummary total;
  for (const std::string& file : files) {
    testing::FileSummary summary = runner.RunFile(file);
    total.passed += summary.passed;
    total.failed += summary.failed;
    total.skipped += summary.skipped;
    if (summary.failed > 0 && options.runner.stop_on_failure) break;
  }
  std::cout << fmt::format("{} passed, {} failed\n", total.passed, total.failed);
  if (total.failed > 0) throw ExitCode{1};
}

}  // namespace

void AddSqlLogicTestCommand(CLI::App& app) {
  auto options = std::make_shared<SqlLogicTestOptions>();
  CLI::App* command = app.add_subcommand(
      "sqllogictest",
      "Run sqllogictest files (directories are searched for *.test and *.slt), each on a fresh "
      "in-memory database; a file with `require workspace` runs in a fresh temporary workspace "
      "instead, where `restart` reopens it");
  command->add_option("paths", options->paths, "Test files or directories")->required();
  command->add_flag("--verbose", options->runner.verbose, "Print each record before running it");
  command->add_flag("--stop-on-failure", options->runner.stop_on_failure,
                    "Stop at the first failing record");
  command
      ->add_option("--ranks", options->runner.ranks,
                   "Run every record on N ranks (threads of this process, each with its own "
                   "database; queries split across them, as under mpirun) and require every "
                   "rank to give rank 0's answer")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command->callback([options] { Run(*options); });
}

}  // namespace sluice::cli
