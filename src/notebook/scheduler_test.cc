#include "notebook/scheduler.h"

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_folder.h"
#include "notebook/scheduler_state.h"

namespace sluice::notebook {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using TimePoint = Clock::TimePoint;

// Bounds every wait of a test on the scheduler's thread, so a bug fails instead of hanging.
constexpr std::chrono::seconds kPatience{20};

// Returns 2024-01-01 h:m:s UTC.
TimePoint At(int h, int m, int s = 0) {
  return std::chrono::sys_days{std::chrono::year{2024} / 1 / 1} + hours(h) + minutes(m) +
         seconds(s);
}

std::string TimeText(TimePoint time) {
  auto seconds_of_day = std::chrono::floor<seconds>(time - std::chrono::floor<days>(time)).count();
  return fmt::format("{:02}:{:02}:{:02}", seconds_of_day / 3600, seconds_of_day / 60 % 60,
                     seconds_of_day % 60);
}

// Is simulated time. A wait jumps to its deadline at once while the scheduler is not busy (by
// default: no run in progress, so a run starts and finishes at the same simulated time), and
// parks the scheduler when the deadline is past `end` or while it is busy.
class FakeClock final : public Clock {
 public:
  FakeClock(TimePoint start, TimePoint end) : now_(start), end_(end) {}

  void Watch(std::function<size_t()> in_progress, std::function<bool()> busy) {
    std::lock_guard lock(mutex_);
    in_progress_ = std::move(in_progress);
    busy_ = std::move(busy);
  }

  TimePoint Now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }

  void WaitUntil(TimePoint deadline, const std::atomic<bool>& stop) override {
    std::unique_lock lock(mutex_);
    while (!notified_ && !stop && deadline > now_) {
      if (deadline <= end_ && !busy_()) {
        now_ = deadline;
        break;
      }
      parked_ = true;
      at_end_ = deadline > end_;
      changed_.notify_all();
      // Runs finishing notify; the timeout only re-reads `busy_` and `stop`.
      changed_.wait_for(lock, milliseconds(2));
    }
    parked_ = false;
    at_end_ = false;
    notified_ = false;
  }

  void Notify() override {
    std::lock_guard lock(mutex_);
    notified_ = true;
    changed_.notify_all();
  }

  /// Waits until the scheduler waits for a time past the end (runs may be in progress).
  bool WaitForEnd() {
    return WaitFor([&] { return parked_ && at_end_ && !notified_; });
  }
  /// Waits until the scheduler waits for a time past the end with no run in progress: nothing
  /// more happens before the end.
  bool WaitUntilQuiet() {
    return WaitFor([&] { return parked_ && at_end_ && !notified_ && in_progress_() == 0; });
  }

 private:
  bool WaitFor(const std::function<bool()>& condition) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, condition);
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  TimePoint now_;
  TimePoint end_;
  bool notified_ = false;
  bool parked_ = false;
  bool at_end_ = false;
  std::function<size_t()> in_progress_;
  std::function<bool()> busy_;
};

NotebookSchedule CronSchedule(std::string notebook, std::string_view cron, int retries = 0,
                              milliseconds backoff = seconds(10)) {
  NotebookSchedule schedule;
  schedule.notebook = std::move(notebook);
  schedule.cron = CronExpression::Parse(cron);
  schedule.retries = retries;
  schedule.retry_backoff = backoff;
  return schedule;
}

NotebookSchedule OnUpdate(std::string notebook, std::vector<std::string> names) {
  NotebookSchedule schedule;
  schedule.notebook = std::move(notebook);
  schedule.on_update = std::move(names);
  return schedule;
}

ScheduleConfig Config(std::vector<NotebookSchedule> notebooks, int max_concurrent_runs = 1,
                      MissedRunPolicy missed_runs = MissedRunPolicy::kRunOnce) {
  ScheduleConfig config;
  config.notebooks = std::move(notebooks);
  config.max_concurrent_runs = max_concurrent_runs;
  config.missed_runs = missed_runs;
  return config;
}

