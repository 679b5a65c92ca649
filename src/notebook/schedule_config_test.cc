#include "notebook/schedule_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"

namespace sluice::notebook {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kExample[] = R"yaml(# Sluice workspace settings.
catalog: .sluice/catalog.db
serve:
  listen: 127.0.0.1:7070
schedules:
  max_concurrent_runs: 2        # across notebooks; default 1
  missed_runs: run_all
  notebooks:
    - notebook: notebooks/flights.sql
      cron: "*/15 * * * *"
      on_update: [flights, airports]
      retries: 2
      retry_backoff: 30s
    - notebook: ./notebooks/daily.sql
      cron: '@daily'
    - notebook: notebooks/report.sql
      on_update: flights
)yaml";

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseScheduleConfig(yaml, "/ws/sluice.yaml");
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for: " << yaml;
  return "";
}

std::string ErrorOfDuration(const std::string& text) {
  try {
    ParseDuration(text);
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for: " << text;
  return "";
}

TEST(ScheduleConfigTest, ParsesEveryKey) {
  ScheduleConfig config = ParseScheduleConfig(kExample, "sluice.yaml");
  EXPECT_EQ(config.max_concurrent_runs, 2);
  EXPECT_EQ(config.missed_runs, MissedRunPolicy::kRunAll);
  ASSERT_EQ(config.notebooks.size(), 3u);
  const NotebookSchedule& flights = config.notebooks[0];
  EXPECT_EQ(flights.notebook, "notebooks/flights.sql");
  ASSERT_TRUE(flights.cron.has_value());
  EXPECT_EQ(flights.cron->text(), "*/15 * * * *");
  EXPECT_THAT(flights.on_update, ElementsAre("flights", "airports"));
  EXPECT_EQ(flights.retries, 2);
  EXPECT_EQ(flights.retry_backoff, seconds(30));
  EXPECT_EQ(flights.line, 9);
  const NotebookSchedule& daily = config.notebooks[1];
  EXPECT_EQ(daily.notebook, "notebooks/daily.sql");
  EXPECT_EQ(daily.cron->text(), "@daily");
  EXPECT_THAT(daily.on_update, IsEmpty());
  EXPECT_EQ(daily.retries, 0);
  EXPECT_EQ(daily.retry_backoff, seconds(10));
  const NotebookSchedule& report = config.notebooks[2];
  EXPECT_FALSE(report.cron.has_value());
  EXPECT_THAT(report.on_update, ElementsAre("flights"));
}

TEST(ScheduleConfigTest, DefaultsAndEmptySections) {
  ScheduleConfig config = ParseScheduleConfig(
      "schedules:\n  notebooks:\n    - {notebook: a.sql, cron: '@hourly'}\n", "sluice.yaml");
  EXPECT_EQ(config.max_concurrent_runs, 1);
  EXPECT_EQ(config.missed_runs, MissedRunPolicy::kRunOnce);
  EXPECT_EQ(config.notebooks.size(), 1u);
  for (const char* yaml : {"", "# only a comment\n", "catalog: x.db\n", "schedules:\n",
                           "schedules:\n  notebooks:\n", "schedules:\n  missed_runs: skip\n"}) {
    EXPECT_THAT(ParseScheduleConfig(yaml, "sluice.yaml").notebooks, IsEmpty()) << yaml;
  }
  EXPECT_EQ(ParseScheduleConfig("schedules:\n  missed_runs: skip\n", "sluice.yaml").missed_runs,
            MissedRunPolicy::kSkip);
}

TEST(ScheduleConfigTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseDuration("30s"), seconds(30));
  EXPECT_EQ(ParseDuration("5m"), minutes(5));
  EXPECT_EQ(ParseDuration("1h"), hours(1));
  EXPECT_EQ(ParseDuration("0s"), milliseconds(0));
  EXPECT_EQ(ParseDuration("8760h"), hours(8760));
  for (const char* bad : {"", "10", "1.5s", "s", "10 s", "5d", "-1s", "1S", "999999999999999h"}) {
    EXPECT_THROW(ParseDuration(bad), UserError) << bad;
  }
  EXPECT_THAT(ErrorOfDuration("5d"), HasSubstr("bad duration '5d'"));
  EXPECT_THAT(ErrorOfDuration("8761h"), HasSubstr("at most a year"));
}

