#include "cli/submit_command.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "base/error.h"
#include "base/strings.h"
#include "cli/workspace_options.h"

extern char** environ;

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kDescription[] =
    "Run a notebook on a Slurm cluster: write a batch script into the workspace's .sluice/jobs/ "
    "that runs `sluice run NOTEBOOK` under `srun --mpi=pmix` (one rank per task) on the nodes "
    "asked for, and submit it with `sbatch`. Prints the job id, the script and the job's log "
    "(.sluice/logs/). The job runs this sluice binary in the workspace folder, so both must be "
    "on a file system the nodes share. Needs Slurm's sbatch on PATH (not with --dry-run)";

constexpr char kFooter[] = R"(
The script, for `sluice submit notebooks/daily.sql --nodes 2 --time 30`:

  #!/bin/bash
  #SBATCH --job-name=daily
  #SBATCH --nodes=2
  #SBATCH --time=30
  #SBATCH --chdir=/data/ws
  #SBATCH --output=/data/ws/.sluice/logs/20250101-120000-daily-%j.out
  set -euo pipefail
  cd /data/ws
  srun --mpi=pmix /opt/sluice/bin/sluice run /data/ws/notebooks/daily.sql --workspace /data/ws --trigger slurm

Follow the job with `squeue -j ID`; the run is recorded in the catalog like any other
(`sluice runs`, trigger slurm).)";

struct SubmitCommandOptions {
  std::string notebook;
  std::string workspace;
  int nodes = 0;
  std::optional<int> tasks_per_node;
  std::optional<std::string> time;
  std::optional<std::string> partition;
  std::optional<std::string> job_name;
  bool dry_run = false;
};

// Characters that mean the same to the shell and to sbatch's #SBATCH parser when unquoted.
bool IsPlain(std::string_view text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("_-./:@%+=,").find(c) != std::string_view::npos;
  });
}

std::string ShellQuote(std::string_view text) {
  if (IsPlain(text)) return std::string(text);
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// sbatch reads an #SBATCH value up to unquoted white space; `#` starts a comment unless escaped.
std::string SbatchQuote(std::string_view text) {
  if (IsPlain(text)) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '#') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

// Returns `path` with Slurm's filename pattern character `%` escaped, so only added patterns
// (%j) are replaced.
std::string EscapePercent(const std::string& path) {
  std::string escaped;
  for (char c : path) escaped += c == '%' ? std::string("%%") : std::string(1, c);
  return escaped;
}

// Reads both pipes of `program` until both are closed; the child blocks if either fills up
// unread.
void ReadPipes(const std::string& program, int out_fd, int err_fd, ProgramResult& result) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open = 2;
  char buffer[4096];
  while (open > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      Throw<IoError>("cannot read the output of {}: {}", program, std::strerror(errno));
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
        continue;
      }
      close(fds[i].fd);
      fds[i].fd = -1;
      --open;
    }
  }
}

// Creates an empty file `base`.sbatch in `folder`, or `base`-2.sbatch, ... when taken (two
// submits in one second); returns its name without .sbatch.
std::string ReserveScriptName(const fs::path& folder, const std::string& base) {
  for (int n = 1;; ++n) {
    std::string name = n == 1 ? base : fmt::format("{}-{}", base, n);
    fs::path path = folder / (name + ".sbatch");
    FILE* file = std::fopen(path.c_str(), "wx");
    if (file == nullptr && errno == EEXIST) continue;
    if (file == nullptr) Throw<IoError>("cannot write {}: {}", path.string(), std::strerror(errno));
    std::fclose(file);
    return name;
  }
}

void WriteScript(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) Throw<IoError>("cannot write {}", path);
}

std::string FindSbatch() {
  std::optional<std::string> sbatch = FindOnPath("sbatch");
  if (!sbatch) {
    Throw<UserError>(
        "Slurm's sbatch is not on PATH: install Slurm's client commands (Debian: slurm-client) "
        "or submit from a machine that has them; --dry-run prints the script without "
        "submitting it");
  }
  return *sbatch;
}

// Submits `script` with `sbatch --parsable`; returns the job id.
std::string SubmitScript(const std::string& sbatch, const std::string& script) {
  ProgramResult result = RunProgram({sbatch, "--parsable", script});
  if (result.exit_code != 0) {
    Throw<UserError>("sbatch failed (exit code {}) on {}: {}", result.exit_code, script,
                     TrimSpace(result.err));
  }
  return SbatchJobId(result.out);
}

