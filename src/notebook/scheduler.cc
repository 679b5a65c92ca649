#include "notebook/scheduler.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>

#include "base/error.h"
#include "base/log.h"
#include "notebook/scheduler_state.h"

namespace sluice::notebook {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kStopCheckPeriod{100};
// Doubling stops once a retry's delay reaches a day.
constexpr std::chrono::hours kMaxDoubledBackoff{24};

milliseconds RetryDelay(milliseconds backoff, int retry) {
  milliseconds delay = backoff;
  for (int i = 1; i < retry && delay < kMaxDoubledBackoff; ++i) delay *= 2;
  return delay;
}

std::string DurationText(milliseconds duration) {
  if (duration.count() % 3'600'000 == 0 && duration.count() > 0) {
    return fmt::format("{}h", duration.count() / 3'600'000);
  }
  if (duration.count() % 60'000 == 0 && duration.count() > 0) {
    return fmt::format("{}m", duration.count() / 60'000);
  }
  if (duration.count() % 1000 == 0) return fmt::format("{}s", duration.count() / 1000);
  return fmt::format("{}ms", duration.count());
}

}  // namespace

// The state of one scheduled notebook; only Run()'s thread touches it.
struct Scheduler::Entry {
  NotebookSchedule schedule;
  TimePoint cron_handled;              // cron times up to here were handled
  std::optional<TimePoint> next_fire;  // the next cron time
  std::deque<std::string> pending;     // triggers of runs waiting to start
  bool running = false;                // a run thread is going
  int failures = 0;                    // failed attempts of the current run and its retries
  std::optional<TimePoint> retry_due;  // a retry waits for this time
  TimePoint ready_at;                  // since when it waits to start (ordering among entries)
};

Clock::TimePoint SystemClock::Now() { return std::chrono::system_clock::now(); }

void SystemClock::WaitUntil(TimePoint deadline, const std::atomic<bool>& stop) {
  std::unique_lock lock(mutex_);
  while (!notified_ && !stop) {
    TimePoint now = Now();
    if (now >= deadline) break;
    // Sliced, because `stop` is set by a signal handler that cannot notify.
    wake_.wait_until(lock, std::min(deadline, now + kStopCheckPeriod));
  }
  notified_ = false;
}

void SystemClock::Notify() {
  std::lock_guard lock(mutex_);
  notified_ = true;
  wake_.notify_all();
}

Scheduler::Scheduler(SchedulerOptions options)
    : options_(std::move(options)),
      system_clock_(options_.clock == nullptr ? std::make_unique<SystemClock>() : nullptr),
      clock_(options_.clock == nullptr ? *system_clock_ : *options_.clock) {
  SLUICE_CHECK(options_.run && options_.config.max_concurrent_runs >= 1);
  for (size_t i = 0; i < options_.config.notebooks.size(); ++i) {
    entries_.emplace_back().schedule = options_.config.notebooks[i];
    for (const std::string& name : entries_.back().schedule.on_update) {
      std::vector<size_t>& watchers = watchers_[name];
      if (watchers.empty() || watchers.back() != i) watchers.push_back(i);
    }
  }
  SLUICE_CHECK(watchers_.empty() || options_.version_probe);
}

Scheduler::~Scheduler() {
  for (auto& [index, thread] : threads_) thread.join();
}

void Scheduler::Run(const std::atomic<bool>& stop) {
  Restore(clock_.Now());
  while (!stop) {
    TimePoint now = clock_.Now();
    Reap();
    FireCron(now);
    if (!watchers_.empty() && now >= next_poll_) {
      PollUpstreams(now);
      next_poll_ = now + options_.poll_period;
    }
    Dispatch(now);
    if (state_dirty_) SaveState();
    clock_.WaitUntil(NextDeadline(), stop);
  }
  Drain();
}

void Scheduler::Restore(TimePoint now) {
  SchedulerState state;
  if (!options_.state_path.empty()) {
    try {
      state = ReadSchedulerState(options_.state_path);
    } catch (const Error& error) {
      Event(fmt::format("ignoring the scheduler state: {}", error.what()));
    }
  }
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& entry = entries_[i];
    if (!entry.schedule.cron) continue;
    auto it = state.notebooks.find(entry.schedule.notebook);
    if (it != state.notebooks.end() && it->second.cron == entry.schedule.cron->text()) {
      CatchUp(i, it->second.handled_through, now);
    }
    entry.cron_handled = now;
    entry.next_fire = entry.schedule.cron->Next(now);
  }
  for (const auto& [name, token] : state.upstreams) {
    if (watchers_.count(name) > 0) tokens_[name] = token;
  }
  next_poll_ = now;
  state_dirty_ = true;
}

