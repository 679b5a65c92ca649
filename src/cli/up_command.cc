#include "cli/up_command.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "base/error.h"
#include "cli/foreground.h"
#include "cli/serve_command.h"
#include "cli/workspace_options.h"
#include "notebook/run_plan.h"
#include "notebook/runner.h"
#include "notebook/schedule_config.h"
#include "notebook/scheduler.h"
#include "notebook/scheduler_state.h"
#include "session/database.h"
#include "store/file_lock.h"
#include "store/result_store.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;
using notebook::NotebookSchedule;
using notebook::ScheduleConfig;

constexpr char kDescription[] =
    "Run the workspace in the foreground: serve every result over HTTP (as `sluice serve`) and "
    "run the notebooks that sluice.yaml schedules: at their cron times, when a result or source "
    "they watch gets a new version, again after a failure, and for cron times missed while "
    "`sluice up` was not running. Prints a line per trigger and per finished run. Ctrl-C (or "
    "SIGTERM) stops: running cells and requests finish, cells not started are cancelled; a "
    "second one exits at once";

constexpr char kFooter[] = R"(
The schedules live in the workspace's sluice.yaml:

  schedules:
    max_concurrent_runs: 2        # runs at once, across notebooks; default 1
    missed_runs: run_once         # cron times missed while down: skip | run_once (default)
                                  #   | run_all (at most 10 per notebook)
    notebooks:
      - notebook: notebooks/flights.sql     # relative to the workspace folder
        cron: "*/15 * * * *"                # optional; UTC; 5 fields or @hourly, @daily, ...
        on_update: [flights, airports]      # optional; results or sources to watch
        retries: 2                          # retries of a failed run; default 0
        retry_backoff: 30s                  # first retry's delay, doubled each retry; default 10s

Each entry needs cron, on_update or both. A notebook runs once at a time; a trigger while it
runs queues one more run. on_update watches the latest version of a stored result, or the
sizes and modification times of a source's files. What the scheduler has seen is kept in
.sluice/state/scheduler.json; runs are recorded in the catalog (`sluice runs`).)";

void CheckNotebooks(const ScheduleConfig& config, const std::string& workspace, bool serving) {
  std::string config_path = (fs::path(workspace) / "sluice.yaml").string();
  if (config.notebooks.empty() && !serving) {
    Throw<UserError>(
        "{} schedules no notebook: add a `schedules:` section (see `sluice up "
        "--help`)",
        config_path);
  }
  for (const NotebookSchedule& schedule : config.notebooks) {
    if (!fs::is_regular_file(fs::path(workspace) / schedule.notebook)) {
      Throw<UserError>("{}:{}: notebook {} does not exist", config_path, schedule.line,
                       schedule.notebook);
    }
  }
}

std::string Describe(const NotebookSchedule& schedule) {
  std::string text = schedule.notebook + ":";
  if (schedule.cron) {
    auto next = schedule.cron->Next(std::chrono::system_clock::now());
    text += fmt::format(" cron '{}' (next {:%Y-%m-%d %H:%M} UTC)", schedule.cron->text(),
                        fmt::gmtime(std::chrono::system_clock::to_time_t(next)));
  }
  if (!schedule.on_update.empty()) {
    text += fmt::format(" on_update {}", fmt::join(schedule.on_update, ", "));
  }
  if (schedule.retries > 0) {
    text += fmt::format("; retries {} (first after {:g}s)", schedule.retries,
                        schedule.retry_backoff.count() / 1000.0);
  }
  return text;
}

std::string FirstError(const notebook::RunReport& report) {
  for (const notebook::CellReport& cell : report.cells) {
    if (cell.status == notebook::CellStatus::kFailed) return ": " + cell.error;
  }
  return "";
}

bool RunScheduled(session::Database& database, const std::string& workspace,
                  const std::string& notebook, const std::string& trigger, Console& console) {
  notebook::RunOptions options;
  options.trigger = trigger;
  options.cancel = &stop_requested;
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
    return fmt::format("{:.2f}s", seconds.count());
  };
  try {
    notebook::RunReport report =
        notebook::RunNotebook(database, (fs::path(workspace) / notebook).string(), options);
    console.Print(fmt::format("finished {} ({}): {} in {} (run {}){}", notebook, trigger,
                              report.status, elapsed(), report.run_id, FirstError(report)));
    return report.status == "succeeded";
  } catch (const std::exception& error) {
    console.Print(fmt::format("finished {} ({}): failed in {}: {}", notebook, trigger, elapsed(),
                              error.what()));
    return false;
  }
}