struct BadConfig {
  const char* yaml;
  const char* message;  // after "/ws/sluice.yaml:"
};

void PrintTo(const BadConfig& bad, std::ostream* out) { *out << bad.yaml; }

class ScheduleConfigErrorTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ScheduleConfigErrorTest, NamesFileAndLine) {
  std::string error = ErrorOf(GetParam().yaml);
  EXPECT_THAT(error, StartsWith("/ws/sluice.yaml:"));
  EXPECT_THAT(error, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Config, ScheduleConfigErrorTest,
    ::testing::Values(
        BadConfig{"catalog: x\nschedules:\n  max_runs: 2\n",
                  "sluice.yaml:3: unknown key 'max_runs' in schedules"},
        BadConfig{"schedules:\n  notebooks:\n    - notebook: a.sql\n      cron: '@daily'\n"
                  "      retry: 2\n",
                  "sluice.yaml:5: unknown key 'retry' in a notebook entry"},
        BadConfig{"schedules:\n  notebooks:\n    - notebook: a.sql\n      cron: 61 * * * *\n",
                  "sluice.yaml:4: bad cron expression '61 * * * *': minute field '61'"},
        BadConfig{"schedules:\n  notebooks:\n    - notebook: a.sql\n      cron: '@daily'\n"
                  "      retry_backoff: 10 seconds\n",
                  "sluice.yaml:5: 'retry_backoff': bad duration '10 seconds'"},
        BadConfig{"schedules:\n  notebooks:\n    - notebook: a.sql\n    - notebook: b.sql\n"
                  "      cron: '@daily'\n",
                  "sluice.yaml:3: notebook 'a.sql' has neither 'cron' nor 'on_update'"},
        BadConfig{"schedules:\n  notebooks:\n    - cron: '@daily'\n",
                  "sluice.yaml:3: a notebook entry needs 'notebook: PATH'"},
        BadConfig{"schedules:\n  notebooks:\n    - {notebook: a.sql, cron: '@daily'}\n"
                  "    - {notebook: ./a.sql, on_update: t}\n",
                  "sluice.yaml:4: notebook 'a.sql' is listed twice (first at line 3)"},
        BadConfig{"schedules:\n  missed_runs: always\n",
                  "sluice.yaml:2: 'missed_runs' must be skip, run_once or run_all, not 'always'"},
        BadConfig{"schedules:\n  max_concurrent_runs: 0\n",
                  "sluice.yaml:2: 'max_concurrent_runs' must be at least 1, not 0"},
        BadConfig{"schedules:\n  max_concurrent_runs: two\n",
                  "sluice.yaml:2: 'max_concurrent_runs' must be a whole number, not 'two'"},
        BadConfig{"schedules:\n  notebooks:\n    - {notebook: a.sql, cron: '@daily', "
                  "retries: -1}\n",
                  "sluice.yaml:3: 'retries' must be at least 0, not -1"},
        BadConfig{"schedules:\n  notebooks:\n    - {notebook: a.sql, on_update: {a: b}}\n",
                  "sluice.yaml:3: 'on_update' must be a name or a list of names"},
        BadConfig{"schedules:\n  - notebook: a.sql\n",
                  "sluice.yaml:2: 'schedules' must be a mapping"},
        BadConfig{"schedules:\n  notebooks: a.sql\n",
                  "sluice.yaml:2: 'notebooks' must be a list of notebook entries"},
        BadConfig{"schedules:\n  notebooks: [\n", "sluice.yaml:3:"},
        BadConfig{"- a\n- b\n", "sluice.yaml: expected a mapping of settings"}));

TEST(ScheduleConfigTest, ReadsTheWorkspaceFile) {
  TestFolder folder;
  EXPECT_THAT(ReadScheduleConfig(folder.path()).notebooks, IsEmpty());
  folder.Write("sluice.yaml", kExample);
  EXPECT_EQ(ReadScheduleConfig(folder.path()).notebooks.size(), 3u);
  folder.Write("sluice.yaml", "schedules:\n  nope: 1\n");
  try {
    ReadScheduleConfig(folder.path());
    ADD_FAILURE() << "no error";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), StartsWith(folder.Path("sluice.yaml") + ":2: unknown key 'nope'"));
  }
}

}  // namespace
}  // namespace sluice::notebook