// Returns "<UTC time>-<stem of notebook>", the name of a job's script and log without the job id.
std::string JobFileName(const fs::path& notebook) {
  return fmt::format("{:%Y%m%d-%H%M%S}-{}", fmt::gmtime(std::time(nullptr)),
                     notebook.stem().string());
}

// Returns the output pattern of a job whose files are named `name`: `name`-<job id>.out in the
// workspace's .sluice/logs/.
std::string LogPattern(const fs::path& workspace, const std::string& name) {
  return EscapePercent((workspace / ".sluice" / "logs" / name).string()) + "-%j.out";
}

// Returns the job for `options`; throws UserError as CheckSbatchJob does.
SbatchJob MakeJob(const SubmitCommandOptions& options, const fs::path& notebook,
                  const fs::path& workspace) {
  SbatchJob job = NotebookJob(notebook.string(), workspace.string());
  job.output = LogPattern(workspace, JobFileName(notebook));
  if (options.job_name) job.job_name = *options.job_name;
  job.nodes = options.nodes;
  job.tasks_per_node = options.tasks_per_node;
  job.time = options.time;
  job.partition = options.partition;
  CheckSbatchJob(job);
  return job;
}

void Submit(const SubmitCommandOptions& options) {
  if (!fs::is_regular_file(options.notebook)) {
    Throw<UserError>("notebook {} does not exist", options.notebook);
  }
  fs::path notebook = fs::absolute(options.notebook).lexically_normal();
  fs::path workspace =
      fs::absolute(RequireWorkspace(options.workspace, notebook.parent_path().string()))
          .lexically_normal();
  SbatchJob job = MakeJob(options, notebook, workspace);
  if (options.dry_run) {
    std::cout << SbatchScript(job);
    return;
  }
  SubmittedJob submitted = SubmitSbatchJob(std::move(job), FindSbatch());
  std::cout << "Submitted batch job " << submitted.id << '\n';
  std::cout << "script: " << submitted.script << '\n';
  std::cout << "log: " << submitted.log << '\n';
}

}  // namespace

SbatchJob NotebookJob(const std::string& notebook, const std::string& workspace) {
  SbatchJob job;
  job.sluice = fs::read_symlink("/proc/self/exe").string();
  job.notebook = notebook;
  job.workspace = workspace;
  job.job_name = fs::path(notebook).stem().string();
  return job;
}

bool IsSlurmTimeLimit(std::string_view text) {
  static const std::regex kTime(R"((\d+-)?\d+(:\d+){0,2}|unlimited|infinite)", std::regex::icase);
  return std::regex_match(text.begin(), text.end(), kTime);
}

void CheckSbatchJob(const SbatchJob& job) {
  if (job.nodes < 1) Throw<UserError>("--nodes must be at least 1, not {}", job.nodes);
  if (job.tasks_per_node && *job.tasks_per_node < 1) {
    Throw<UserError>("--ntasks-per-node must be at least 1, not {}", *job.tasks_per_node);
  }
  if (job.time && !IsSlurmTimeLimit(*job.time)) {
    Throw<UserError>(
        "--time '{}' is not a Slurm time limit: use minutes, minutes:seconds, "
        "hours:minutes:seconds, days-hours, days-hours:minutes or days-hours:minutes:seconds",
        *job.time);
  }
  if (job.partition && job.partition->empty()) Throw<UserError>("--partition is empty");
  if (job.job_name.empty()) Throw<UserError>("--job-name is empty");
  std::pair<const char*, const std::string*> values[] = {
      {"notebook path", &job.notebook},
      {"workspace path", &job.workspace},
      {"sluice path", &job.sluice},
      {"--job-name", &job.job_name},
      {"--time", job.time ? &*job.time : nullptr},
      {"--partition", job.partition ? &*job.partition : nullptr},
      {"trigger", &job.trigger}};
  for (const auto& [what, value] : values) {
    if (value != nullptr && value->find_first_of("\r\n") != std::string::npos) {
      Throw<UserError>("the {} holds a line break, which a batch script cannot carry", what);
    }
  }
}

