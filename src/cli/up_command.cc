#include "cli/up_command.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "base/error.h"
#include "base/strings.h"
#include "catalog/catalog_db.h"
#include "cli/cluster_config.h"
#include "cli/foreground.h"
#include "cli/serve_command.h"
#include "cli/submit_command.h"
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
    "`sluice up` was not running. They run in this process, or as Slurm batch jobs with a "
    "`cluster:` section (see below). Prints a line per trigger and per finished run. Ctrl-C (or "
    "SIGTERM) stops: running cells and requests finish, cells not started are cancelled, Slurm "
    "jobs are left running; a second one exits at once";

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
.sluice/state/scheduler.json; runs are recorded in the catalog (`sluice runs`).

The runs go through Slurm with a `cluster:` section in sluice.yaml:

  cluster:
    backend: slurm            # local (default): runs in the `sluice up` process
    nodes: 2                  # required with slurm (sbatch --nodes)
    ntasks_per_node: 4        # optional: ranks per node (sbatch --ntasks-per-node)
    time: "30"                # optional: time limit (sbatch --time)
    partition: debug          # optional (sbatch --partition)

Each run then writes and submits the batch script of `sluice submit` (.sluice/jobs/, its log
in .sluice/logs/), which runs `srun --mpi=pmix sluice run NOTEBOOK`, and asks `scontrol show
job` every 2s until the job ends: the run succeeded when the job COMPLETED and the run it
recorded in the catalog succeeded. Needs sbatch and scontrol on PATH, and this binary and the
workspace on a file system the nodes share. Jobs still queued or running when `sluice up`
stops are left alone: they record their runs as usual (`scancel ID` cancels one).)";

constexpr std::chrono::milliseconds kJobPollPeriod{2000};

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

// Returns the seconds since `started`, as "12.34s".
std::string Elapsed(std::chrono::steady_clock::time_point started) {
  std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
  return fmt::format("{:.2f}s", seconds.count());
}

bool RunScheduled(session::Database& database, const std::string& workspace,
                  const std::string& notebook, const std::string& trigger, Console& console) {
  notebook::RunOptions options;
  options.trigger = trigger;
  options.cancel = &stop_requested;
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] { return Elapsed(started); };
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

// Returns true for the job states of Slurm after which a job no longer runs.
bool IsFinalJobState(std::string_view state) {
  static constexpr std::string_view kFinal[] = {"BOOT_FAIL",     "CANCELLED", "COMPLETED",
                                                "DEADLINE",      "FAILED",    "NODE_FAIL",
                                                "OUT_OF_MEMORY", "PREEMPTED", "TIMEOUT"};
  return std::find(std::begin(kFinal), std::end(kFinal), state) != std::end(kFinal);
}

// Returns the value of JobState= in the output of `scontrol show job -o ID`, or "".
std::string JobStateField(std::string_view text) {
  constexpr std::string_view kField = " JobState=";
  size_t at = text.find(kField);
  if (at == std::string_view::npos) return "";
  text.remove_prefix(at + kField.size());
  return std::string(text.substr(0, text.find_first_of(" \t\r\n")));
}

