// cluster_mpi_check: runs the communicator conformance checks over MPI. Started by ctest as
// `mpirun --oversubscribe -np 3 cluster_mpi_check`; exits 0 when every rank passed.
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>

#include <fmt/format.h>

#include "base/error.h"
#include "cluster/communicator_conformance.h"
#include "cluster/launcher.h"
#include "cluster/mpi_communicator.h"

namespace sluice::cluster {
namespace {

void CheckLaunch(const Communicator& comm, const LaunchInfo& launch) {
  if (!MpiBuiltIn() || launch.launcher == Launcher::kNone || comm.size() < 2) {
    Throw<InternalError>("expected several MPI ranks, got {} launched by {}", comm.size(),
                         LauncherName(launch.launcher));
  }
  if (comm.rank() != launch.rank || (launch.size != 0 && comm.size() != launch.size)) {
    Throw<InternalError>("MPI says rank {} of {}, the launcher rank {} of {}", comm.rank(),
                         comm.size(), launch.rank, launch.size);
  }
}

void Run(Communicator& comm, Communicator& small) {
  CheckCollectives(comm, 3 << 20);
  CheckBatchExchange(comm);
  CheckCollectives(small, 1000);
  CheckBatchExchange(small);
  comm.Barrier();
}

}  // namespace
}  // namespace sluice::cluster

int main() {
  using namespace sluice::cluster;
  // Both outlive the try block: a communicator destroyed while an exception unwinds aborts the
  // job before the error could be printed.
  std::unique_ptr<Communicator> comm;
  std::unique_ptr<Communicator> small;
  try {
    LaunchInfo launch = DetectLauncher();
    comm = MakeCommunicator(launch);
    CheckLaunch(*comm, launch);
    // Messages of at most 7 bytes: every transfer goes in many rounds of MPI calls.
    small = MakeMpiCommunicator({.max_message_bytes = 7});
    Run(*comm, *small);
    if (comm->rank() == 0) {
      fmt::print("cluster_mpi_check: {} ranks passed (launched by {})\n", comm->size(),
                 LauncherName(launch.launcher));
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "cluster_mpi_check: rank {}: {}\n", comm ? comm->rank() : -1, error.what());
    std::fflush(stderr);
    if (comm) comm->Abort();
    return 1;
  }
}
