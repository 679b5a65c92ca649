#include "notebook/runner.h"

#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "cluster/thread_ranks.h"
#include "notebook/run_record.h"
#include "store/file_lock.h"
#include "store/result_store.h"

namespace sluice::notebook {
namespace {

/// Is a workspace with two CSV files and a notebook over them:
///   load_a (source a) ─► sum_a (result) ─┐
///   load_b (source b) ─► sum_b (result) ─┴► report (result)
class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_.Write("a.csv", "k,v\n1,10\n2,20\n");
    folder_.Write("b.csv", "k,v\n1,5\n");
    database_ = session::Database::Open(folder_.path());
    WriteNotebook(kCells);
  }

  void WriteNotebook(std::string text) {
    for (const char* file : {"a.csv", "b.csv"}) {
      for (size_t at; (at = text.find(std::string("@") + file)) != std::string::npos;) {
        text.replace(at, std::strlen(file) + 1, folder_.Path(file));
      }
    }
    folder_.Write("pipeline.sql", text);
  }

  RunReport Run(RunOptions options = {}) {
    return RunNotebook(*database_, folder_.Path("pipeline.sql"), options);
  }

  static std::map<std::string, CellStatus> Statuses(const RunReport& report) {
    std::map<std::string, CellStatus> statuses;
    for (const CellReport& cell : report.cells) statuses[cell.name] = cell.status;
    return statuses;
  }

  std::vector<int64_t> Versions(const std::string& name) {
    return database_->store()->catalog().Versions(name);
  }

  static constexpr const char* kCells = R"(-- %% name=load_a
CREATE SOURCE a FROM '@a.csv';
-- %% name=load_b
CREATE SOURCE b FROM '@b.csv';
-- %% name=sum_a
CREATE TABLE sum_a AS SELECT sum(v) AS total, count(*) AS n FROM a;
-- %% name=sum_b
CREATE TABLE sum_b AS SELECT sum(v) AS total FROM b;
-- %% name=report
CREATE TABLE report AS SELECT sum_a.total AS a, sum_b.total AS b FROM sum_a, sum_b;
)";

  TestFolder folder_;
  std::unique_ptr<session::Database> database_;
};

constexpr CellStatus kRan = CellStatus::kSucceeded;
constexpr CellStatus kSkipped = CellStatus::kSkipped;

TEST_F(RunnerTest, RunsEveryCellThenSkipsThemAllWhenNothingChanged) {
  RunReport first = Run();
  EXPECT_EQ(first.status, "succeeded");
  ASSERT_EQ(first.cells.size(), 5u);
  for (const CellReport& cell : first.cells) EXPECT_EQ(cell.status, kRan) << cell.name;
  EXPECT_EQ(first.cells[2].rows_out, 1);
  EXPECT_EQ(first.cells[4].rows_in, 2);  // sum_a and sum_b: a row each
  EXPECT_EQ(first.cells[4].outputs.at("report"), "v1");
  RunReport second = Run();
  EXPECT_EQ(second.status, "succeeded");
  for (const CellReport& cell : second.cells) {
    EXPECT_EQ(cell.status, kSkipped) << cell.name;
    EXPECT_EQ(cell.reason, "current");
  }
  EXPECT_EQ(Versions("report"), (std::vector<int64_t>{1}));
  EXPECT_NE(second.run_id, first.run_id);
}

TEST_F(RunnerTest, ATouchedSourceFileRerunsExactlyTheCellsDownstreamOfIt) {
  Run();
  // A different size changes the file's fingerprint whatever the clock's resolution.
  folder_.Write("b.csv", "k,v\n1,5\n2,7\n");
  RunReport report = Run();
  EXPECT_EQ(Statuses(report), (std::map<std::string, CellStatus>{{"load_a", kSkipped},
                                                                 {"load_b", kRan},
                                                                 {"sum_a", kSkipped},
                                                                 {"sum_b", kRan},
                                                                 {"report", kRan}}));
  EXPECT_EQ(Versions("sum_a"), (std::vector<int64_t>{1}));
  EXPECT_EQ(Versions("sum_b"), (std::vector<int64_t>{1, 2}));
  session::Connection connection(*database_);
  EXPECT_EQ(connection.Execute("SELECT a, b FROM report").ToString(), "30|12\n");
}

