#pragma once

// Tests only: runs XGBoost collective members as threads of this process.

#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include "ml/xgboost_collective.h"
#include "ml/xgboost_tracker.h"

namespace sluice::ml {

/// Runs `body(collective)` on `num_ranks` threads, each a member of a collective met through a
/// tracker on 127.0.0.1, and rethrows the first exception a thread threw. Checks that the
/// tracker saw every member shut down and met no problem.
inline void RunXGBoostRanks(int num_ranks,
                            const std::function<void(const XGBoostCollective&)>& body) {
  XGBoostTracker tracker("127.0.0.1", 0, num_ranks);
  std::vector<std::exception_ptr> failures(static_cast<size_t>(num_ranks));
  std::vector<std::thread> threads;
  for (int rank = 0; rank < num_ranks; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        XGBoostCollective collective(rank, num_ranks, tracker.host(), tracker.port());
        body(collective);
      } catch (...) {
        failures[static_cast<size_t>(rank)] = std::current_exception();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  if (!tracker.WaitUntilDone(std::chrono::seconds(10))) {
    throw std::runtime_error("the tracker did not see every member shut down");
  }
  if (!tracker.errors().empty()) throw std::runtime_error(tracker.errors().front());
}

}  // namespace sluice::ml
