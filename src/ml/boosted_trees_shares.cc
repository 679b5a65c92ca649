// BoostedTrees::FitShares: boosted trees and random forests trained data-parallel through
// XGBoost's own collective, whose workers meet at a tracker that rank 0 starts.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "ml/boosted_trees.h"
#include "ml/tree_inputs.h"
#include "ml/xgboost_collective.h"
#include "ml/xgboost_tracker.h"

namespace sluice::ml {
namespace {

// The tracker drops a worker that stays silent this long in the middle of its protocol.
constexpr auto kTrackerIoTimeout = std::chrono::seconds(60);
// How long rank 0, done training, waits for the other workers to tell the tracker they left:
// they finished the same last collective call, so this is only their shutdown message.
constexpr auto kTrackerDoneTimeout = std::chrono::seconds(60);
// Names the host the workers reach rank 0's tracker at when the ranks run on several hosts.
constexpr const char* kTrackerHostVariable = "SLUICE_TRACKER_HOST";

/// Is where the workers meet the tracker.
struct TrackerAddress {
  std::string host;
  int port = 0;
};

/// Returns this host's name. Throws IoError when it cannot be read.
std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) {
    Throw<IoError>("cannot read this host's name for XGBoost's tracker: {}", std::strerror(errno));
  }
  return name;
}

/// Returns true when every rank runs on the same host as rank 0 (a collective).
bool OnOneHost(RankReducer& ranks) {
  std::string mine;
  RunTogether(ranks, [&] { mine = HostName(); });
  const std::vector<std::string> names = ranks.AllGather(mine);
  return std::all_of(names.begin(), names.end(),
                     [&](const std::string& name) { return name == names[0]; });
}

/// Returns the host the workers connect to when the ranks span hosts (called on rank 0).
std::string SharedTrackerHost() {
  const char* chosen = std::getenv(kTrackerHostVariable);
  return chosen != nullptr && *chosen != '\0' ? std::string(chosen) : HostName();
}

/// Starts the tracker on rank 0 (into `tracker`) and returns its address on every rank, rank
/// 0's choice. On one host it listens on 127.0.0.1; across hosts on every interface, since
/// rank 0's host name may resolve to a loopback address on rank 0 itself (/etc/hosts).
TrackerAddress StartTracker(RankReducer& ranks, std::unique_ptr<XGBoostTracker>& tracker) {
  const bool one_host = OnOneHost(ranks);
  std::string address;  // "<port> <host>"
  RunTogether(ranks, [&] {
    if (ranks.rank() != 0) return;
    const std::string host = one_host ? "127.0.0.1" : SharedTrackerHost();
    tracker = std::make_unique<XGBoostTracker>(one_host ? host : "0.0.0.0", 0, ranks.size(),
                                               kTrackerIoTimeout);
    address = std::to_string(tracker->port()) + " " + host;
  });
  ranks.Broadcast(address, 0);
  const size_t space = address.find(' ');
  return {address.substr(space + 1), std::stoi(address.substr(0, space))};
}

/// Waits until every worker has left `tracker`; throws IoError naming its problems if not.
void WaitForWorkers(const XGBoostTracker& tracker) {
  if (tracker.WaitUntilDone(kTrackerDoneTimeout)) return;
  const std::vector<std::string> errors = tracker.errors();
  Throw<IoError>("XGBoost's tracker at {}:{} did not see every worker leave within {} s{}{}",
                 tracker.host(), tracker.port(), kTrackerDoneTimeout.count(),
                 errors.empty() ? "" : ": ", errors.empty() ? "" : errors.front());
}

}  // namespace

void BoostedTrees::FitShares(const Matrix& x, const Labels& y, const EvalSet* eval, int threads,
                             RankReducer& ranks) {
  // A bad share is found here, over `ranks`, before any rank joins XGBoost's collective, where
  // a rank that throws alone would leave the others waiting for it.
  CheckTreeShares(ranks, task_ == TreeTask::kClassification, x, y, eval);
  std::unique_ptr<XGBoostTracker> tracker;
  const TrackerAddress address = StartTracker(ranks, tracker);
  RunTogether(ranks, [&] {
    WithXGBoostCollective(ranks.rank(), ranks.size(), address.host, address.port,
                          [&](const XGBoostCollective& collective) {
                            FitDistributed(collective, x, y, eval, threads);
                          });
    if (tracker != nullptr) WaitForWorkers(*tracker);
  });
}

}  // namespace sluice::ml
