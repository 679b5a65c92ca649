#pragma once

#include <cstddef>

#include "cluster/communicator.h"

// Checks any Communicator backend the same way: the thread backend in cluster_test, MPI in
// cluster_mpi_check. Built into those two programs only, not into the library.
namespace sluice::cluster {

/// Runs every collective back to back with inputs that differ per rank and per round (empty
/// buffers, sizes that differ per rank, buffers of `large_bytes`), checks every result and the
/// traffic counters, and throws InternalError naming the first wrong one. Every rank calls it
/// at the same time.
void CheckCollectives(Communicator& comm, size_t large_bytes);

/// Repartitions batches of every type (with NULLs) by key over the ranks in the wire format,
/// through AllToAll, and checks that each rank received exactly its rows. Every rank calls it
/// at the same time.
void CheckBatchExchange(Communicator& comm);

}  // namespace sluice::cluster