void Scheduler::CatchUp(size_t index, TimePoint handled_through, TimePoint now) {
  Entry& entry = entries_[index];
  int missed = 0;
  for (TimePoint time = handled_through; missed <= kMaxMissedRuns; ++missed) {
    time = entry.schedule.cron->Next(time);
    if (time > now) break;
  }
  if (missed == 0) return;
  MissedRunPolicy policy = options_.config.missed_runs;
  int runs = policy == MissedRunPolicy::kSkip      ? 0
             : policy == MissedRunPolicy::kRunOnce ? 1
                                                   : std::min(missed, kMaxMissedRuns);
  Event(fmt::format(
      "missed {}{} cron run{} of {} while no scheduler ran; missed_runs: {}, "
      "running {}",
      std::min(missed, kMaxMissedRuns), missed > kMaxMissedRuns ? "+" : "", missed == 1 ? "" : "s",
      entry.schedule.notebook, MissedRunPolicyName(policy), runs));
  for (int i = 0; i < runs; ++i) Trigger(index, "missed", now);
}

void Scheduler::FireCron(TimePoint now) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& entry = entries_[i];
    if (!entry.next_fire || *entry.next_fire > now) continue;
    // Cron times passed together (the machine slept, say) make one run.
    while (*entry.next_fire <= now) {
      entry.cron_handled = *entry.next_fire;
      entry.next_fire = entry.schedule.cron->Next(*entry.next_fire);
    }
    state_dirty_ = true;
    Trigger(i, "cron", now);
  }
}

void Scheduler::PollUpstreams(TimePoint now) {
  std::set<std::string> changed;
  for (const auto& [name, watchers] : watchers_) {
    std::string token;
    try {
      token = options_.version_probe(name);
    } catch (const std::exception& error) {
      spdlog::warn("scheduler: cannot tell the version of '{}': {}", name, error.what());
      continue;
    }
    auto [it, added] = tokens_.emplace(name, token);
    if (added || it->second == token) {
      state_dirty_ |= added;
      continue;
    }
    it->second = token;
    state_dirty_ = true;
    // A result dropped (or a source forgotten) has no new version to run on.
    if (!token.empty()) changed.insert(name);
  }
  if (changed.empty()) return;
  // One run per notebook, however many of its upstreams changed.
  for (size_t i = 0; i < entries_.size(); ++i) {
    for (const std::string& name : entries_[i].schedule.on_update) {
      if (changed.count(name) == 0) continue;
      Trigger(i, "on_update:" + name, now);
      break;
    }
  }
}

void Scheduler::Trigger(size_t index, const std::string& trigger, TimePoint now) {
  Entry& entry = entries_[index];
  const std::string& notebook = entry.schedule.notebook;
  bool busy = entry.running || entry.retry_due.has_value();
  // The missed runs of run_all queue up together; other triggers fold into one waiting run.
  if (!entry.pending.empty() && trigger != "missed") {
    Event(
        fmt::format("trigger {} ({}) dropped: a run of it is already waiting", notebook, trigger));
    return;
  }
  if (entry.pending.empty() && !busy) entry.ready_at = now;
  entry.pending.push_back(trigger);
  Event(fmt::format("trigger {} ({}){}", notebook, trigger,
                    busy ? ": queued behind the run in progress" : ""));
}

void Scheduler::Dispatch(TimePoint now) {
  auto startable = [&](const Entry& entry) {
    if (entry.running) return false;
    return entry.retry_due ? *entry.retry_due <= now : !entry.pending.empty();
  };
  while (runs_in_progress_ < static_cast<size_t>(options_.config.max_concurrent_runs)) {
    std::optional<size_t> first;
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (!startable(entries_[i])) continue;
      if (!first || entries_[i].ready_at < entries_[*first].ready_at) first = i;
    }
    if (!first) return;
    Start(*first);
  }
}

