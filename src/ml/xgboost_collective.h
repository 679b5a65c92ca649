#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <thread>

namespace sluice::ml {

/// Is this thread's membership in XGBoost's distributed collective (rabit 1.7), met through an
/// XGBoostTracker. While it lives, XGBoost's calls on this thread (making a DMatrix, training,
/// evaluating) allreduce with the other members, so every member must make the same calls in the
/// same order. Its XGBoost rank is the given rank (passed to the tracker as the task id).
/// REQUIRES: constructed, used and destroyed on one thread, one at a time per thread: XGBoost
/// 1.7 keeps the communicator per thread, which also lets threads of one process be members.
class XGBoostCollective {
 public:
  /// Joins as `rank` of `world_size` through the tracker at `tracker_host`:`tracker_port`;
  /// returns once the links to the peers are up. A peer silent for `link_timeout` fails the
  /// collective call waiting for it. Throws UserError for bad arguments, IoError naming the
  /// tracker when joining fails.
  XGBoostCollective(int rank, int world_size, const std::string& tracker_host, int tracker_port,
                    std::chrono::seconds link_timeout = std::chrono::minutes(30));
  /// Leaves the collective and tells the tracker this member is done (a failure is logged).
  ~XGBoostCollective();
  XGBoostCollective(const XGBoostCollective&) = delete;
  XGBoostCollective& operator=(const XGBoostCollective&) = delete;

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  /// Replaces each of `values` by its sum over all members (a collective call). Throws IoError.
  void SumAll(std::span<double> values) const;

 private:
  int rank_;
  int world_size_;
  std::thread::id thread_;
};

/// Runs `body` on a new thread as `rank` of `world_size` in the collective met through the
/// tracker at `tracker_host`:`tracker_port`, and returns when the thread ends, rethrowing what
/// joining or `body` threw. Prefer it to an XGBoostCollective on a long-lived thread: XGBoost 1.7
/// leaves a failed join's state on its thread, which makes later joins there fail.
void WithXGBoostCollective(int rank, int world_size, const std::string& tracker_host,
                           int tracker_port,
                           const std::function<void(const XGBoostCollective&)>& body);

}  // namespace sluice::ml