// Runs a Scheduler on its own thread over a FakeClock with a fake runner that records every
// run as "HH:MM:SS notebook trigger" and can hold runs at a gate.
class Harness {
 public:
  Harness(ScheduleConfig config, TimePoint start, TimePoint end, std::string state_path = {})
      : clock(start, end) {
    options_.config = std::move(config);
    options_.state_path = std::move(state_path);
    options_.clock = &clock;
    options_.run = [this](const std::string& notebook, const std::string& trigger) {
      return Run(notebook, trigger);
    };
    options_.version_probe = [this](const std::string& name) {
      return versions(name, clock.Now());
    };
    options_.on_event = [this](std::string line) {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(line));
      changed_.notify_all();
    };
  }
  ~Harness() {
    if (!thread_.joinable()) return;
    OpenGate();
    RequestStop();
    thread_.join();
  }

  /// Starts the scheduler; with `advance_while_held`, time goes on while runs wait at the gate.
  void Start(bool advance_while_held = false) {
    scheduler_ = std::make_unique<Scheduler>(options_);
    Scheduler* scheduler = scheduler_.get();
    auto busy = [this, scheduler, advance_while_held] {
      size_t held = advance_while_held ? static_cast<size_t>(held_.load()) : 0;
      return scheduler->runs_in_progress() > held;
    };
    clock.Watch([scheduler] { return scheduler->runs_in_progress(); }, busy);
    thread_ = std::thread([this] {
      scheduler_->Run(stop_);
      returned_ = true;
    });
  }
  void RequestStop() {
    stop_ = true;
    clock.Notify();
  }
  void Join() { thread_.join(); }
  /// Runs the scheduler from the start until nothing more happens before the end.
  std::vector<std::string> RunToEnd() {
    Start();
    EXPECT_TRUE(clock.WaitUntilQuiet());
    RequestStop();
    Join();
    return Runs();
  }

  std::vector<std::string> Runs() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> runs = runs_;
    std::sort(runs.begin(), runs.end());
    return runs;
  }
  std::vector<std::string> Events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  void CloseGate() {
    std::lock_guard lock(mutex_);
    gate_open_ = false;
  }
  void OpenGate() {
    std::lock_guard lock(mutex_);
    gate_open_ = true;
    changed_.notify_all();
  }
  bool WaitForStarted(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return started_ >= count; });
  }
  bool WaitForEvent(std::string_view text) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] {
      return std::any_of(events_.begin(), events_.end(),
                         [&](const std::string& line) { return line.find(text) != line.npos; });
    });
  }
  int max_in_flight() {
    std::lock_guard lock(mutex_);
    return max_in_flight_;
  }
  bool returned() const { return returned_; }

  FakeClock clock;
  /// Decides whether a run succeeds; may throw.
  std::function<bool(const std::string& notebook, const std::string& trigger)> outcome =
      [](const std::string&, const std::string&) { return true; };
  /// Returns the version token of an on_update name at a simulated time.
  std::function<std::string(const std::string& name, TimePoint now)> versions =
      [](const std::string&, TimePoint) { return std::string("1"); };

 private:
  bool Run(const std::string& notebook, const std::string& trigger) {
    TimePoint now = clock.Now();
    std::unique_lock lock(mutex_);
    runs_.push_back(fmt::format("{} {} {}", TimeText(now), notebook, trigger));
    ++started_;
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    changed_.notify_all();
    if (!gate_open_) {
      ++held_;
      changed_.wait(lock, [&] { return gate_open_; });
      --held_;
    }
    --in_flight_;
    lock.unlock();
    return outcome(notebook, trigger);
  }

  SchedulerOptions options_;
  std::unique_ptr<Scheduler> scheduler_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> returned_{false};
  std::atomic<int> held_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> runs_;
  std::vector<std::string> events_;
  bool gate_open_ = true;
  int started_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

TEST(SchedulerTest, CronFiresAtItsSimulatedTimes) {
  Harness harness(Config({CronSchedule("a.sql", "*/5 * * * *")}), At(0, 2, 30), At(0, 31));
  EXPECT_THAT(harness.RunToEnd(),
              ElementsAre("00:05:00 a.sql cron", "00:10:00 a.sql cron", "00:15:00 a.sql cron",
                          "00:20:00 a.sql cron", "00:25:00 a.sql cron", "00:30:00 a.sql cron"));
  EXPECT_THAT(harness.Events(), Contains("trigger a.sql (cron)"));
}

