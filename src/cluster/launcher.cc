#include "cluster/launcher.h"

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>

#include "base/error.h"
#include "cluster/mpi_communicator.h"
#include "cluster/single_process_communicator.h"

namespace sluice::cluster {
namespace {

// Returns the variable's value as a number at least `minimum`; nullopt when it is not set.
std::optional<int> ReadNumber(const EnvLookup& lookup, const char* name, int minimum) {
  const char* text = lookup(name);
  if (text == nullptr) return std::nullopt;
  std::string_view value(text);
  int number = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size() || number < minimum) {
    Throw<UserError>("cluster: environment variable {}='{}' is not a number from {} up", name,
                     value, minimum);
  }
  return number;
}

LaunchInfo Checked(LaunchInfo launch, const char* rank_name) {
  if (launch.size != 0 && launch.rank >= launch.size) {
    Throw<UserError>("cluster: {}={} but the {} launch has only {} ranks", rank_name, launch.rank,
                     LauncherName(launch.launcher), launch.size);
  }
  return launch;
}

// Returns Slurm's task count of the step: srun sets SLURM_STEP_NUM_TASKS; SLURM_NTASKS is the
// job's, which a step may use only part of.
std::optional<int> SlurmTasks(const EnvLookup& lookup) {
  std::optional<int> tasks = ReadNumber(lookup, "SLURM_STEP_NUM_TASKS", 1);
  return tasks ? tasks : ReadNumber(lookup, "SLURM_NTASKS", 1);
}

std::string Describe(const LaunchInfo& launch) {
  std::string size = launch.size == 0 ? std::string("?") : std::to_string(launch.size);
  return fmt::format("rank {} of {} by {}", launch.rank, size, LauncherName(launch.launcher));
}

}  // namespace

std::string_view LauncherName(Launcher launcher) {
  switch (launcher) {
    case Launcher::kNone:
      return "none";
    case Launcher::kMpirun:
      return "mpirun";
    case Launcher::kPmix:
      return "pmix";
    case Launcher::kSlurm:
      return "slurm";
  }
  return "?";
}

LaunchInfo DetectLauncher() {
  return DetectLauncher([](const char* name) -> const char* { return std::getenv(name); });
}

LaunchInfo DetectLauncher(const EnvLookup& lookup) {
  if (std::optional<int> rank = ReadNumber(lookup, "OMPI_COMM_WORLD_RANK", 0)) {
    std::optional<int> size = ReadNumber(lookup, "OMPI_COMM_WORLD_SIZE", 1);
    if (!size)
      Throw<UserError>("cluster: OMPI_COMM_WORLD_RANK is set without OMPI_COMM_WORLD_SIZE");
    return Checked({Launcher::kMpirun, *rank, *size}, "OMPI_COMM_WORLD_RANK");
  }
  if (std::optional<int> rank = ReadNumber(lookup, "PMIX_RANK", 0)) {
    return Checked({Launcher::kPmix, *rank, SlurmTasks(lookup).value_or(0)}, "PMIX_RANK");
  }
  if (std::optional<int> rank = ReadNumber(lookup, "SLURM_PROCID", 0)) {
    return Checked({Launcher::kSlurm, *rank, SlurmTasks(lookup).value_or(1)}, "SLURM_PROCID");
  }
  return {};
}

std::unique_ptr<Communicator> MakeCommunicator() { return MakeCommunicator(DetectLauncher()); }

std::unique_ptr<Communicator> MakeCommunicator(const LaunchInfo& launch) {
  if (launch.launcher == Launcher::kNone || launch.size == 1) {
    return std::make_unique<SingleProcessCommunicator>();
  }
  if (!MpiBuiltIn()) {
    Throw<UserError>(
        "cluster: launched as {}, but this build of Sluice has no MPI support (CMake found no MPI "
        "when it was configured); install OpenMPI (libopenmpi-dev, openmpi-bin) and rebuild",
        Describe(launch));
  }
  std::unique_ptr<Communicator> communicator = MakeMpiCommunicator();
  int rank = communicator->rank();
  int size = communicator->size();
  if ((launch.size == 0 || size == launch.size) && rank == launch.rank) return communicator;
  // Released before throwing: unwinding past a live MPI communicator aborts the job, and this
  // error should reach the user instead.
  communicator.reset();
  Throw<UserError>(
      "cluster: launched as {}, but MPI sees rank {} of {}; under Slurm run `srun --mpi=pmix`",
      Describe(launch), rank, size);
}

}  // namespace sluice::cluster