// Returns the workspace's scheduler lock; throws UserError when another `sluice up` holds it.
std::unique_ptr<store::FileLock> LockSchedules(const std::string& workspace,
                                               const std::string& state_path) {
  std::error_code error;
  fs::create_directories(fs::path(state_path).parent_path(), error);
  if (error) Throw<IoError>("cannot create the folder of '{}': {}", state_path, error.message());
  auto lock = store::FileLock::TryAcquire(state_path + ".lock");
  if (!lock) Throw<UserError>("another `sluice up` already runs the schedules of {}", workspace);
  return lock;
}

void PrintSchedules(Console& console, const std::string& workspace, const ScheduleConfig& config) {
  console.Print(fmt::format(
      "sluice up in {}: {} notebook(s), at most {} run(s) at once, missed runs: {}; Ctrl-C stops",
      workspace, config.notebooks.size(), config.max_concurrent_runs,
      notebook::MissedRunPolicyName(config.missed_runs)));
  for (const NotebookSchedule& schedule : config.notebooks) console.Print(Describe(schedule));
}

struct UpOptions {
  std::string workspace;
  std::string poll = "1s";
  std::string listen;
  bool no_serve = false;
};

void Up(const UpOptions& up) {
  std::string workspace = RequireWorkspace(up.workspace);
  ScheduleConfig config = notebook::ReadScheduleConfig(workspace);
  CheckNotebooks(config, workspace, !up.no_serve);
  std::string state_path = notebook::SchedulerStatePath(workspace);
  auto lock = LockSchedules(workspace, state_path);
  auto database = session::Database::Open(workspace);
  // Paths in a notebook's SQL are relative to its workspace, wherever `sluice` is started.
  fs::current_path(workspace);
  Console console;
  PrintSchedules(console, workspace, config);
  StopSignals signals(
      "\nstopping: running cells and requests finish, cells not started are cancelled (again to "
      "exit at once)\n");
  std::unique_ptr<Serving> serving;
  if (!up.no_serve) serving = Serving::Start(*database, workspace, up.listen, true, console);

  notebook::SchedulerOptions options;
  options.config = std::move(config);
  options.state_path = state_path;
  options.poll_period = notebook::ParseDuration(up.poll);
  options.run = [&](const std::string& notebook, const std::string& trigger) {
    return RunScheduled(*database, workspace, notebook, trigger, console);
  };
  // A stored result's latest version, or the fingerprint of a source's files.
  notebook::VersionProbe probe(*database);
  options.version_probe = [&](const std::string& name) { return probe.TableToken(name); };
  options.on_event = [&](std::string line) { console.Print(line); };
  notebook::Scheduler scheduler(std::move(options));
  scheduler.Run(stop_requested);
  if (serving) serving->Stop();
  console.Print("stopped");
}

// Checks a --poll value: a duration of at least 1ms.
std::string CheckPoll(const std::string& text) {
  try {
    if (notebook::ParseDuration(text).count() > 0) return "";
    return "--poll must be at least 1ms";
  } catch (const UserError& error) {
    return error.what();
  }
}

}  // namespace

void AddUpCommand(CLI::App& app) {
  auto options = std::make_shared<UpOptions>();
  CLI::App* command = app.add_subcommand("up", kDescription);
  command->footer(kFooter);
  command->add_option("--workspace", options->workspace,
                      "Workspace folder (default: the nearest folder upward with .sluice/ or "
                      "sluice.yaml)");
  command
      ->add_option("--poll", options->poll,
                   "How often to check the versions that on_update watches (ms, s, m or h)")
      ->check(CheckPoll, "DURATION")
      ->capture_default_str();
  command->add_option("--listen", options->listen,
                      "Address the results are served on (default: serve.listen of sluice.yaml, "
                      "else 127.0.0.1:7070; see `sluice serve --help`)");
  command->add_flag("--no-serve", options->no_serve, "Run the schedules only; serve nothing");
  command->callback([options] { Up(*options); });
}

}  // namespace sluice::cli