TEST(SchedulerTest, OnUpdateTriggersOncePerNewToken) {
  Harness harness(Config({OnUpdate("b.sql", {"flights", "airports"})}), At(0, 0), At(0, 0, 30));
  harness.versions = [](const std::string& name, TimePoint now) -> std::string {
    // Both change at 00:00:10 (one run for both), flights again at 00:00:20.
    if (name == "airports") return now < At(0, 0, 10) ? "a" : "b";
    return now < At(0, 0, 10) ? "1" : now < At(0, 0, 20) ? "2" : "3";
  };
  EXPECT_THAT(harness.RunToEnd(),
              ElementsAre("00:00:10 b.sql on_update:flights", "00:00:20 b.sql on_update:flights"));
  EXPECT_THAT(harness.Events(), Contains("trigger b.sql (on_update:flights)"));
}

TEST(SchedulerTest, VanishedUpstreamDoesNotTrigger) {
  Harness harness(Config({OnUpdate("b.sql", {"flights"})}), At(0, 0), At(0, 0, 5));
  harness.versions = [](const std::string&, TimePoint now) -> std::string {
    return now < At(0, 0, 2) ? "1" : now < At(0, 0, 4) ? "" : "2";
  };
  EXPECT_THAT(harness.RunToEnd(), ElementsAre("00:00:04 b.sql on_update:flights"));
}

TEST(SchedulerTest, UnreadableVersionSkipsThePoll) {
  Harness harness(Config({OnUpdate("b.sql", {"flights"})}), At(0, 0), At(0, 0, 5));
  harness.versions = [](const std::string&, TimePoint now) -> std::string {
    if (now == At(0, 0, 2)) throw std::runtime_error("catalog busy");
    return now < At(0, 0, 3) ? "1" : "2";
  };
  EXPECT_THAT(harness.RunToEnd(), ElementsAre("00:00:03 b.sql on_update:flights"));
}

TEST(SchedulerTest, RetriesWithDoublingBackoff) {
  Harness harness(Config({CronSchedule("a.sql", "0 * * * *", 2, seconds(30))}), At(0, 59),
                  At(1, 10));
  harness.outcome = [](const std::string&, const std::string&) { return false; };
  EXPECT_THAT(harness.RunToEnd(),
              ElementsAre("01:00:00 a.sql cron", "01:00:30 a.sql retry", "01:01:30 a.sql retry"));
  std::vector<std::string> events = harness.Events();
  EXPECT_THAT(events, Contains("retry a.sql in 30s (retry 1 of 2)"));
  EXPECT_THAT(events, Contains("retry a.sql in 1m (retry 2 of 2)"));
  EXPECT_THAT(events, Contains("a.sql failed after 2 retries"));
}

TEST(SchedulerTest, SuccessfulRetryEndsTheRetries) {
  Harness harness(Config({CronSchedule("a.sql", "0 * * * *", 3, milliseconds(500))}), At(0, 59),
                  At(2, 10));
  harness.outcome = [](const std::string&, const std::string& trigger) {
    if (trigger == "cron") throw std::runtime_error("disk full");
    return true;
  };
  EXPECT_THAT(harness.RunToEnd(), ElementsAre("01:00:00 a.sql cron", "01:00:00 a.sql retry",
                                              "02:00:00 a.sql cron", "02:00:00 a.sql retry"));
  EXPECT_THAT(harness.Events(), Contains("run of a.sql (cron) failed: disk full"));
}

TEST(SchedulerTest, RunsAtMostMaxConcurrentRuns) {
  ScheduleConfig config =
      Config({CronSchedule("a.sql", "*/5 * * * *"), CronSchedule("b.sql", "*/5 * * * *"),
              CronSchedule("c.sql", "*/5 * * * *")},
             2);
  Harness harness(std::move(config), At(0, 4), At(0, 6));
  harness.CloseGate();
  harness.Start();
  ASSERT_TRUE(harness.WaitForStarted(2));
  // Parked: the scheduler decided everything it does at 00:05 while two runs hold.
  ASSERT_TRUE(harness.clock.WaitForEnd());
  EXPECT_THAT(harness.Runs(), ElementsAre("00:05:00 a.sql cron", "00:05:00 b.sql cron"));
  harness.OpenGate();
  ASSERT_TRUE(harness.clock.WaitUntilQuiet());
  EXPECT_THAT(harness.Runs(),
              ElementsAre("00:05:00 a.sql cron", "00:05:00 b.sql cron", "00:05:00 c.sql cron"));
  EXPECT_EQ(harness.max_in_flight(), 2);
}