// Sleeps for `period`; returns false as soon as `sluice up` is asked to stop.
bool SleepUnlessStopped(std::chrono::milliseconds period) {
  auto deadline = std::chrono::steady_clock::now() + period;
  while (std::chrono::steady_clock::now() < deadline) {
    if (stop_requested) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return !stop_requested;
}

// Runs scheduled notebooks as Slurm batch jobs (`cluster: {backend: slurm}`): submits the
// script `sluice submit` writes and follows the job with scontrol until it ends. Thread-safe.
class SlurmRunner {
 public:
  // Throws UserError when sbatch or scontrol is not on PATH. `workspace` is absolute.
  SlurmRunner(std::string workspace, const ClusterConfig& cluster)
      : workspace_(std::move(workspace)), cluster_(cluster) {
    sbatch_ = FindSlurmCommand("sbatch");
    scontrol_ = FindSlurmCommand("scontrol");
    sacct_ = FindOnPath("sacct");
  }
  SlurmRunner(const SlurmRunner&) = delete;
  SlurmRunner& operator=(const SlurmRunner&) = delete;

  // Submits `notebook` (relative to the workspace) and waits for its job; returns whether the
  // job COMPLETED and the run it recorded succeeded. Returns false at once, leaving the job
  // alone, when `sluice up` is asked to stop.
  bool Run(session::Database& database, const std::string& notebook, const std::string& trigger,
           Console& console) const {
    auto started = std::chrono::steady_clock::now();
    std::string finished = fmt::format("finished {} ({}):", notebook, trigger);
    try {
      catalog::CatalogDb& catalog = database.store()->catalog();
      std::optional<catalog::RunRecord> before = NewestRun(catalog, notebook);
      SbatchJob sbatch_job = Job(notebook);
      sbatch_job.trigger = "slurm:" + trigger;
      SubmittedJob job = SubmitSbatchJob(std::move(sbatch_job), sbatch_);
      console.Print(fmt::format("submitted {} ({}) as Slurm job {}", notebook, trigger, job.id));
      std::optional<std::string> state = WaitForJob(job.id, notebook, console);
      if (!state) {
        console.Print(fmt::format(
            "left Slurm job {} of {} queued or running: it records its run as usual (`scancel {}` "
            "cancels it)",
            job.id, notebook, job.id));
        return false;
      }
      std::optional<catalog::RunRecord> run = NewestRun(catalog, notebook);
      if (run && before && run->id <= before->id) run.reset();
      // A job Slurm has forgotten (state "") is judged by its run alone.
      bool succeeded =
          (*state == "COMPLETED" || state->empty()) && run && run->status == "succeeded";
      console.Print(fmt::format("{} {} in {} ({}){}", finished, succeeded ? "succeeded" : "failed",
                                Elapsed(started), Details(run, job.id, *state),
                                succeeded ? "" : Failure(run, job.log)));
      return succeeded;
    } catch (const std::exception& error) {
      console.Print(fmt::format("{} failed in {}: {}", finished, Elapsed(started), error.what()));
      return false;
    }
  }

  // Returns the line `sluice up` prints at start about this backend.
  std::string Describe() const {
    std::string text =
        fmt::format("backend slurm: a batch job per run, sbatch --nodes={}", cluster_.nodes);
    if (cluster_.tasks_per_node) {
      text += fmt::format(" --ntasks-per-node={}", *cluster_.tasks_per_node);
    }
    if (cluster_.time) text += fmt::format(" --time={}", *cluster_.time);
    if (cluster_.partition) text += fmt::format(" --partition={}", *cluster_.partition);
    return text + "; jobs still running when `sluice up` stops are left running";
  }

 private:
  static std::string FindSlurmCommand(const std::string& program) {
    std::optional<std::string> path = FindOnPath(program);
    if (!path) {
      Throw<UserError>(
          "sluice.yaml says cluster backend slurm, but Slurm's {} is not on PATH: install "
          "Slurm's client commands (Debian: slurm-client) or run `sluice up` on a machine that "
          "has them",
          program);
    }
    return *path;
  }

  static std::optional<catalog::RunRecord> NewestRun(catalog::CatalogDb& catalog,
                                                     const std::string& notebook) {
    std::vector<catalog::RunRecord> runs = catalog.Runs(notebook);
    if (runs.empty()) return std::nullopt;
    return std::move(runs.front());
  }

  // Returns "run N, Slurm job ID" with what differs from a success: the run's status, the
  // job's state.
  static std::string Details(const std::optional<catalog::RunRecord>& run, const std::string& id,
                             const std::string& state) {
    std::string run_text = !run ? "no run recorded"
                           : run->status == "succeeded" || run->status == "failed"
                               ? fmt::format("run {}", run->id)
                               : fmt::format("run {} {}", run->id, run->status);
    std::string job_text = state == "COMPLETED" ? fmt::format("Slurm job {}", id)
                           : state.empty()
                               ? fmt::format("Slurm job {} whose end Slurm no longer knows", id)
                               : fmt::format("Slurm job {} {}", id, state);
    return run_text + ", " + job_text;
  }

  // Returns what follows a failed run's line: the run's error and where the job's log is.
  static std::string Failure(const std::optional<catalog::RunRecord>& run, const std::string& log) {
    std::string error = run && !run->error.empty() ? ": " + run->error : "";
    return fmt::format("{}; log: {}", error, log);
  }

  SbatchJob Job(const std::string& notebook) const {
    SbatchJob job =
        NotebookJob((fs::path(workspace_) / notebook).lexically_normal().string(), workspace_);
    job.nodes = cluster_.nodes;
    job.tasks_per_node = cluster_.tasks_per_node;
    job.time = cluster_.time;
    job.partition = cluster_.partition;
    CheckSbatchJob(job);
    return job;
  }

  // Returns the state job `id` ended in ("" when Slurm no longer knows it), or nothing when
  // `sluice up` is asked to stop first.
  std::optional<std::string> WaitForJob(const std::string& id, const std::string& notebook,
                                        Console& console) const {
    bool told = false;  // about scontrol failing, since it last answered
    while (true) {
      ProgramResult result = RunProgram({scontrol_, "show", "job", "-o", id});
      if (result.exit_code == 0) {
        std::string state = JobStateField(result.out);
        if (IsFinalJobState(state)) return state;
        told = false;
      } else if (result.err.find("Invalid job id") != std::string::npos) {
        // The controller forgets a job MinJobAge (300 s by default) after it ended.
        return ForgottenJobState(id);
      } else if (!told) {
        console.Print(
            fmt::format("cannot ask Slurm about job {} of {} (scontrol: {}); asking "
                        "again every {}s",
                        id, notebook, TrimSpace(result.err), kJobPollPeriod.count() / 1000));
        told = true;
      }
      if (!SleepUnlessStopped(kJobPollPeriod)) return std::nullopt;
    }
  }

  // Returns the state of a job the controller has forgotten from Slurm's accounting, or ""
  // when there is none (no sacct, or accounting off).
  std::string ForgottenJobState(const std::string& id) const {
    if (!sacct_) return "";
    ProgramResult result = RunProgram({*sacct_, "-n", "-X", "-P", "-j", id, "-o", "State"});
    if (result.exit_code != 0) return "";
    // "CANCELLED by 0" names who cancelled it.
    std::string_view state = TrimSpace(result.out);
    state = state.substr(0, state.find_first_of(" \n"));
    return IsFinalJobState(state) ? std::string(state) : "";
  }

  std::string workspace_;
  ClusterConfig cluster_;
  std::string sbatch_;
  std::string scontrol_;
  std::optional<std::string> sacct_;
};

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

void PrintSchedules(Console& console, const std::string& workspace, const ScheduleConfig& config,
                    const SlurmRunner* slurm) {
  console.Print(fmt::format(
      "sluice up in {}: {} notebook(s), at most {} run(s) at once, missed runs: {}; Ctrl-C stops",
      workspace, config.notebooks.size(), config.max_concurrent_runs,
      notebook::MissedRunPolicyName(config.missed_runs)));
  console.Print(slurm != nullptr ? slurm->Describe() : "backend local: runs in this process");
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
  ClusterConfig cluster = ReadClusterConfig(workspace);
  CheckNotebooks(config, workspace, !up.no_serve);
  std::unique_ptr<SlurmRunner> slurm;
  if (cluster.backend == ClusterBackend::kSlurm) {
    slurm =
        std::make_unique<SlurmRunner>(fs::absolute(workspace).lexically_normal().string(), cluster);
  }
  std::string state_path = notebook::SchedulerStatePath(workspace);
  auto lock = LockSchedules(workspace, state_path);
  auto database = session::Database::Open(workspace);
  // Paths in a notebook's SQL are relative to its workspace, wherever `sluice` is started.
  fs::current_path(workspace);
  Console console;
  PrintSchedules(console, workspace, config, slurm.get());
  StopSignals signals(
      slurm != nullptr
          ? "\nstopping: requests finish, Slurm jobs are left running (again to exit at once)\n"
          : "\nstopping: running cells and requests finish, cells not started are cancelled "
            "(again to exit at once)\n");
  std::unique_ptr<Serving> serving;
  if (!up.no_serve) serving = Serving::Start(*database, workspace, up.listen, true, console);

  notebook::SchedulerOptions options;
  options.config = std::move(config);
  options.state_path = state_path;
  options.poll_period = notebook::ParseDuration(up.poll);
  options.run = [&](const std::string& notebook, const std::string& trigger) {
    if (slurm != nullptr) return slurm->Run(*database, notebook, trigger, console);
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
