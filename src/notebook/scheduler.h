#pragma once

// Runs notebooks when their schedules say so: at their cron times, when a result or source they
// watch (`on_update`) gets a new version, again after a failure (`retries`), and once or more
// for cron times missed while no scheduler ran (`missed_runs`). What runs a notebook, what
// tells a version and what tells the time are injected, so tests drive it with fakes.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "notebook/schedule_config.h"

namespace sluice::notebook {

/// Tells the scheduler the time and lets it sleep until a deadline.
class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  /// Returns the current time. Thread-safe.
  virtual TimePoint Now() = 0;
  /// Blocks until Now() reaches `deadline`, `stop` is true or Notify() is called (a call made
  /// since the previous wait ended counts), whichever comes first; may return early.
  virtual void WaitUntil(TimePoint deadline, const std::atomic<bool>& stop) = 0;
  /// Ends the wait in progress early, or else the next one. Thread-safe.
  virtual void Notify() = 0;
};

/// Is the system's wall clock; a wait sees `stop` within 100 ms. Thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint Now() override;
  void WaitUntil(TimePoint deadline, const std::atomic<bool>& stop) override;
  void Notify() override;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool notified_ = false;
};

/// Configures a Scheduler.
struct SchedulerOptions {
  ScheduleConfig config;
  /// Runs the notebook at `notebook_path` (as configured) and returns whether it succeeded;
  /// `trigger` is "cron", "on_update:<name>", "retry" or "missed". Called on the run's own
  /// thread; an exception counts as a failure.
  std::function<bool(const std::string& notebook_path, const std::string& trigger)> run;
  /// Returns the version token of on_update name `name` ("" when it has none yet). Called on
  /// the thread of Scheduler::Run; an exception skips the name until the next poll.
  std::function<std::string(const std::string& name)> version_probe;
  /// Receives a line for every trigger, queued or dropped trigger, retry and missed run. May
  /// be empty; called one line at a time, from any thread.
  std::function<void(std::string line)> on_event;
  /// Is the state file (see SchedulerStatePath); empty: nothing is kept across restarts.
  std::string state_path;
  /// Is how often version_probe is asked about each on_update name.
  std::chrono::milliseconds poll_period{1000};
  /// Tells the time; nullptr: the system clock. Must outlive the scheduler.
  Clock* clock = nullptr;
};

/// Runs the scheduled notebooks of one ScheduleConfig. Runs go on their own threads, at most
/// `max_concurrent_runs` at once and one per notebook at a time: a trigger while a notebook's
/// run (or its retries) is going queues one more run, and triggers beyond that are dropped.
/// A failed run is retried `retries` times, the first after `retry_backoff`, each next one
/// after twice the delay before (doubling stops once a delay reaches a day). The last cron time
/// handled per notebook and the last version token seen per on_update name are kept in the state
/// file, so that after a restart `missed_runs` decides what happens to the cron times missed, and
/// an upstream that changed while no scheduler ran triggers once. A name seen for the first time,
/// or whose token became
/// "" (the result was dropped), does not trigger.
class Scheduler {
 public:
  /// Makes a scheduler; nothing runs before Run(). REQUIRES: `options.run` is set, and
  /// `options.version_probe` too when a schedule has on_update; max_concurrent_runs >= 1.
  explicit Scheduler(SchedulerOptions options);
  /// Waits for runs still going (only when Run() ended by an exception).
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// Runs the schedules until `stop` is true; then starts nothing new, waits for the runs in
  /// progress and saves the state. Call once. A state file that cannot be read or written is
  /// logged, not thrown.
  void Run(const std::atomic<bool>& stop);

  /// Returns how many runs were started and not yet seen to finish by Run(). Thread-safe.
  size_t runs_in_progress() const { return runs_in_progress_.load(); }

 private:
  using TimePoint = Clock::TimePoint;
  struct Entry;
  struct Completion {
    size_t entry;
    bool succeeded;
    TimePoint finished;
  };

  void Restore(TimePoint now);
  void CatchUp(size_t index, TimePoint handled_through, TimePoint now);
  void FireCron(TimePoint now);
  void PollUpstreams(TimePoint now);
  void Trigger(size_t index, const std::string& trigger, TimePoint now);
  void Dispatch(TimePoint now);
  void Start(size_t index);
  bool CallRun(const std::string& notebook, const std::string& trigger);
  void Reap();
  void Finish(const Completion& completion);
  TimePoint NextDeadline() const;
  void Drain();
  void SaveState();
  void Event(const std::string& line);

  SchedulerOptions options_;
  std::unique_ptr<Clock> system_clock_;
  Clock& clock_;
  std::vector<Entry> entries_;
  std::map<std::string, std::vector<size_t>> watchers_;  // on_update name -> entries
  std::map<std::string, std::string> tokens_;            // on_update name -> last token seen
  TimePoint next_poll_;
  bool state_dirty_ = false;
  std::map<size_t, std::thread> threads_;  // by entry: its run in progress
  std::atomic<size_t> runs_in_progress_{0};
  std::mutex completions_mutex_;
  std::vector<Completion> completions_;  // guarded by completions_mutex_
  std::mutex event_mutex_;
};

}  // namespace sluice::notebook
