#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Is what `sluice submit` asks Slurm for and what the job runs; paths are absolute.
struct SbatchJob {
  std::string sluice;     // the sluice binary the job runs
  std::string notebook;   // the notebook it runs
  std::string workspace;  // the folder the job changes into, passed as --workspace
  std::string output;     // the job's stdout and stderr; Slurm replaces %j with the job id
  std::string job_name;
  int nodes = 1;
  std::optional<int> tasks_per_node;
  std::optional<std::string> time;  // Slurm's time limit: minutes, [days-]hours:minutes:seconds
  std::optional<std::string> partition;
  std::string trigger = "slurm";  // what the run records as having started it
};

/// Returns a job that runs `notebook` in `workspace` (both absolute) with this sluice binary on
/// one node, named after the notebook's file name without .sql; `output` is left empty.
SbatchJob NotebookJob(const std::string& notebook, const std::string& workspace);

/// Returns true when `text` is a time limit sbatch reads: minutes, minutes:seconds,
/// hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds, unlimited.
bool IsSlurmTimeLimit(std::string_view text);

/// Throws UserError naming the option when `job` asks for something Slurm cannot take: fewer
/// than one node or task, a time limit Slurm does not read, an empty partition or job name, or
/// a line break in any value (it would end an `#SBATCH` line).
void CheckSbatchJob(const SbatchJob& job);

/// Returns the batch script for `job`: `#SBATCH` lines for its resources, name and output, a
/// `cd` into the workspace, and `srun --mpi=pmix SLUICE run NOTEBOOK --workspace WORKSPACE`.
/// Values are quoted for sbatch's `#SBATCH` parser and paths for the shell where needed.
/// REQUIRES: CheckSbatchJob(job) does not throw.
std::string SbatchScript(const SbatchJob& job);

/// Returns the job id in the output of `sbatch --parsable` (`ID` or `ID;CLUSTER`). Throws
/// UserError quoting `output` when it does not start with a number.
std::string SbatchJobId(std::string_view output);

/// Is a job SubmitSbatchJob submitted.
struct SubmittedJob {
  std::string id;      // Slurm's job id
  std::string script;  // the batch script, in the workspace's .sluice/jobs/
  std::string log;     // the job's stdout and stderr, in the workspace's .sluice/logs/
};

/// Writes the batch script of `job` to `<workspace>/.sluice/jobs/<UTC time>-<notebook
/// stem>.sbatch` (`-2`, `-3`, ... when taken), sets its output to the log of the same name in
/// .sluice/logs/ and submits it with `sbatch --parsable`, `sbatch` being the program's path.
/// Throws UserError when sbatch fails, IoError when a file cannot be written.
/// REQUIRES: CheckSbatchJob(job) does not throw. Thread-safe.
SubmittedJob SubmitSbatchJob(SbatchJob job, const std::string& sbatch);

/// Returns the absolute path of executable `program` in the folders of PATH, or nothing.
std::optional<std::string> FindOnPath(const std::string& program);

/// Is how a program run by RunProgram ended.
struct ProgramResult {
  int exit_code = 0;  // 128 + the signal's number when a signal ended it
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] a path, not looked up on PATH) with stdin from /dev/null and returns
/// its exit code and output; blocks until it ends. Throws IoError when it cannot be started.
/// Thread-safe.
ProgramResult RunProgram(const std::vector<std::string>& argv);

/// Adds `sluice submit NOTEBOOK --nodes N ...`: writes a batch script that runs the notebook
/// under Slurm into the workspace's .sluice/jobs/ and submits it with `sbatch`.
void AddSubmitCommand(CLI::App& app);

}  // namespace sluice::cli
