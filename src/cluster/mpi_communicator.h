#pragma once

#include <cstddef>
#include <memory>

#include "cluster/communicator.h"

namespace sluice::cluster {

/// Tunes the MPI backend.
struct MpiOptions {
  /// Is the most bytes one MPI call moves; larger buffers go in several rounds. At most
  /// INT_MAX, since MPI counts are ints; small values exercise the rounds in tests.
  size_t max_message_bytes = size_t{1} << 30;
};

/// Returns true when this build has the MPI backend (CMake found MPI).
bool MpiBuiltIn();

/// Makes a communicator over every process of the MPI job (a duplicate of MPI_COMM_WORLD),
/// initializing MPI on first use with MPI_THREAD_FUNNELED and finalizing it at exit. Throws
/// UserError when this build has no MPI backend, IoError when MPI fails. A collective: every
/// rank makes its communicators at the same points. Destroying one while an exception unwinds
/// aborts the job, since the other ranks would otherwise wait for this one forever.
/// REQUIRES: called on the program's main thread, which alone uses the communicator.
std::unique_ptr<Communicator> MakeMpiCommunicator(const MpiOptions& options = {});

}  // namespace sluice::cluster
