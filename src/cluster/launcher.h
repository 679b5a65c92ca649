#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "cluster/communicator.h"

namespace sluice::cluster {

/// Names what started this process.
enum class Launcher : uint8_t {
  kNone,    // started on its own: one rank
  kMpirun,  // OpenMPI's mpirun / mpiexec (OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE)
  kPmix,    // a PMIx launcher, e.g. `srun --mpi=pmix` (PMIX_RANK)
  kSlurm,   // Slurm's srun without PMIx (SLURM_PROCID, SLURM_STEP_NUM_TASKS or SLURM_NTASKS)
};

/// Returns "none", "mpirun", "pmix" or "slurm".
std::string_view LauncherName(Launcher launcher);

/// Is where this process sits in its run, as the launcher's environment tells.
struct LaunchInfo {
  Launcher launcher = Launcher::kNone;
  int rank = 0;
  /// Is the number of ranks; 0 when the launcher does not say (PMIx without Slurm's variables).
  int size = 1;
};

/// Returns the value of environment variable `name`, or null when it is not set.
using EnvLookup = std::function<const char*(const char* name)>;

/// Returns the launch read from the environment: OpenMPI's variables first, then PMIx's (with
/// Slurm's task count when set), then Slurm's; none of them means one rank. Throws UserError
/// when a variable is not a number or the rank is not below the size.
LaunchInfo DetectLauncher();
/// Does the same as DetectLauncher() with variables from `lookup` (for tests).
LaunchInfo DetectLauncher(const EnvLookup& lookup);

/// Returns the communicator for this process: MPI when a launcher started several ranks (or an
/// unknown number), one rank otherwise. Throws UserError when several ranks were launched but
/// this build has no MPI, or when MPI sees other ranks than the launcher announced (`srun`
/// without `--mpi=pmix` starts every task as its own one-rank MPI job).
std::unique_ptr<Communicator> MakeCommunicator();
/// Does the same as MakeCommunicator() for the given launch.
std::unique_ptr<Communicator> MakeCommunicator(const LaunchInfo& launch);

}  // namespace sluice::cluster
