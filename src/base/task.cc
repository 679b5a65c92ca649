#include "base/task.h"

#include <mutex>
#include <thread>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

namespace sluice {
namespace {

std::mutex control_mutex;
std::unique_ptr<tbb::global_control> thread_control;

}  // namespace

void SetThreadCount(size_t threads) {
  std::lock_guard lock(control_mutex);
  thread_control.reset();
  if (threads > 0) {
    thread_control = std::make_unique<tbb::global_control>(
        tbb::global_control::max_allowed_parallelism, threads);
  }
}

size_t ThreadCount() {
  return tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
}

void ParallelFor(size_t count, const std::function<void(size_t)>& body) {
  tbb::parallel_for(size_t{0}, count, [&](size_t i) { body(i); });
}

struct TaskGroup::State {
  tbb::task_group group;
};

TaskGroup::TaskGroup() : state_(std::make_unique<State>()) {}

TaskGroup::~TaskGroup() {
  try {
    state_->group.wait();
  } catch (...) {  // Errors were reported by Wait(); a destructor must not throw.
  }
}

void TaskGroup::Run(std::function<void()> task) { state_->group.run(std::move(task)); }

void TaskGroup::Wait() { state_->group.wait(); }

}  // namespace sluice
