#pragma once

// How a run is written down: the catalog's run details (JSON) and the run's log file under
// `.sluice/logs/`.

#include <fstream>
#include <mutex>
#include <string>

#include "notebook/runner.h"

namespace sluice::notebook {

/// Returns the catalog details of `report`: trigger and, per cell, status, reason, timings,
/// rows, input and output versions and error, as a JSON object.
std::string RunDetailsJson(const RunReport& report);

/// Returns the cells of run details made by RunDetailsJson (nothing for other text).
std::vector<CellReport> CellsFromDetailsJson(const std::string& json);

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