TEST_F(RunnerTest, ChangedCellTextRerunsTheCellAndWhatReadsIt) {
  Run();
  std::string cells = kCells;
  cells.replace(cells.find("sum(v) AS total FROM b"), 22, "max(v) AS total FROM b");
  WriteNotebook(cells);
  RunReport report = Run();
  std::map<std::string, CellStatus> statuses = Statuses(report);
  EXPECT_EQ(statuses["sum_b"], kRan);
  EXPECT_EQ(statuses["report"], kRan);
  EXPECT_EQ(statuses["sum_a"], kSkipped);
  EXPECT_EQ(report.cells[3].reason, "its text changed");
  EXPECT_EQ(report.cells[4].reason, "sum_b gets a new version in this run");
}

TEST_F(RunnerTest, AFailingCellFailsTheRunAndKeepsWhatWasCommittedBefore) {
  Run();
  std::string cells = kCells;
  // The cell's first statement commits a version before its second fails: both go.
  cells.replace(cells.find("CREATE TABLE sum_b AS SELECT sum(v) AS total FROM b;"), 52,
                "CREATE TABLE sum_b AS SELECT 1 AS total;\nSELECT no_such_column FROM b;");
  WriteNotebook(cells);
  RunReport report = Run();
  EXPECT_EQ(report.status, "failed");
  std::map<std::string, CellStatus> statuses = Statuses(report);
  EXPECT_EQ(statuses["sum_b"], CellStatus::kFailed);
  EXPECT_EQ(statuses["report"], CellStatus::kNotRun);
  EXPECT_EQ(statuses["sum_a"], kSkipped);
  const CellReport& failed = report.cells[3];
  EXPECT_NE(failed.error.find("pipeline.sql:9: cell 'sum_b' failed"), std::string::npos)
      << failed.error;
  EXPECT_NE(failed.error.find("no_such_column"), std::string::npos) << failed.error;
  EXPECT_EQ(Versions("sum_b"), (std::vector<int64_t>{1}));
  session::Connection connection(*database_);
  EXPECT_EQ(connection.Execute("SELECT total FROM sum_b").ToString(), "5\n");
  std::vector<catalog::RunRecord> runs = database_->store()->catalog().Runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].status, "failed");
  EXPECT_EQ(runs[0].error, failed.error);
  EXPECT_EQ(runs[1].status, "succeeded");
}

TEST_F(RunnerTest, CellsThatDoNotDependOnAFailedOneStillFinish) {
  std::string cells = kCells;
  cells.replace(cells.find("FROM a;"), 7, "FROM missing_table;");
  WriteNotebook(cells);
  RunReport report = Run();
  std::map<std::string, CellStatus> statuses = Statuses(report);
  EXPECT_EQ(statuses["sum_a"], CellStatus::kFailed);
  EXPECT_EQ(statuses["sum_b"], kRan);
  EXPECT_EQ(statuses["report"], CellStatus::kNotRun);
  EXPECT_EQ(report.cells[4].reason, "upstream cell sum_a did not succeed");
  EXPECT_TRUE(Versions("sum_a").empty());
  // The failed cell runs again next time; what succeeded is current.
  WriteNotebook(kCells);
  std::map<std::string, CellStatus> again = Statuses(Run());
  EXPECT_EQ(again["sum_a"], kRan);
  EXPECT_EQ(again["sum_b"], kSkipped);
  EXPECT_EQ(again["report"], kRan);
}