TEST(SchedulerTest, TriggersWhileRunningQueueOneMoreRun) {
  Harness harness(Config({CronSchedule("a.sql", "* * * * *")}, 4), At(0, 0, 30), At(0, 4, 30));
  harness.CloseGate();
  harness.Start(/*advance_while_held=*/true);
  ASSERT_TRUE(harness.WaitForStarted(1));
  ASSERT_TRUE(harness.clock.WaitForEnd());
  EXPECT_THAT(harness.Runs(), ElementsAre("00:01:00 a.sql cron"));
  EXPECT_THAT(
      harness.Events(),
      ElementsAre("trigger a.sql (cron)", "trigger a.sql (cron): queued behind the run in progress",
                  "trigger a.sql (cron) dropped: a run of it is already waiting",
                  "trigger a.sql (cron) dropped: a run of it is already waiting"));
  harness.OpenGate();
  ASSERT_TRUE(harness.clock.WaitUntilQuiet());
  EXPECT_THAT(harness.Runs(), ElementsAre("00:01:00 a.sql cron", "00:04:00 a.sql cron"));
  EXPECT_EQ(harness.max_in_flight(), 1);
}

TEST(SchedulerTest, StopWaitsForRunsInProgressAndStartsNothingNew) {
  ScheduleConfig config =
      Config({CronSchedule("a.sql", "*/5 * * * *"), CronSchedule("b.sql", "*/5 * * * *")});
  Harness harness(std::move(config), At(0, 4), At(0, 6));
  harness.CloseGate();
  harness.Start();
  ASSERT_TRUE(harness.WaitForStarted(1));
  ASSERT_TRUE(harness.clock.WaitForEnd());
  harness.RequestStop();
  ASSERT_TRUE(harness.WaitForEvent("stopping: waiting for 1 run in progress"));
  EXPECT_FALSE(harness.returned());
  harness.OpenGate();
  harness.Join();
  EXPECT_THAT(harness.Runs(), ElementsAre("00:05:00 a.sql cron"));
  EXPECT_THAT(harness.Events(), Contains("stopped; 1 waiting run(s) not started"));
}

struct MissedCase {
  MissedRunPolicy policy;
  int missed_runs;
};

void PrintTo(const MissedCase& missed, std::ostream* out) {
  *out << MissedRunPolicyName(missed.policy);
}

class SchedulerMissedRunsTest : public ::testing::TestWithParam<MissedCase> {};

TEST_P(SchedulerMissedRunsTest, AfterRestart) {
  TestFolder folder;
  std::string state_path = SchedulerStatePath(folder.path());
  ScheduleConfig config = Config({CronSchedule("a.sql", "*/5 * * * *")}, 1, GetParam().policy);
  {
    Harness first(config, At(0, 0), At(0, 12), state_path);
    EXPECT_THAT(first.RunToEnd(), ElementsAre("00:05:00 a.sql cron", "00:10:00 a.sql cron"));
  }
  EXPECT_EQ(ReadSchedulerState(state_path).notebooks.at("a.sql").handled_through, At(0, 10));
  // Down from 00:12 to 02:00:30: the 22 cron times from 00:15 to 02:00 were missed.
  Harness second(config, At(2, 0, 30), At(2, 6), state_path);
  std::vector<std::string> expected(GetParam().missed_runs, "02:00:30 a.sql missed");
  expected.push_back("02:05:00 a.sql cron");
  EXPECT_EQ(second.RunToEnd(), expected);
  EXPECT_THAT(
      second.Events(),
      Contains(fmt::format("missed 10+ cron runs of a.sql while no scheduler ran; "
                           "missed_runs: {}, running {}",
                           MissedRunPolicyName(GetParam().policy), GetParam().missed_runs)));
}

INSTANTIATE_TEST_SUITE_P(Policies, SchedulerMissedRunsTest,
                         ::testing::Values(MissedCase{MissedRunPolicy::kSkip, 0},
                                           MissedCase{MissedRunPolicy::kRunOnce, 1},
                                           MissedCase{MissedRunPolicy::kRunAll, 10}));

