#pragma once

#include <optional>
#include <string>
#include <string_view>

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
};

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

/// Adds `sluice submit NOTEBOOK --nodes N ...`: writes a batch script that runs the notebook
/// under Slurm into the workspace's .sluice/jobs/ and submits it with `sbatch`.
void AddSubmitCommand(CLI::App& app);

}  // namespace sluice::cli