TEST_F(RunnerTest, ForceRerunsEverythingAndDryRunChangesNothing) {
  Run();
  RunOptions dry;
  dry.dry_run = true;
  dry.force = true;
  RunReport planned = Run(dry);
  EXPECT_EQ(planned.status, "planned");
  EXPECT_EQ(planned.run_id, 0);
  for (const CellReport& cell : planned.cells) EXPECT_EQ(cell.status, CellStatus::kPending);
  EXPECT_EQ(Versions("report"), (std::vector<int64_t>{1}));
  EXPECT_EQ(database_->store()->catalog().Runs().size(), 1u);
  RunOptions force;
  force.force = true;
  for (const CellReport& cell : Run(force).cells) EXPECT_EQ(cell.status, kRan);
  EXPECT_EQ(Versions("report"), (std::vector<int64_t>{1, 2}));
}

TEST_F(RunnerTest, OneCellRunsWithTheCellsUpstreamOfIt) {
  RunOptions options;
  options.cell = "sum_b";
  RunReport report = Run(options);
  EXPECT_EQ(Statuses(report),
            (std::map<std::string, CellStatus>{{"load_b", kRan}, {"sum_b", kRan}}));
  EXPECT_TRUE(Versions("sum_a").empty());
  options.cell = "nope";
  EXPECT_THROW(Run(options), UserError);
}

TEST_F(RunnerTest, ACellMakingATempTableRunsAgainWhenACellReadingItRuns) {
  auto notebook = [](int version) {
    return fmt::format(R"(-- %% name=load
CREATE SOURCE a FROM '@a.csv';
-- %% name=stage
CREATE TEMP TABLE staged AS SELECT k, v * 2 AS v FROM a;
-- %% name=final
CREATE TABLE final AS SELECT sum(v) AS total FROM staged, b_version;
-- %% name=version
CREATE TABLE b_version AS SELECT {} AS x;
)",
                       version);
  };
  WriteNotebook(notebook(1));
  Run();
  // A new process: the temporary table is gone.
  database_ = session::Database::Open(folder_.path());
  WriteNotebook(notebook(2));
  RunReport report = Run();
  std::map<std::string, CellStatus> statuses = Statuses(report);
  EXPECT_EQ(statuses["load"], kSkipped);
  EXPECT_EQ(statuses["version"], kRan);
  EXPECT_EQ(statuses["final"], kRan);
  EXPECT_EQ(statuses["stage"], kRan);
  EXPECT_EQ(report.cells[1].reason, "cell final reads its staged, which only lives in memory");
  EXPECT_EQ(report.status, "succeeded");
}

TEST_F(RunnerTest, RecordsTheRunWithItsCellsAndWritesALog) {
  std::vector<std::string> progress;
  std::mutex mutex;
  RunOptions options;
  options.trigger = "cron";
  options.on_progress = [&](const CellReport& cell) {
    std::lock_guard lock(mutex);
    progress.push_back(cell.name + ":" + CellStatusName(cell.status));
  };
  RunReport report = Run(options);
  std::vector<catalog::RunRecord> runs = database_->store()->catalog().Runs("pipeline.sql");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, report.run_id);
  EXPECT_EQ(runs[0].status, "succeeded");
  EXPECT_EQ(runs[0].notebook_hash.size(), 16u);
  std::vector<CellReport> cells = CellsFromDetailsJson(runs[0].details_json);
  ASSERT_EQ(cells.size(), 5u);
  EXPECT_EQ(cells[4].name, "report");
  EXPECT_EQ(cells[4].status, kRan);
  EXPECT_EQ(cells[4].inputs.at("sum_a"), "v1");
  EXPECT_EQ(cells[4].outputs.at("report"), "v1");
  EXPECT_NE(runs[0].details_json.find("\"trigger\":\"cron\""), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(report.log_path));
  std::string log = TestFolder::ReadFile(report.log_path);
  EXPECT_NE(log.find("cell report succeeded: 2 rows in, 1 rows out"), std::string::npos) << log;
  EXPECT_NE(std::find(progress.begin(), progress.end(), "report:running"), progress.end());
  EXPECT_NE(std::find(progress.begin(), progress.end(), "report:succeeded"), progress.end());
}

