#include "testing/sqllogictest_runner.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/text_file.h"
#include "cluster/thread_ranks.h"
#include "session/database.h"
#include "testing/sqllogictest_parser.h"
#include "testing/sqllogictest_result.h"

namespace sluice::testing {
namespace {

constexpr std::string_view kEngineName = "sluice";
constexpr size_t kMaxPrintedRows = 40;

/// Is what running one statement gave: a result, or an error message.
struct Outcome {
  std::optional<session::QueryResult> result;
  std::string error;
  bool internal_error = false;
};

/// Is why a record failed, with the lines to show under "expected" and "actual".
struct Failure {
  std::string message;
  std::vector<std::string> expected;
  std::vector<std::string> actual;
};

// Returns the values as rows of `num_columns` tab-separated values, at most kMaxPrintedRows.
std::vector<std::string> Rows(const std::vector<std::string>& values, size_t num_columns) {
  std::vector<std::string> rows;
  if (num_columns == 0) return rows;
  for (size_t i = 0; i < values.size(); i += num_columns) {
    if (rows.size() == kMaxPrintedRows) {
      rows.push_back(fmt::format("... ({} rows in all)", values.size() / num_columns));
      break;
    }
    std::string row;
    for (size_t j = i; j < std::min(values.size(), i + num_columns); ++j) {
      row += (j > i ? "\t" : "") + values[j];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool ErrorMatches(const std::string& message, const std::string& expected) {
  constexpr std::string_view kRegexPrefix = "<REGEX>:";
  if (expected.starts_with(kRegexPrefix)) {
    return std::regex_search(message, std::regex(expected.substr(kRegexPrefix.size())));
  }
  return message.find(expected) != std::string::npos;
}

/// Is a fresh temporary workspace folder, removed with its contents when destroyed.
class TempWorkspace {
 public:
  TempWorkspace() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sluice-workspace-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) Throw<IoError>("cannot create a test workspace");
    path_ = pattern;
  }
  ~TempWorkspace() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempWorkspace(const TempWorkspace&) = delete;
  TempWorkspace& operator=(const TempWorkspace&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Runs the records of one file on its own database and counts the outcomes.
class FileRun {
 public:
  FileRun(std::string_view name, const RunnerOptions& options, std::ostream& out)
      : name_(name), options_(options), out_(out) {}
  ~FileRun() {
    std::error_code ignored;
    if (!test_dir_.empty()) std::filesystem::remove_all(test_dir_, ignored);
  }

  FileSummary Run(const std::vector<Record>& records) {
    Reopen();
    for (size_t i = 0; i < records.size(); ++i) {
      const Record& record = records[i];
      if (record.kind == RecordKind::kHalt) break;
      if (record.kind == RecordKind::kRestart) {
        Reopen();
        continue;
      }
      if (record.kind == RecordKind::kRequire && record.argument == "workspace") {
        workspace_ = std::make_unique<TempWorkspace>();
        Reopen();
        continue;
      }
      if (record.kind == RecordKind::kRequire) {
        out_ << fmt::format("{}:{}: skipping the rest: require {} is not supported\n", name_,
                            record.line, record.argument);
        summary_.skipped += CountRunnable(records, i + 1);
        break;
      }
      if (!RecordApplies(record, kEngineName)) {
        if (record.kind != RecordKind::kHashThreshold) ++summary_.skipped;
        continue;
      }
      // Flushed so that a run killed by a timeout shows the record it was on.
      if (options_.verbose)
        out_ << fmt::format("{}:{}:\n{}\n", name_, record.line, record.sql) << std::flush;
      std::optional<Failure> failure = RunRecord(record);
      if (record.kind == RecordKind::kHashThreshold) continue;
      if (!failure) {
        ++summary_.passed;
        continue;
      }
      ++summary_.failed;
      Report(record, *failure);
      if (options_.stop_on_failure) break;
    }
    return summary_;
  }

 private:
  static size_t CountRunnable(const std::vector<Record>& records, size_t from) {
    size_t count = 0;
    for (size_t i = from; i < records.size(); ++i) {
      if (records[i].kind == RecordKind::kStatement || records[i].kind == RecordKind::kQuery) {
        ++count;
      }
    }
    return count;
  }

  std::optional<Failure> RunRecord(const Record& record) {
    switch (record.kind) {
      case RecordKind::kStatement:
        return RunStatement(record);
      case RecordKind::kQuery:
        return RunQuery(record);
      case RecordKind::kHashThreshold:
        return std::nullopt;
      default:
        return Failure{"malformed record: " + record.error, {}, {}};
    }
  }

  static Outcome ExecuteOn(session::Connection& connection, const std::string& sql) {
    try {
      return {connection.Execute(sql), "", false};
    } catch (const UserError& error) {
      return {std::nullopt, error.what(), false};
    } catch (const std::exception& error) {
      return {std::nullopt, error.what(), true};
    }
  }

  // Runs `sql` on every rank; returns rank 0's outcome, or an internal error when another
  // rank's differs (its rows when `compare_rows`, else whether it failed and its row count:
  // statements report times).
  Outcome Execute(const std::string& sql, bool compare_rows) {
    std::string text = WithTestDir(sql);
    if (connections_.size() == 1) return ExecuteOn(*connections_[0], text);
    std::vector<Outcome> outcomes(connections_.size());
    cluster::RunRanks(static_cast<int>(connections_.size()), [&](cluster::Communicator& ranks) {
      session::Connection& connection = *connections_[ranks.rank()];
      connection.set_ranks(&ranks);
      outcomes[ranks.rank()] = ExecuteOn(connection, text);
      connection.set_ranks(nullptr);
    });
    for (size_t rank = 1; rank < outcomes.size(); ++rank) {
      std::string text = OutcomeText(outcomes[rank], compare_rows);
      if (text != OutcomeText(outcomes[0], compare_rows)) {
        return {std::nullopt,
                fmt::format("rank {} of {} gave another outcome than rank 0: {}", rank,
                            outcomes.size(), text),
                true};
      }
    }
    return std::move(outcomes[0]);
  }

  // Returns the error, or the rows (`rows`) or else just the row count of a result.
  static std::string OutcomeText(const Outcome& outcome, bool rows) {
    if (!outcome.result) return "error: " + outcome.error;
    if (!rows) return fmt::format("{} rows", outcome.result->num_rows());
    std::string text;
    for (const core::Batch& batch : outcome.result->batches) text += batch.ToString();
    return text;
  }

  // Replaces __TEST_DIR__ (DuckDB's convention) with a fresh folder of this file's run, made on
  // first use and removed when the run ends.
  std::string WithTestDir(const std::string& sql) {
    constexpr std::string_view kMarker = "__TEST_DIR__";
    if (sql.find(kMarker) == std::string::npos) return sql;
    if (test_dir_.empty()) {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "sluice-test-XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr) Throw<IoError>("cannot create a test folder");
      test_dir_ = pattern;
    }
    std::string text = sql;
    for (size_t at = text.find(kMarker); at != std::string::npos; at = text.find(kMarker, at)) {
      text.replace(at, kMarker.size(), test_dir_);
      at += test_dir_.size();
    }
    return text;
  }

  std::optional<Failure> RunStatement(const Record& record) {
    Outcome outcome = Execute(record.sql, false);
    if (outcome.internal_error) return Failure{"internal error: " + outcome.error, {}, {}};
    if (!record.expect_error) {
      if (outcome.result) return std::nullopt;
      return Failure{"statement failed", {"ok"}, {outcome.error}};
    }
    std::vector<std::string> expected = {record.expected_error.value_or("an error")};
    if (outcome.result) return Failure{"statement succeeded, expected an error", expected, {"ok"}};
    if (record.expected_error && !ErrorMatches(outcome.error, *record.expected_error)) {
      return Failure{"wrong error message", expected, {outcome.error}};
    }
    return std::nullopt;
  }

  std::optional<Failure> RunQuery(const Record& record) {
    Outcome outcome = Execute(record.sql, true);
    if (!outcome.result) {
      return Failure{
          (outcome.internal_error ? "internal error: " : "query failed: ") + outcome.error, {}, {}};
    }
    size_t num_columns = outcome.result->schema->num_fields();
    if (num_columns != record.types.size()) {
      return Failure{fmt::format("wrong number of columns: query says {}, result has {}",
                                 record.types.size(), num_columns),
                     {},
                     {}};
    }
    std::vector<std::string> values = FormatValues(outcome.result->batches, record.types);
    SortValues(values, num_columns, record.sort_mode);
    if (!record.label.empty()) {
      std::string hash = HashValues(values);
      auto [entry, inserted] = labels_.emplace(record.label, hash);
      if (!inserted && entry->second != hash) {
        return Failure{"labeled result " + record.label + " does not agree with previous values",
                       {entry->second},
                       {hash}};
      }
    }
    std::optional<std::string> difference = CompareValues(values, record);
    if (!difference) return std::nullopt;
    bool hashed = record.expected.size() == 1 &&
                  record.expected[0].find(" values hashing to ") != std::string::npos;
    return Failure{
        "wrong result: " + *difference, record.expected,
        hashed ? std::vector<std::string>{HashValues(values)} : Rows(values, num_columns)};
  }

  void Report(const Record& record, const Failure& failure) {
    std::string text = fmt::format("{}:{}: {}\n  sql:\n", name_, record.line, failure.message);
    auto indent = [&text](const std::string& lines) {
      std::istringstream stream(lines);
      for (std::string line; std::getline(stream, line);) text += "    " + line + "\n";
    };
    indent(record.sql);
    if (!failure.expected.empty() || !failure.actual.empty()) {
      text += "  expected:\n";
      for (const std::string& line : failure.expected) indent(line);
      text += "  actual:\n";
      for (const std::string& line : failure.actual) indent(line);
    }
    out_ << text << std::flush;
  }

  std::string name_;
  const RunnerOptions& options_;
  std::ostream& out_;
  // Opens the database again: the file's workspace when it has one, else an empty one.
  // Each rank has its own database, as a process of its own would; with `require workspace`
  // all open the same workspace folder.
  void Reopen() {
    connections_.clear();
    databases_.clear();
    for (size_t rank = 0; rank < std::max<size_t>(options_.ranks, 1); ++rank) {
      databases_.push_back(workspace_ ? session::Database::Open(workspace_->path())
                                      : std::make_unique<session::Database>());
      connections_.push_back(std::make_unique<session::Connection>(*databases_.back()));
    }
  }

  std::unique_ptr<TempWorkspace> workspace_;  // set by `require workspace`
  std::vector<std::unique_ptr<session::Database>> databases_;
  std::vector<std::unique_ptr<session::Connection>> connections_;
  std::map<std::string, std::string> labels_;
  FileSummary summary_;
  std::string test_dir_;  // what __TEST_DIR__ stands for; empty until first used
};

}  // namespace

FileSummary SqlLogicTestRunner::RunFile(const std::string& path) {
  FileSummary summary = RunText(path, ReadTextFile(path));
  out_ << SummaryLine(path, summary) << '\n';
  return summary;
}

FileSummary SqlLogicTestRunner::RunText(std::string_view name, std::string_view text) {
  FileRun run(name, options_, out_);
  return run.Run(ParseSqlLogicTest(text));
}

std::string SummaryLine(std::string_view name, const FileSummary& summary) {
  std::string line = fmt::format("{}: {} passed, {} failed", name, summary.passed, summary.failed);
  if (summary.skipped > 0) line += fmt::format(", {} skipped", summary.skipped);
  return line;
}

}  // namespace sluice::testing