void Scheduler::Start(size_t index) {
  Entry& entry = entries_[index];
  std::string trigger = "retry";
  if (entry.retry_due) {
    entry.retry_due.reset();
  } else {
    trigger = entry.pending.front();
    entry.pending.pop_front();
    entry.failures = 0;
  }
  entry.running = true;
  ++runs_in_progress_;
  spdlog::info("scheduler: starting {} ({})", entry.schedule.notebook, trigger);
  threads_[index] = std::thread([this, index, notebook = entry.schedule.notebook, trigger] {
    bool succeeded = CallRun(notebook, trigger);
    {
      std::lock_guard lock(completions_mutex_);
      completions_.push_back({index, succeeded, clock_.Now()});
    }
    clock_.Notify();
  });
}

bool Scheduler::CallRun(const std::string& notebook, const std::string& trigger) {
  try {
    return options_.run(notebook, trigger);
  } catch (const std::exception& error) {
    Event(fmt::format("run of {} ({}) failed: {}", notebook, trigger, error.what()));
  } catch (...) {
    Event(fmt::format("run of {} ({}) failed: an unknown exception", notebook, trigger));
  }
  return false;
}

void Scheduler::Reap() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(completions_mutex_);
    done.swap(completions_);
  }
  for (const Completion& completion : done) {
    auto thread = threads_.find(completion.entry);
    // Drain() may have joined it already.
    if (thread->second.joinable()) thread->second.join();
    threads_.erase(thread);
    --runs_in_progress_;
    Finish(completion);
  }
}

void Scheduler::Finish(const Completion& completion) {
  Entry& entry = entries_[completion.entry];
  const NotebookSchedule& schedule = entry.schedule;
  entry.running = false;
  spdlog::info("scheduler: {} {}", schedule.notebook,
               completion.succeeded ? "succeeded" : "failed");
  if (!completion.succeeded && entry.failures < schedule.retries) {
    ++entry.failures;
    milliseconds delay = RetryDelay(schedule.retry_backoff, entry.failures);
    entry.retry_due = completion.finished + delay;
    entry.ready_at = *entry.retry_due;
    Event(fmt::format("retry {} in {} (retry {} of {})", schedule.notebook, DurationText(delay),
                      entry.failures, schedule.retries));
    return;
  }
  if (!completion.succeeded && schedule.retries > 0) {
    Event(fmt::format("{} failed after {} retr{}", schedule.notebook, schedule.retries,
                      schedule.retries == 1 ? "y" : "ies"));
  }
  entry.failures = 0;
  if (!entry.pending.empty()) entry.ready_at = completion.finished;
}

Clock::TimePoint Scheduler::NextDeadline() const {
  TimePoint deadline = TimePoint::max();
  if (!watchers_.empty()) deadline = next_poll_;
  // While every run slot is taken, a due retry waits for a run to finish, which notifies.
  bool slot_free = runs_in_progress_ < static_cast<size_t>(options_.config.max_concurrent_runs);
  for (const Entry& entry : entries_) {
    if (entry.next_fire) deadline = std::min(deadline, *entry.next_fire);
    if (entry.retry_due && slot_free) deadline = std::min(deadline, *entry.retry_due);
  }
  return deadline;
}

void Scheduler::Drain() {
  if (!threads_.empty()) {
    Event(fmt::format("stopping: waiting for {} run{} in progress", threads_.size(),
                      threads_.size() == 1 ? "" : "s"));
  }
  for (auto& [index, thread] : threads_) thread.join();
  Reap();
  size_t waiting = 0;
  for (Entry& entry : entries_) {
    waiting += entry.pending.size() + (entry.retry_due ? 1 : 0);
  }
  if (waiting > 0) Event(fmt::format("stopped; {} waiting run(s) not started", waiting));
  SaveState();
}

void Scheduler::SaveState() {
  state_dirty_ = false;
  if (options_.state_path.empty()) return;
  SchedulerState state;
  for (const Entry& entry : entries_) {
    if (!entry.schedule.cron) continue;
    state.notebooks[entry.schedule.notebook] = {entry.schedule.cron->text(), entry.cron_handled};
  }
  state.upstreams = tokens_;
  try {
    WriteSchedulerState(state, options_.state_path);
  } catch (const Error& error) {
    spdlog::error("scheduler: {}", error.what());
    Event(fmt::format("cannot save the scheduler state: {}", error.what()));
  }
}

void Scheduler::Event(const std::string& line) {
  spdlog::info("scheduler: {}", line);
  if (!options_.on_event) return;
  std::lock_guard lock(event_mutex_);
  options_.on_event(line);
}

}  // namespace sluice::notebook
