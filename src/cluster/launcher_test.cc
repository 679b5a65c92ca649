#include "cluster/launcher.h"

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "cluster/mpi_communicator.h"

namespace sluice::cluster {
namespace {

using ::testing::HasSubstr;
using Env = std::map<std::string, std::string>;

LaunchInfo Detect(const Env& env) {
  return DetectLauncher([&](const char* name) -> const char* {
    auto found = env.find(name);
    return found == env.end() ? nullptr : found->second.c_str();
  });
}

void ExpectLaunch(const LaunchInfo& launch, Launcher launcher, int rank, int size) {
  EXPECT_EQ(launch.launcher, launcher) << LauncherName(launch.launcher);
  EXPECT_EQ(launch.rank, rank);
  EXPECT_EQ(launch.size, size);
}

TEST(DetectLauncherTest, NoVariablesMeanOneRank) {
  ExpectLaunch(Detect({}), Launcher::kNone, 0, 1);
  ExpectLaunch(Detect({{"SLURM_JOB_ID", "12"}, {"OMPI_COMM_WORLD_SIZE", "4"}}), Launcher::kNone, 0,
               1);
}

TEST(DetectLauncherTest, ReadsOpenMpi) {
  ExpectLaunch(Detect({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "3"}}),
               Launcher::kMpirun, 2, 3);
}

TEST(DetectLauncherTest, PrefersOpenMpiOverPmixAndSlurm) {
  // mpirun sets PMIx's variables too, and may run inside a Slurm allocation.
  Env env{{"OMPI_COMM_WORLD_RANK", "1"},
          {"OMPI_COMM_WORLD_SIZE", "2"},
          {"PMIX_RANK", "1"},
          {"SLURM_PROCID", "0"},
          {"SLURM_NTASKS", "8"}};
  ExpectLaunch(Detect(env), Launcher::kMpirun, 1, 2);
}

TEST(DetectLauncherTest, ReadsPmixWithSlurmsTaskCount) {
  ExpectLaunch(Detect({{"PMIX_RANK", "3"}, {"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "4"}}),
               Launcher::kPmix, 3, 4);
  ExpectLaunch(Detect({{"PMIX_RANK", "1"}}), Launcher::kPmix, 1, 0);
}

TEST(DetectLauncherTest, ReadsSlurm) {
  ExpectLaunch(Detect({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}}), Launcher::kSlurm, 1, 2);
  // A step's own task count wins over the job's.
  ExpectLaunch(
      Detect({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"}, {"SLURM_STEP_NUM_TASKS", "2"}}),
      Launcher::kSlurm, 0, 2);
  ExpectLaunch(Detect({{"SLURM_PROCID", "0"}}), Launcher::kSlurm, 0, 1);
}

TEST(DetectLauncherTest, RejectsBadValues) {
  auto message = [](const Env& env) {
    try {
      Detect(env);
    } catch (const UserError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(message({{"OMPI_COMM_WORLD_RANK", "x"}, {"OMPI_COMM_WORLD_SIZE", "2"}}),
              HasSubstr("OMPI_COMM_WORLD_RANK='x' is not a number"));
  EXPECT_THAT(message({{"OMPI_COMM_WORLD_RANK", "1"}}), HasSubstr("without OMPI_COMM_WORLD_SIZE"));
  EXPECT_THAT(message({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "2"}}),
              HasSubstr("has only 2 ranks"));
  EXPECT_THAT(message({{"SLURM_PROCID", "-1"}}), HasSubstr("SLURM_PROCID='-1'"));
  EXPECT_THAT(message({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "0"}}), HasSubstr("SLURM_NTASKS"));
  EXPECT_THAT(message({{"PMIX_RANK", "1 "}}), HasSubstr("PMIX_RANK"));
}

// Sets (or unsets, for nullopt) an environment variable for one test, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DetectLauncherTest, ReadsTheProcessEnvironment) {
  ScopedEnv pmix("PMIX_RANK", std::nullopt);
  ScopedEnv slurm_rank("SLURM_PROCID", std::nullopt);
  ScopedEnv slurm_tasks("SLURM_NTASKS", std::nullopt);
  ScopedEnv slurm_step("SLURM_STEP_NUM_TASKS", std::nullopt);
  {
    ScopedEnv rank("OMPI_COMM_WORLD_RANK", "1");
    ScopedEnv size("OMPI_COMM_WORLD_SIZE", "4");
    ExpectLaunch(DetectLauncher(), Launcher::kMpirun, 1, 4);
  }
  ScopedEnv rank("OMPI_COMM_WORLD_RANK", std::nullopt);
  ScopedEnv size("OMPI_COMM_WORLD_SIZE", std::nullopt);
  ExpectLaunch(DetectLauncher(), Launcher::kNone, 0, 1);
  EXPECT_EQ(MakeCommunicator()->size(), 1);
}

TEST(MakeCommunicatorTest, GivesOneRankWithoutALauncher) {
  std::unique_ptr<Communicator> comm = MakeCommunicator(LaunchInfo{});
  EXPECT_EQ(comm->rank(), 0);
  EXPECT_EQ(comm->size(), 1);
  EXPECT_EQ(comm->AllGather("x"), std::vector<std::string>{"x"});
}

TEST(MakeCommunicatorTest, GivesOneRankForALaunchOfOne) {
  EXPECT_EQ(MakeCommunicator({Launcher::kSlurm, 0, 1})->size(), 1);
  EXPECT_EQ(MakeCommunicator({Launcher::kMpirun, 0, 1})->size(), 1);
}

#ifndef SLUICE_MPI_BUILT
TEST(MakeCommunicatorTest, FailsClearlyForSeveralRanksWithoutMpi) {
  EXPECT_THAT(
      [] {
        MakeCommunicator({Launcher::kSlurm, 1, 4});
      },
      ::testing::ThrowsMessage<UserError>(
          HasSubstr("launched as rank 1 of 4 by slurm, but this build of Sluice has no "
                    "MPI support")));
}
#endif

}  // namespace
}  // namespace sluice::cluster
