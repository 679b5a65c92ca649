#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace sluice {

/// Sets how many threads parallel work may use; 0 means all cores. Lasts until changed again.
void SetThreadCount(size_t threads);

/// Returns how many threads parallel work may use now.
size_t ThreadCount();

/// Runs `body(i)` for every i in [0, count), in parallel on the task scheduler.
/// The first exception thrown by any call is rethrown once all calls have ended.
void ParallelFor(size_t count, const std::function<void(size_t)>& body);

/// Runs tasks on the task scheduler and waits for all of them; exceptions propagate from Wait().
/// Thread-safe: tasks may Run() further tasks.
class TaskGroup {
 public:
  TaskGroup();
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  /// Starts `task` on some worker thread.
  void Run(std::function<void()> task);
  /// Waits for every started task; rethrows the first exception one of them threw.
  void Wait();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sluice
