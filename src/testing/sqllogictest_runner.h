#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace sluice::testing {

/// Says how a runner reports and when it stops.
struct RunnerOptions {
  /// Prints each record before running it.
  bool verbose = false;
  /// Stops a file at its first failing record.
  bool stop_on_failure = false;
  /// Runs every record on this many ranks (threads of this process, each with its own
  /// database), queries split across them; rank 0's outcome is checked, and every rank must
  /// have the same one.
  int ranks = 1;
};

/// Is the outcome of one file: records passed, failed and skipped (by skipif/onlyif/require).
struct FileSummary {
  size_t passed = 0;
  size_t failed = 0;
  size_t skipped = 0;
};

/// Runs sqllogictest files against Sluice (engine name "sluice"), each file on a fresh
/// session::Database. Prints every failure (file:line, SQL, expected and actual) to `out`.
class SqlLogicTestRunner {
 public:
  SqlLogicTestRunner(RunnerOptions options, std::ostream& out) : options_(options), out_(out) {}
  SqlLogicTestRunner(const SqlLogicTestRunner&) = delete;
  SqlLogicTestRunner& operator=(const SqlLogicTestRunner&) = delete;

  /// Runs the file at `path` and prints "path: N passed, N failed[, N skipped]".
  /// Throws IoError when the file cannot be read.
  FileSummary RunFile(const std::string& path);
  /// Runs `text` as the content of a file called `name`; prints no summary line.
  FileSummary RunText(std::string_view name, std::string_view text);

 private:
  RunnerOptions options_;
  std::ostream& out_;
};

/// Returns the summary line of a file: "name: N passed, N failed" plus ", N skipped" if any.
std::string SummaryLine(std::string_view name, const FileSummary& summary);

}  // namespace sluice::testing