TEST_F(RunnerTest, ACancelledRunStartsNoFurtherCells) {
  std::atomic<bool> cancel{true};
  RunOptions options;
  options.cancel = &cancel;
  RunReport report = Run(options);
  EXPECT_EQ(report.status, "cancelled");
  for (const CellReport& cell : report.cells) EXPECT_EQ(cell.status, CellStatus::kNotRun);
  EXPECT_TRUE(Versions("report").empty());
}

TEST_F(RunnerTest, ARunWhoseProcessDiedIsRecordedAsFailedByTheNextRun) {
  catalog::CatalogDb& catalog = database_->store()->catalog();
  std::string locks = database_->store()->state_dir() + "/locks/";
  auto record = [&](const std::string& lock) {
    catalog::RunRecord run;
    run.notebook = "pipeline.sql";
    run.status = "running";
    run.started_micros = 1;
    run.details_json = R"({"lock": ")" + lock + R"(", "cells": []})";
    return catalog.StartRun(run);
  };
  // A killed process leaves its lock file behind, no longer locked.
  store::FileLock::Acquire(locks + "run-dead.lock", std::chrono::milliseconds(0), "test");
  int64_t dead = record("run-dead.lock");
  auto alive_lock =
      store::FileLock::Acquire(locks + "run-alive.lock", std::chrono::milliseconds(0), "test");
  int64_t alive = record("run-alive.lock");
  EXPECT_EQ(Run().status, "succeeded");
  std::map<int64_t, catalog::RunRecord> runs;
  for (catalog::RunRecord& run : catalog.Runs()) runs[run.id] = run;
  EXPECT_EQ(runs[dead].status, "failed");
  EXPECT_NE(runs[dead].error.find("was killed"), std::string::npos) << runs[dead].error;
  EXPECT_FALSE(std::filesystem::exists(locks + "run-dead.lock"));
  EXPECT_EQ(runs[alive].status, "running");
  // A finished run leaves no lock file, and a new run finds nothing more to close.
  EXPECT_TRUE(CloseAbandonedRuns(*database_->store()).empty());
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(locks)) {
    files += entry.path().filename().string().starts_with("run-") ? 1 : 0;
  }
  EXPECT_EQ(files, 1u);  // run-alive.lock
}

TEST_F(RunnerTest, NeedsAWorkspace) {
  session::Database memory;
  EXPECT_THROW(RunNotebook(memory, folder_.Path("pipeline.sql"), {}), UserError);
}

TEST_F(RunnerTest, RanksRunTheNotebookTogetherAndRankZeroAloneCommits) {
  constexpr int kRanks = 3;
  std::vector<RunReport> reports(kRanks);
  cluster::RunRanks(kRanks, [&](cluster::Communicator& ranks) {
    auto database = session::Database::Open(folder_.path());  // as a process of its own would
    RunOptions options;
    options.ranks = &ranks;
    reports[ranks.rank()] = RunNotebook(*database, folder_.Path("pipeline.sql"), options);
  });
  for (const RunReport& report : reports) {
    EXPECT_EQ(report.status, "succeeded");
    EXPECT_EQ(report.run_id, reports[0].run_id);
    EXPECT_EQ(Statuses(report), Statuses(reports[0]));
    for (const CellReport& cell : report.cells) EXPECT_EQ(cell.status, kRan) << cell.name;
  }
  for (const char* result : {"sum_a", "sum_b", "report"}) {
    EXPECT_EQ(Versions(result), std::vector<int64_t>{1}) << result;
  }
  EXPECT_EQ(database_->store()->catalog().Runs().size(), 1u);
  auto rows = session::Connection(*database_).Execute("SELECT a, b FROM report").ToString();
  EXPECT_EQ(rows, "30|5\n");
  // The cell states rank 0 recorded make every rank skip every cell the next time.
  cluster::RunRanks(kRanks, [&](cluster::Communicator& ranks) {
    auto database = session::Database::Open(folder_.path());
    RunOptions options;
    options.ranks = &ranks;
    RunReport again = RunNotebook(*database, folder_.Path("pipeline.sql"), options);
    for (const CellReport& cell : again.cells) EXPECT_EQ(cell.status, kSkipped) << cell.name;
  });
}

}  // namespace
}  // namespace sluice::notebook
