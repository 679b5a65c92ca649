#pragma once

// The `schedules:` section of a workspace's sluice.yaml: which notebooks run when.
//
//   schedules:
//     max_concurrent_runs: 2        # across notebooks; default 1
//     missed_runs: run_once         # after downtime: skip | run_once (default) | run_all
//     notebooks:
//       - notebook: notebooks/flights.sql     # relative to the workspace folder
//         cron: "*/15 * * * *"                # optional; UTC
//         on_update: [flights, airports]      # optional; results or sources
//         retries: 2                          # default 0
//         retry_backoff: 30s                  # first retry delay, doubled each retry

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notebook/cron.h"

namespace sluice::notebook {

/// Says what happens to the cron times a notebook missed while no scheduler ran.
enum class MissedRunPolicy {
  kSkip,     // none of them run
  kRunOnce,  // one run stands for all of them
  kRunAll,   // each runs, at most kMaxMissedRuns per notebook
};

/// Is the most runs `MissedRunPolicy::kRunAll` makes up for per notebook.
inline constexpr int kMaxMissedRuns = 10;

/// Is one entry of `schedules.notebooks`.
struct NotebookSchedule {
  std::string notebook;  // as written: relative to the workspace folder
  std::optional<CronExpression> cron;
  std::vector<std::string> on_update;  // result or source names, in the order written
  int retries = 0;
  std::chrono::milliseconds retry_backoff{10'000};  // first retry's delay; doubled each retry
  int line = 0;                                     // of the entry in sluice.yaml
};

/// Is the `schedules:` section of sluice.yaml.
struct ScheduleConfig {
  int max_concurrent_runs = 1;
  MissedRunPolicy missed_runs = MissedRunPolicy::kRunOnce;
  std::vector<NotebookSchedule> notebooks;
};

/// Returns the policy's name as sluice.yaml writes it ("skip", "run_once", "run_all").
const char* MissedRunPolicyName(MissedRunPolicy policy);

/// Parses a duration: a whole number with unit ms, s, m or h ("500ms", "30s", "5m", "1h"), at
/// most a year. Throws UserError naming the text.
std::chrono::milliseconds ParseDuration(std::string_view text);

/// Returns the `schedules:` section of sluice.yaml text `yaml_text` (an empty config when it
/// has none); other top-level keys are ignored. Throws UserError naming `path` and the line
/// for YAML that does not parse, an unknown key inside `schedules`, a bad value, cron
/// expression or duration, a notebook listed twice, and an entry with neither `cron` nor
/// `on_update`.
ScheduleConfig ParseScheduleConfig(std::string_view yaml_text, const std::string& path);

/// Returns the schedules of the workspace in folder `workspace` from its sluice.yaml (an empty
/// config when there is no such file). Throws IoError when it cannot be read, UserError as
/// ParseScheduleConfig does.
ScheduleConfig ReadScheduleConfig(const std::string& workspace);

}  // namespace sluice::notebook
