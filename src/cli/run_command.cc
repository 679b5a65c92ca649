#include "cli/run_command.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "catalog/catalog_db.h"
#include "cli/ranks.h"
#include "cli/result_printer.h"
#include "cli/sql_command.h"
#include "cli/workspace_options.h"
#include "cluster/launcher.h"
#include "core/datetime.h"
#include "notebook/run_record.h"
#include "notebook/runner.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;
using core::TypeId;
using core::Value;
using notebook::CellReport;
using notebook::CellStatus;

struct RunCommandOptions {
  std::string notebook;
  std::string workspace;
  std::optional<std::string> cell;
  bool force = false;
  bool dry_run = false;
  std::string trigger = "manual";
  std::string format = "table";
  size_t limit = 20;
  int64_t run_id = 0;
};

std::string Seconds(int64_t micros) { return fmt::format("{:.2f}s", micros / 1e6); }

/// Prints a run's progress: a line per finished cell and, on a terminal, a live line for the
/// cells running now.
class ProgressPrinter {
 public:
  ProgressPrinter() : live_(isatty(STDERR_FILENO) == 1) {}

  void Update(const CellReport& cell) {
    if (cell.status == CellStatus::kRunning || cell.status == CellStatus::kPending) {
      if (live_) {
        std::cerr << fmt::format("\r\033[K  … {:<24} {:>10} rows in  {}", cell.name, cell.rows_in,
                                 Seconds(cell.elapsed_micros))
                  << std::flush;
      }
      return;
    }
    if (live_) std::cerr << "\r\033[K";
    std::cerr << Line(cell) << '\n';
  }

  static std::string Line(const CellReport& cell) {
    const char* mark = cell.status == CellStatus::kSucceeded ? "✓"
                       : cell.status == CellStatus::kSkipped ? "·"
                                                             : "✗";
    std::string rows = cell.status == CellStatus::kSucceeded || cell.status == CellStatus::kSkipped
                           ? fmt::format("{:>10} rows", cell.rows_out)
                           : std::string(15, ' ');
    std::string detail =
        cell.status == CellStatus::kSucceeded ? Seconds(cell.elapsed_micros) : cell.reason;
    return fmt::format("  {} {:<24} {:<9} {} {}", mark, cell.name,
                       notebook::CellStatusName(cell.status), rows, detail);
  }

 private:
  bool live_;
};

void PrintSummary(const notebook::RunReport& report) {
  size_t ran = 0, skipped = 0, failed = 0, not_run = 0;
  for (const CellReport& cell : report.cells) {
    ran += cell.status == CellStatus::kSucceeded;
    skipped += cell.status == CellStatus::kSkipped;
    failed += cell.status == CellStatus::kFailed;
    not_run += cell.status == CellStatus::kNotRun;
  }
  for (const CellReport& cell : report.cells) {
    if (cell.status == CellStatus::kFailed) std::cerr << "Error: " << cell.error << '\n';
  }
  std::cout << fmt::format("run {} of {} {} in {}: {} ran, {} skipped, {} failed, {} not run\n",
                           report.run_id, report.notebook, report.status,
                           Seconds(report.elapsed_micros), ran, skipped, failed, not_run);
  std::cout << "log: " << report.log_path << '\n';
}

void PrintPlan(const notebook::RunReport& report) {
  std::cout << fmt::format("dry run of {}: nothing is run or recorded\n", report.notebook);
  for (const CellReport& cell : report.cells) {
    std::cout << fmt::format("  {:<24} {:<5} {}\n", cell.name,
                             cell.status == CellStatus::kSkipped ? "skip" : "run", cell.reason);
  }
}

