#include "store/file_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"

namespace sluice::store {
namespace {

using std::chrono::milliseconds;

TEST(FileLockTest, SerializesThreadsOfOneProcess) {
  TestFolder folder;
  std::string path = folder.path() + "/t.lock";
  auto held = FileLock::Acquire(path, milliseconds(1000), "result \"t\"");
  EXPECT_EQ(FileLock::TryAcquire(path), nullptr);
  std::atomic<bool> acquired = false;
  std::thread waiter([&] {
    auto lock = FileLock::Acquire(path, milliseconds(60000), "result \"t\"");
    acquired = true;
  });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(acquired);
  held.reset();
  waiter.join();
  EXPECT_TRUE(acquired);
  EXPECT_NE(FileLock::TryAcquire(path), nullptr);
}

TEST(FileLockTest, GivesUpAfterTheTimeoutNamingWhatIsBusy) {
  TestFolder folder;
  std::string path = folder.path() + "/t.lock";
  auto held = FileLock::Acquire(path, milliseconds(1000), "result \"t\"");
  try {
    FileLock::Acquire(path, milliseconds(20), "result \"t\"");
    FAIL() << "expected a timeout";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("result \"t\" is busy"), std::string::npos)
        << error.what();
  }
}

TEST(FileLockTest, SerializesProcessesAndEndsWithAKilledHolder) {
  TestFolder folder;
  std::string path = folder.path() + "/t.lock";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only async-signal-safe calls after fork.
    int fd = open(path.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) _exit(2);
    char byte = 1;
    if (write(ready[1], &byte, 1) != 1) _exit(3);
    pause();
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  EXPECT_EQ(FileLock::TryAcquire(path), nullptr);
  EXPECT_THROW(FileLock::Acquire(path, milliseconds(20), "parent"), UserError);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_NE(FileLock::Acquire(path, milliseconds(1000), "parent"), nullptr);
  close(ready[0]);
  close(ready[1]);
}

TEST(FileLockTest, ReportsALockFileThatCannotBeCreated) {
  EXPECT_THROW(FileLock::TryAcquire("/nonexistent-folder/x.lock"), IoError);
}

}  // namespace
}  // namespace sluice::store
