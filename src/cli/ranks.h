#pragma once

#include <memory>

#include "cluster/communicator.h"

namespace sluice::cli {

/// Returns the communicator of the launch that started this process (one rank without a
/// launcher; see cluster::MakeCommunicator). Ranks other than 0 then log errors only: rank 0
/// reports for every rank.
std::unique_ptr<cluster::Communicator> JoinRanks();

}  // namespace sluice::cli