std::string SbatchScript(const SbatchJob& job) {
  std::string script = "#!/bin/bash\n";
  script += fmt::format("#SBATCH --job-name={}\n", SbatchQuote(job.job_name));
  script += fmt::format("#SBATCH --nodes={}\n", job.nodes);
  if (job.tasks_per_node) {
    script += fmt::format("#SBATCH --ntasks-per-node={}\n", *job.tasks_per_node);
  }
  if (job.time) script += fmt::format("#SBATCH --time={}\n", SbatchQuote(*job.time));
  if (job.partition) script += fmt::format("#SBATCH --partition={}\n", SbatchQuote(*job.partition));
  script += fmt::format("#SBATCH --chdir={}\n", SbatchQuote(job.workspace));
  script += fmt::format("#SBATCH --output={}\n", SbatchQuote(job.output));
  script += "set -euo pipefail\n";
  script += fmt::format("cd {}\n", ShellQuote(job.workspace));
  script +=
      fmt::format("srun --mpi=pmix {} run {} --workspace {} --trigger {}\n", ShellQuote(job.sluice),
                  ShellQuote(job.notebook), ShellQuote(job.workspace), ShellQuote(job.trigger));
  return script;
}

std::string SbatchJobId(std::string_view output) {
  std::string_view id = TrimSpace(output.substr(0, output.find(';')));
  bool number = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!number) Throw<UserError>("sbatch printed no job id: '{}'", TrimSpace(output));
  return std::string(id);
}

SubmittedJob SubmitSbatchJob(SbatchJob job, const std::string& sbatch) {
  fs::path workspace = job.workspace;
  fs::path jobs = workspace / ".sluice" / "jobs";
  fs::path logs = workspace / ".sluice" / "logs";
  fs::create_directories(jobs);
  // Slurm opens the job's output file before the script runs: the folder must be there.
  fs::create_directories(logs);
  std::string name = ReserveScriptName(jobs, JobFileName(job.notebook));
  job.output = LogPattern(workspace, name);
  SubmittedJob submitted;
  submitted.script = (jobs / (name + ".sbatch")).string();
  WriteScript(submitted.script, SbatchScript(job));
  submitted.id = SubmitScript(sbatch, submitted.script);
  submitted.log = fmt::format("{}-{}.out", (logs / name).string(), submitted.id);
  return submitted;
}

std::optional<std::string> FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path == nullptr ? "" : path;
  while (true) {
    size_t colon = rest.find(':');
    std::string_view folder = rest.substr(0, colon);
    fs::path candidate = fs::path(folder.empty() ? "." : std::string(folder)) / program;
    std::error_code error;
    if (fs::is_regular_file(candidate, error) && access(candidate.c_str(), X_OK) == 0) {
      return fs::absolute(candidate).string();
    }
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

ProgramResult RunProgram(const std::vector<std::string>& argv) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) Throw<IoError>("pipe: {}", std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) Throw<IoError>("pipe: {}", std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int error = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (error != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    Throw<IoError>("cannot run {}: {}", argv[0], std::strerror(error));
  }
  ProgramResult result;
  ReadPipes(argv[0], out_pipe[0], err_pipe[0], result);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void AddSubmitCommand(CLI::App& app) {
  auto options = std::make_shared<SubmitCommandOptions>();
  CLI::App* submit = app.add_subcommand("submit", kDescription);
  submit->footer(kFooter);
  submit->add_option("notebook", options->notebook, "The notebook (.sql file) the job runs")
      ->required();
  submit->add_option("--nodes", options->nodes, "Nodes the job runs on (sbatch --nodes)")
      ->required();
  submit->add_option("--ntasks-per-node", options->tasks_per_node,
                     "Tasks, that is ranks, on each node (sbatch --ntasks-per-node; default: "
                     "Slurm's, one per node)");
  submit->add_option("--time", options->time,
                     "Time limit: minutes, minutes:seconds, hours:minutes:seconds or "
                     "days-hours[:minutes[:seconds]] (sbatch --time; default: the partition's)");
  submit->add_option("--partition", options->partition,
                     "Partition to run in (sbatch --partition; default: the cluster's default)");
  submit->add_option("--job-name", options->job_name,
                     "Name squeue shows (sbatch --job-name; default: the notebook's name without "
                     ".sql)");
  submit->add_option("--workspace", options->workspace,
                     "Workspace folder (default: the nearest folder upward from the notebook "
                     "with .sluice/ or sluice.yaml)");
  submit->add_flag("--dry-run", options->dry_run,
                   "Print the batch script; write and submit nothing");
  submit->callback([options] { Submit(*options); });
}

}  // namespace sluice::cli
