#pragma once

// How a run is written down: the catalog's run details (JSON) and the run's log file under
// `.sluice/logs/`.

#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "notebook/runner.h"

namespace sluice::store {
class FileLock;
class ResultStore;
}  // namespace sluice::store

namespace sluice::notebook {

/// Returns the catalog details of `report`: trigger, log, the lock file of its RunLiveness
/// (`lock`, empty: none) and, per cell, status, reason, timings,
/// rows, input and output versions and error, as a JSON object.
std::string RunDetailsJson(const RunReport& report, const std::string& lock = "");

/// Returns the cells of run details made by RunDetailsJson (nothing for other text).
std::vector<CellReport> CellsFromDetailsJson(const std::string& json);

/// Returns what started the run of details made by RunDetailsJson ("" for other text).
std::string TriggerFromDetailsJson(const std::string& json);

/// Is the lock that a run's process (its rank 0) holds from before the run is recorded until
/// it is finished, in `.sluice/locks/run-<random>.lock`, named in the run's details. A lock ends
/// with its process: a run recorded as running whose lock is free was killed, or one of its
/// ranks died and the launcher ended the others.
class RunLiveness {
 public:
  /// Takes a new lock in the workspace whose `.sluice` folder is `state_dir`. Throws IoError.
  explicit RunLiveness(const std::string& state_dir);
  /// Releases the lock; its file stays, for CloseAbandonedRuns, unless Finished() was called.
  ~RunLiveness();
  RunLiveness(const RunLiveness&) = delete;
  RunLiveness& operator=(const RunLiveness&) = delete;

  /// Returns the lock file's name, as RunDetailsJson records it.
  const std::string& file_name() const { return file_name_; }
  /// Removes the lock file: the run is recorded as finished.
  void Finished();

 private:
  std::string path_;
  std::string file_name_;
  std::unique_ptr<store::FileLock> lock_;
};

/// Marks as failed the runs the catalog of `store` records as running whose lock is free (their
/// process is gone), with an error saying so; returns their ids. Runs recorded without a lock
/// are left alone.
std::vector<int64_t> CloseAbandonedRuns(store::ResultStore& store);

/// Appends lines to a run's log file, one per event, flushed as written so a crash keeps what
/// happened before it. Thread-safe. Writing errors are ignored: a log never fails a run.
class RunLog {
 public:
  /// Opens (creates) `path`, making its folder; an empty path writes nowhere.
  explicit RunLog(const std::string& path);
  /// Appends `line` with the current UTC time in front.
  void Write(const std::string& line);

 private:
  std::mutex mutex_;
  std::ofstream out_;
};

}  // namespace sluice::notebook
