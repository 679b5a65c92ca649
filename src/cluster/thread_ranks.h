#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "cluster/communicator.h"

namespace sluice::cluster {

/// Makes `size` communicators, ranks 0 to size-1, that exchange through one shared in-memory
/// exchange: ranks as threads of one process, for tests of distributed code at 1, 2, 4 ranks.
/// Each must be used by its own thread. A collective fails with InternalError when the ranks
/// call different collectives (or with different roots, lengths or ops), when another rank
/// called Abort(), or when another rank's communicator was destroyed while this rank waits.
/// REQUIRES: size >= 1.
std::vector<std::unique_ptr<Communicator>> MakeThreadRanks(int size);

/// Runs `body` on `size` threads, each with its own rank of MakeThreadRanks(size), and returns
/// when all have returned. When a rank throws, the others' collectives are aborted and the
/// first exception thrown is rethrown here. REQUIRES: size >= 1.
void RunRanks(int size, const std::function<void(Communicator&)>& body);

}  // namespace sluice::cluster