void Run(const RunCommandOptions& options) {
  if (!fs::is_regular_file(options.notebook)) {
    Throw<UserError>("notebook {} does not exist", options.notebook);
  }
  std::string notebook = fs::absolute(options.notebook).string();
  std::string workspace =
      fs::absolute(RequireWorkspace(options.workspace, fs::path(notebook).parent_path().string()))
          .string();
  // Paths in a notebook's SQL are relative to its workspace, wherever `sluice` is started.
  fs::current_path(workspace);
  bool succeeded = true;
  {
    // Under a launcher every rank runs the notebook; the run ends (MPI too) on every rank
    // before an exit code unwinds.
    std::unique_ptr<cluster::Communicator> ranks = JoinRanks();
    bool first_rank = ranks->rank() == 0;
    std::unique_ptr<session::Database> database;
    if (first_rank) database = session::Database::Open(workspace);  // cleans up, migrates
    ranks->Barrier();
    if (!first_rank) database = session::Database::Open(workspace);
    notebook::RunOptions run;
    run.cell = options.cell;
    run.force = options.force;
    run.dry_run = options.dry_run;
    run.trigger = options.trigger;
    if (ranks->size() > 1) {
      run.ranks = ranks.get();
      if (first_rank) {
        std::cerr << fmt::format("running on {} ranks ({})\n", ranks->size(),
                                 cluster::LauncherName(cluster::DetectLauncher().launcher));
      }
    }
    ProgressPrinter printer;
    if (!options.dry_run && first_rank) {
      run.on_progress = [&](const CellReport& cell) { printer.Update(cell); };
    }
    notebook::RunReport report = notebook::RunNotebook(*database, notebook, run);
    if (first_rank) options.dry_run ? PrintPlan(report) : PrintSummary(report);
    succeeded = options.dry_run || report.status == "succeeded";
  }
  if (!succeeded) throw ExitCode{1};
}

session::QueryResult RunsListing(const std::vector<catalog::RunRecord>& runs, size_t limit) {
  std::vector<std::vector<Value>> rows;
  for (const catalog::RunRecord& record : runs) {
    if (rows.size() == limit) break;
    size_t ran = 0, skipped = 0, failed = 0;
    for (const CellReport& cell : notebook::CellsFromDetailsJson(record.details_json)) {
      ran += cell.status == CellStatus::kSucceeded;
      skipped += cell.status == CellStatus::kSkipped;
      failed += cell.status == CellStatus::kFailed;
    }
    int64_t elapsed =
        record.finished_micros > 0 ? record.finished_micros - record.started_micros : 0;
    rows.push_back(
        {Value::Bigint(record.id), Value::Varchar(record.notebook), Value::Varchar(record.status),
         Value::Varchar(notebook::TriggerFromDetailsJson(record.details_json)),
         Value::Timestamp(record.started_micros), Value::Double(elapsed / 1e6),
         Value::Bigint(static_cast<int64_t>(ran)), Value::Bigint(static_cast<int64_t>(skipped)),
         Value::Bigint(static_cast<int64_t>(failed)), Value::Varchar(record.error)});
  }
  return session::Listing({{"run", TypeId::kBigint},
                           {"notebook", TypeId::kVarchar},
                           {"status", TypeId::kVarchar},
                           {"trigger", TypeId::kVarchar},
                           {"started", TypeId::kTimestamp},
                           {"seconds", TypeId::kDouble},
                           {"ran", TypeId::kBigint},
                           {"skipped", TypeId::kBigint},
                           {"failed", TypeId::kBigint},
                           {"error", TypeId::kVarchar}},
                          rows);
}

session::QueryResult CellsListing(const catalog::RunRecord& record) {
  std::vector<std::vector<Value>> rows;
  for (const CellReport& cell : notebook::CellsFromDetailsJson(record.details_json)) {
    rows.push_back({Value::Varchar(cell.name), Value::Integer(cell.line),
                    Value::Varchar(notebook::CellStatusName(cell.status)),
                    Value::Varchar(cell.reason), Value::Double(cell.elapsed_micros / 1e6),
                    Value::Bigint(cell.rows_in), Value::Bigint(cell.rows_out),
                    Value::Varchar(cell.error)});
  }
  return session::Listing({{"cell", TypeId::kVarchar},
                           {"line", TypeId::kInteger},
                           {"status", TypeId::kVarchar},
                           {"reason", TypeId::kVarchar},
                           {"seconds", TypeId::kDouble},
                           {"rows_in", TypeId::kBigint},
                           {"rows_out", TypeId::kBigint},
                           {"error", TypeId::kVarchar}},
                          rows);
}

