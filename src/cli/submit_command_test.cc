#include "cli/submit_command.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::cli {
namespace {

using ::testing::HasSubstr;

SbatchJob DailyJob() {
  SbatchJob job;
  job.sluice = "/opt/sluice/bin/sluice";
  job.notebook = "/data/ws/notebooks/daily.sql";
  job.workspace = "/data/ws";
  job.output = "/data/ws/.sluice/logs/20250101-120000-daily-%j.out";
  job.job_name = "daily";
  return job;
}

std::string CheckError(const SbatchJob& job) {
  try {
    CheckSbatchJob(job);
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

TEST(SbatchScriptTest, OnlyTheOptionsGivenBecomeSbatchLines) {
  EXPECT_EQ(SbatchScript(DailyJob()),
            "#!/bin/bash\n"
            "#SBATCH --job-name=daily\n"
            "#SBATCH --nodes=1\n"
            "#SBATCH --chdir=/data/ws\n"
            "#SBATCH --output=/data/ws/.sluice/logs/20250101-120000-daily-%j.out\n"
            "set -euo pipefail\n"
            "cd /data/ws\n"
            "srun --mpi=pmix /opt/sluice/bin/sluice run /data/ws/notebooks/daily.sql "
            "--workspace /data/ws --trigger slurm\n");
}

TEST(SbatchScriptTest, EveryOptionBecomesAnSbatchLineBeforeTheCommands) {
  SbatchJob job = DailyJob();
  job.nodes = 4;
  job.tasks_per_node = 2;
  job.time = "1-12:00:00";
  job.partition = "long";
  job.job_name = "nightly";
  EXPECT_EQ(SbatchScript(job),
            "#!/bin/bash\n"
            "#SBATCH --job-name=nightly\n"
            "#SBATCH --nodes=4\n"
            "#SBATCH --ntasks-per-node=2\n"
            "#SBATCH --time=1-12:00:00\n"
            "#SBATCH --partition=long\n"
            "#SBATCH --chdir=/data/ws\n"
            "#SBATCH --output=/data/ws/.sluice/logs/20250101-120000-daily-%j.out\n"
            "set -euo pipefail\n"
            "cd /data/ws\n"
            "srun --mpi=pmix /opt/sluice/bin/sluice run /data/ws/notebooks/daily.sql "
            "--workspace /data/ws --trigger slurm\n");
}

TEST(SbatchScriptTest, PathsWithSpacesAreQuotedForSbatchAndForTheShell) {
  SbatchJob job;
  job.sluice = "/opt/my tools/sluice";
  job.notebook = "/data/my ws/notebooks/it's daily.sql";
  job.workspace = "/data/my ws";
  job.output = "/data/my ws/.sluice/logs/x-%j.out";
  job.job_name = "it's #1 \"daily\"";
  EXPECT_EQ(SbatchScript(job),
            "#!/bin/bash\n"
            "#SBATCH --job-name=\"it's \\#1 \\\"daily\\\"\"\n"
            "#SBATCH --nodes=1\n"
            "#SBATCH --chdir=\"/data/my ws\"\n"
            "#SBATCH --output=\"/data/my ws/.sluice/logs/x-%j.out\"\n"
            "set -euo pipefail\n"
            "cd '/data/my ws'\n"
            "srun --mpi=pmix '/opt/my tools/sluice' run '/data/my ws/notebooks/it'\\''s daily.sql' "
            "--workspace '/data/my ws' --trigger slurm\n");
}

TEST(SbatchJobTest, ChecksNodesTasksAndTimeLimit) {
  EXPECT_EQ(CheckError(DailyJob()), "no error");
  SbatchJob job = DailyJob();
  job.nodes = 0;
  EXPECT_EQ(CheckError(job), "--nodes must be at least 1, not 0");
  job = DailyJob();
  job.tasks_per_node = -1;
  EXPECT_EQ(CheckError(job), "--ntasks-per-node must be at least 1, not -1");
  for (const char* time : {"30", "30:15", "2:00:00", "1-0", "1-2:30", "1-02:30:00", "UNLIMITED"}) {
    job = DailyJob();
    job.time = time;
    EXPECT_EQ(CheckError(job), "no error") << time;
  }
  for (const char* time : {"", "1h", "1:2:3:4", "-5", "1-"}) {
    job = DailyJob();
    job.time = time;
    EXPECT_THAT(CheckError(job), HasSubstr("is not a Slurm time limit")) << time;
  }
}

TEST(SbatchJobTest, RefusesEmptyNamesAndLineBreaks) {
  SbatchJob job = DailyJob();
  job.partition = "";
  EXPECT_EQ(CheckError(job), "--partition is empty");
  job = DailyJob();
  job.job_name = "";
  EXPECT_EQ(CheckError(job), "--job-name is empty");
  job = DailyJob();
  job.job_name = "a\n#SBATCH --exclusive";
  EXPECT_EQ(CheckError(job),
            "the --job-name holds a line break, which a batch script cannot carry");
  job = DailyJob();
  job.workspace = "/data/a\nb";
  EXPECT_THAT(CheckError(job), HasSubstr("workspace path holds a line break"));
}

TEST(SbatchJobIdTest, ReadsTheIdOfSbatchParsable) {
  EXPECT_EQ(SbatchJobId("42\n"), "42");
  EXPECT_EQ(SbatchJobId("1234;cluster\n"), "1234");
  EXPECT_THROW(SbatchJobId(""), UserError);
  EXPECT_THROW(SbatchJobId("sbatch: error: nothing\n"), UserError);
}

}  // namespace
}  // namespace sluice::cli
