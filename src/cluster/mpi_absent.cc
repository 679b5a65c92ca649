// The MPI backend of a build where CMake found no MPI.
#include "base/error.h"
#include "cluster/mpi_communicator.h"

namespace sluice::cluster {

bool MpiBuiltIn() { return false; }

std::unique_ptr<Communicator> MakeMpiCommunicator(const MpiOptions&) {
  Throw<UserError>(
      "cluster: this build of Sluice has no MPI support (CMake found no MPI when it was "
      "configured); install OpenMPI (libopenmpi-dev, openmpi-bin) and rebuild, or run one rank");
}

}  // namespace sluice::cluster