void ListRuns(const RunCommandOptions& options) {
  std::string workspace = RequireWorkspace(options.workspace);
  auto database = session::Database::Open(workspace);
  notebook::CloseAbandonedRuns(*database->store());
  catalog::CatalogDb& catalog = database->store()->catalog();
  std::string notebook;
  if (!options.notebook.empty()) {
    fs::path relative = fs::weakly_canonical(fs::absolute(options.notebook))
                            .lexically_relative(fs::weakly_canonical(fs::absolute(workspace)));
    notebook = relative.empty() || *relative.begin() == ".." ? options.notebook
                                                             : relative.generic_string();
  }
  std::vector<catalog::RunRecord> runs = catalog.Runs(notebook);
  session::QueryResult result = RunsListing(runs, options.limit);
  if (options.run_id != 0) {
    auto found = std::find_if(runs.begin(), runs.end(),
                              [&](const auto& run) { return run.id == options.run_id; });
    if (found == runs.end()) Throw<UserError>("the catalog has no run {}", options.run_id);
    result = CellsListing(*found);
  }
  PrintRows(std::cout, {*result.schema, result.batches}, *OutputFormatFromName(options.format));
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto options = std::make_shared<RunCommandOptions>();
  CLI::App* run = app.add_subcommand(
      "run",
      "Run a notebook as a pipeline: its SQL cells in dependency order, independent cells at "
      "the same time. A cell whose text and input versions are unchanged since its last "
      "successful run is skipped. A failing cell commits nothing and fails the run; cells that "
      "do not depend on it still finish. Runs are recorded in the catalog (`sluice runs`) and "
      "logged under .sluice/logs/. Paths in the notebook are relative to the workspace folder. "
      "Under a launcher (`mpirun -np N sluice run NOTEBOOK`, `srun --mpi=pmix`, or `sluice "
      "submit`) every rank runs the notebook, one cell at a time, queries split across the "
      "ranks; rank 0 prints and alone commits. Boosted trees and random forests meet at an "
      "XGBoost tracker on rank 0's host: set SLUICE_TRACKER_HOST on rank 0 when the other hosts "
      "reach it by another name. Exit code 1 when the run fails");
  run->add_option("notebook", options->notebook, "The notebook (.sql file)")->required();
  run->add_option("--cell", options->cell,
                  "Run only this cell (by name= or cell_<n>) and the cells upstream of it");
  run->add_flag("--force", options->force, "Run every cell, current or not");
  run->add_flag("--dry-run", options->dry_run,
                "Print which cells would run and why; run and record nothing");
  run->add_option("--trigger", options->trigger,
                  "What started the run, as `sluice runs` shows it (jobs of `sluice submit`: "
                  "slurm; scheduled runs `sluice up` submits to Slurm: slurm:<trigger>)")
      ->capture_default_str();
  run->add_option("--workspace", options->workspace,
                  "Workspace folder (default: the nearest folder upward from the notebook with "
                  ".sluice/ or sluice.yaml)");
  run->callback([options] { Run(*options); });

  auto list_options = std::make_shared<RunCommandOptions>();
  CLI::App* runs = app.add_subcommand(
      "runs", "List notebook runs recorded in the catalog, newest first (--id N: its cells)");
  runs->add_option("notebook", list_options->notebook, "Only the runs of this notebook");
  runs->add_option("--id", list_options->run_id,
                   "Show the cells of run N: status, reason, time, rows, error");
  runs->add_option("--limit", list_options->limit, "Runs to list")->capture_default_str();
  runs->add_option("--format", list_options->format, "Output: table, csv, json or markdown")
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}))
      ->capture_default_str();
  runs->add_option("--workspace", list_options->workspace,
                   "Workspace folder (default: the nearest folder upward with .sluice/ or "
                   "sluice.yaml)");
  runs->callback([list_options] { ListRuns(*list_options); });
}

}  // namespace sluice::cli
