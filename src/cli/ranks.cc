#include "cli/ranks.h"

#include <spdlog/spdlog.h>

#include "cluster/launcher.h"

namespace sluice::cli {

std::unique_ptr<cluster::Communicator> JoinRanks() {
  std::unique_ptr<cluster::Communicator> ranks = cluster::MakeCommunicator();
  if (ranks->rank() != 0) spdlog::set_level(spdlog::level::err);
  return ranks;
}

}  // namespace sluice::cli