TEST(SchedulerTest, CountsFewMissedRunsExactly) {
  TestFolder folder;
  std::string state_path = SchedulerStatePath(folder.path());
  ScheduleConfig config =
      Config({CronSchedule("a.sql", "*/5 * * * *")}, 1, MissedRunPolicy::kRunAll);
  Harness(config, At(0, 0), At(0, 6), state_path).RunToEnd();
  Harness second(config, At(0, 17), At(0, 19), state_path);
  EXPECT_THAT(second.RunToEnd(), ElementsAre("00:17:00 a.sql missed", "00:17:00 a.sql missed"));
  EXPECT_THAT(second.Events(), Contains("missed 2 cron runs of a.sql while no scheduler ran; "
                                        "missed_runs: run_all, running 2"));
}

TEST(SchedulerTest, ChangedCronExpressionMissesNothing) {
  TestFolder folder;
  std::string state_path = SchedulerStatePath(folder.path());
  Harness(Config({CronSchedule("a.sql", "*/5 * * * *")}), At(0, 0), At(0, 6), state_path)
      .RunToEnd();
  Harness second(Config({CronSchedule("a.sql", "*/7 * * * *")}), At(1, 0), At(1, 8), state_path);
  EXPECT_THAT(second.RunToEnd(), ElementsAre("01:07:00 a.sql cron"));
}

TEST(SchedulerTest, UpstreamChangedWhileDownTriggersOnce) {
  TestFolder folder;
  std::string state_path = SchedulerStatePath(folder.path());
  ScheduleConfig config = Config({OnUpdate("b.sql", {"flights"})});
  auto version = [](std::string token) {
    return [token](const std::string&, TimePoint) { return token; };
  };
  Harness first(config, At(0, 0), At(0, 0, 5), state_path);
  first.versions = version("1");
  EXPECT_THAT(first.RunToEnd(), IsEmpty());
  Harness second(config, At(1, 0), At(1, 0, 5), state_path);
  second.versions = version("2");
  EXPECT_THAT(second.RunToEnd(), ElementsAre("01:00:00 b.sql on_update:flights"));
  Harness third(config, At(2, 0), At(2, 0, 5), state_path);
  third.versions = version("2");
  EXPECT_THAT(third.RunToEnd(), IsEmpty());
}

TEST(SchedulerTest, CorruptStateIsReportedAndIgnored) {
  TestFolder folder;
  std::string state_path = SchedulerStatePath(folder.path());
  std::filesystem::create_directories(std::filesystem::path(state_path).parent_path());
  folder.Write(".sluice/state/scheduler.json", "{\"notebooks\": [");
  Harness harness(Config({CronSchedule("a.sql", "*/5 * * * *")}), At(0, 1), At(0, 6), state_path);
  EXPECT_THAT(harness.RunToEnd(), ElementsAre("00:05:00 a.sql cron"));
  EXPECT_THAT(harness.Events()[0], HasSubstr("ignoring the scheduler state: '" + state_path +
                                             "' is not a scheduler state file"));
  EXPECT_EQ(ReadSchedulerState(state_path).notebooks.at("a.sql").handled_through, At(0, 5));
}

TEST(SchedulerStateTest, RoundTrips) {
  TestFolder folder;
  std::string path = SchedulerStatePath(folder.path());
  EXPECT_EQ(path, folder.path() + "/.sluice/state/scheduler.json");
  EXPECT_THAT(ReadSchedulerState(path).notebooks, IsEmpty());
  SchedulerState state;
  state.notebooks["notebooks/a \"b\".sql"] = {"*/5 * * * *", At(3, 5) + milliseconds(7)};
  state.upstreams["flights"] = "12";
  state.upstreams["src"] = "";
  WriteSchedulerState(state, path);
  SchedulerState read = ReadSchedulerState(path);
  ASSERT_EQ(read.notebooks.size(), 1u);
  EXPECT_EQ(read.notebooks.begin()->first, "notebooks/a \"b\".sql");
  EXPECT_EQ(read.notebooks.begin()->second.cron, "*/5 * * * *");
  EXPECT_EQ(read.notebooks.begin()->second.handled_through, At(3, 5) + milliseconds(7));
  EXPECT_EQ(read.upstreams, state.upstreams);
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder.Path(".sluice/state")),
                          std::filesystem::directory_iterator()),
            1);
}

}  // namespace
}  // namespace sluice::notebook
