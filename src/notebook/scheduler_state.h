#pragma once

// What the scheduler keeps across restarts, in `.sluice/state/scheduler.json`:
//
//   {"notebooks": {"notebooks/flights.sql": {"cron": "*/15 * * * *",
//                                            "cron_handled_micros": 1718000100000000}},
//    "upstreams": {"flights": "4"}}

#include <chrono>
#include <map>
#include <string>

namespace sluice::notebook {

/// Is the state of a scheduler that outlives its process.
struct SchedulerState {
  /// Is what the scheduler knows of one notebook's cron schedule.
  struct CronState {
    std::string cron;  // the expression the time below was reckoned with
    std::chrono::system_clock::time_point handled_through;  // cron times up to here were handled
  };
  std::map<std::string, CronState> notebooks;    // by notebook path as configured
  std::map<std::string, std::string> upstreams;  // on_update name -> version token last seen
};

/// Returns where the scheduler of the workspace in folder `workspace` keeps its state.
std::string SchedulerStatePath(const std::string& workspace);

/// Returns the state in file `path`, or an empty state when there is no such file. Throws
/// IoError when it cannot be read, DataError naming it when it is not a scheduler state file.
SchedulerState ReadSchedulerState(const std::string& path);

/// Writes `state` to `path` atomically (a temporary file renamed onto it), creating its folder.
/// Throws IoError naming the file when it cannot.
void WriteSchedulerState(const SchedulerState& state, const std::string& path);

}  // namespace sluice::notebook
