// Runs store_test_writer processes: killed with SIGKILL at random moments (the previous version
// must stay intact and open must leave no leftovers), and several at once (commits serialize).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "base/test_folder.h"
#include "store/result_store.h"
#include "store/test_rows.h"
#include "store/version_scan.h"

extern char** environ;

namespace sluice::store {
namespace {

namespace fs = std::filesystem;

// Starts the writer with `args`, its output discarded; returns its pid.
pid_t StartWriter(const std::vector<std::string>& args) {
  std::vector<std::string> all = {STORE_TEST_WRITER};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : all) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(error, 0) << "cannot start " << argv[0];
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Checks that every file under data/ belongs to a recorded part and tmp/ is empty.
void ExpectNoLeftovers(ResultStore& store) {
  std::string state = store.state_dir();
  EXPECT_TRUE(fs::is_empty(state + "/tmp")) << "temporary folders left";
  std::set<std::string> parts;
  for (const auto& name : store.ResultNames()) {
    for (const auto& path : store.catalog().PartPaths(name)) parts.insert(path);
  }
  for (const auto& entry : fs::recursive_directory_iterator(state + "/data")) {
    std::string relative = fs::relative(entry.path(), state + "/data").string();
    if (entry.is_regular_file()) {
      EXPECT_TRUE(parts.contains(relative)) << "leftover file " << relative;
    } else if (entry.is_directory()) {
      EXPECT_FALSE(fs::is_empty(entry.path())) << "leftover empty folder " << relative;
    }
  }
}

// Returns the digest a committed version must have: ids 0 .. num_rows - 1.
RowsDigest CheckLatest(ResultStore& store) {
  auto pin = store.Pin("t");
  EXPECT_NE(pin, nullptr);
  if (pin == nullptr) return {};
  RowsDigest digest = Digest(ReadVersion(*pin));
  EXPECT_EQ(digest, Digest(TestRows(0, pin->info().num_rows)))
      << "version " << pin->info().version << " is damaged";
  return digest;
}

TEST(StoreCrashTest, AKilledWriterLeavesThePreviousVersionIntact) {
  TestFolder folder;
  constexpr int64_t kRows = 300000;
  const std::string part_rows = "80000";
  ASSERT_EQ(Wait(StartWriter({folder.path(), "replace", std::to_string(kRows), "1", part_rows})),
            0);
  unsigned seed = static_cast<unsigned>(std::random_device()());
  std::cout << "seed " << seed << '\n';
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(0, 1500);
  int64_t last_version = 1;
  RowsDigest last_digest = Digest(TestRows(0, kRows));
  int new_versions = 0;
  int interrupted_writes = 0;
  for (int round = 0; round < 20; ++round) {
    // Odd rounds append (new parts beside reused ones), even rounds replace every part.
    bool append = round % 2 == 1;
    pid_t pid = StartWriter({folder.path(), append ? "append" : "replace",
                             std::to_string(append ? 50000 : kRows), "100", part_rows,
                             std::to_string(append ? last_digest.rows : 0)});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    kill(pid, SIGKILL);
    Wait(pid);
    if (!fs::is_empty(folder.path() + "/.sluice/tmp")) ++interrupted_writes;
    auto store = ResultStore::Open(folder.path());
    ExpectNoLeftovers(*store);
    std::vector<int64_t> versions = store->catalog().Versions("t");
    ASSERT_FALSE(versions.empty());
    ASSERT_GE(versions.back(), last_version) << "round " << round;
    // The previous latest version reads back exactly, unless enough commits retired it.
    if (std::find(versions.begin(), versions.end(), last_version) != versions.end()) {
      EXPECT_EQ(Digest(ReadVersion(*store->Pin("t", last_version))), last_digest)
          << "round " << round << ": version " << last_version << " changed";
    }
    last_digest = CheckLatest(*store);
    new_versions += static_cast<int>(versions.back() - last_version);
    last_version = versions.back();
  }
  std::cout << "versions committed by killed writers: " << new_versions
            << ", kills during a part write: " << interrupted_writes << " of 20\n";
}

TEST(StoreCrashTest, WritersInSeveralProcessesAreSerialized) {
  TestFolder folder;
  {
    auto store = ResultStore::Open(folder.path());
    store->SetRetentionVersions(100);
    CommitRequest request;
    request.name = "t";
    request.schema = TestSchema();
    store->Commit(std::move(request));
  }
  std::vector<pid_t> writers;
  for (int w = 0; w < 3; ++w) {
    writers.push_back(
        StartWriter({folder.path(), "append", "50", "10", "1000", std::to_string(w * 10000)}));
  }
  for (pid_t pid : writers) EXPECT_EQ(Wait(pid), 0);
  auto store = ResultStore::Open(folder.path());
  std::vector<int64_t> versions = store->catalog().Versions("t");
  ASSERT_EQ(versions.size(), 31u);
  EXPECT_EQ(versions.back(), 31);
  RowsDigest expected;
  for (int w = 0; w < 3; ++w) {
    RowsDigest part = Digest(TestRows(w * 10000, 500));
    expected.rows += part.rows;
    expected.checksum += part.checksum;
  }
  EXPECT_EQ(Digest(ReadVersion(*store->Pin("t"))), expected);
  ExpectNoLeftovers(*store);
}

}  // namespace
}  // namespace sluice::store
