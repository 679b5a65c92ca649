#pragma once

// Runs a notebook as a pipeline: the cells of its DAG in dependency order, cells that do not
// depend on each other at the same time, each skipped when its text and the versions of its
// inputs are what they were at its last successful run. Every run is recorded in the workspace
// catalog and logged under `.sluice/logs/`.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cluster/communicator.h"
#include "session/database.h"

namespace sluice::notebook {

/// Says what became of one cell in a run.
enum class CellStatus {
  kPending,    // not started yet
  kRunning,    // running now
  kSucceeded,  // ran and committed its outputs
  kSkipped,    // current: its text and input versions match its last successful run
  kFailed,     // a statement failed; nothing the cell produced was kept
  kNotRun,     // an upstream cell failed, or the run was cancelled before it started
};

/// Returns the status as the reports print it ("succeeded", "skipped", ...).
const char* CellStatusName(CellStatus status);

/// Is what a run did with one cell.
struct CellReport {
  std::string name;
  int line = 0;  // the cell's marker line in the notebook
  CellStatus status = CellStatus::kPending;
  std::string reason;  // why it ran or was skipped ("input flights changed", "current", ...)
  int64_t started_micros = 0;
  int64_t elapsed_micros = 0;
  int64_t rows_in = 0;   // rows of the tables and files the cell read, as the catalog knows them
  int64_t rows_out = 0;  // rows the cell's statements produced
  std::map<std::string, std::string> inputs;   // input name -> version token at run time
  std::map<std::string, std::string> outputs;  // output name -> version token after the run
  std::string error;                           // when failed: the message, naming the line
};

/// Is one run of a notebook.
struct RunReport {
  int64_t run_id = 0;  // in the catalog; 0 for a dry run
  std::string notebook;
  std::string status;   // "succeeded", "failed", "cancelled" (dry run: "planned")
  std::string trigger;  // as RunOptions::trigger
  int64_t started_micros = 0;
  int64_t elapsed_micros = 0;
  std::vector<CellReport> cells;  // in notebook order
  std::string log_path;           // the run's log file, empty for a dry run
};

/// Configures a run.
struct RunOptions {
  /// Runs only this cell and the cells upstream of it (which are skipped when current).
  std::optional<std::string> cell;
  bool force = false;    // runs every selected cell, current or not
  bool dry_run = false;  // decides what would run and why, runs nothing, records nothing
  /// Says what started the run, as recorded: "manual", "cron", "on_update:<name>", "retry".
  std::string trigger = "manual";
  /// Is called (from any thread, one call at a time) whenever a cell changes status, and about
  /// every 100 ms for running cells with their rows and elapsed time so far.
  std::function<void(const CellReport&)> on_progress;
  /// When set to true, cells not started yet are not started; running ones finish.
  const std::atomic<bool>* cancel = nullptr;
  /// Runs on these ranks (null: this process alone): every rank runs the same notebook, one
  /// cell at a time in the same order on the thread that called RunNotebook, queries split
  /// across the ranks; rank 0 alone writes results, cell states, the run record and the log.
  cluster::Communicator* ranks = nullptr;
};

/// Runs the notebook at `path` on `database` (which must be a workspace). With several ranks
/// every rank calls it with its own database on the same workspace; the reports agree. Returns the
/// report; a failed cell makes the run fail but does not throw. Throws UserError when the notebook
/// cannot be read or parsed, or its DAG is invalid (nothing is run then), or when
/// `options.cell` names no SQL cell.
RunReport RunNotebook(session::Database& database, const std::string& path,
                      const RunOptions& options);

}  // namespace sluice::notebook
