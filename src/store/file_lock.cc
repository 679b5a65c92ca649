#include "store/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/error.h"

namespace sluice::store {
namespace {

int OpenLockFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) Throw<IoError>("cannot open the lock file '{}': {}", path, std::strerror(errno));
  return fd;
}

bool TryLock(int fd, const std::string& path) {
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return false;
    int error = errno;
    close(fd);
    Throw<IoError>("cannot lock '{}': {}", path, std::strerror(error));
  }
  return true;
}

}  // namespace

std::unique_ptr<FileLock> FileLock::Acquire(const std::string& path,
                                            std::chrono::milliseconds timeout,
                                            std::string_view what) {
  int fd = OpenLockFile(path);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (!TryLock(fd, path)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      close(fd);
      Throw<UserError>("{} is busy: another writer holds '{}'; gave up after {} ms", what, path,
                       timeout.count());
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

std::unique_ptr<FileLock> FileLock::TryAcquire(const std::string& path) {
  int fd = OpenLockFile(path);
  if (TryLock(fd, path)) return std::unique_ptr<FileLock>(new FileLock(fd));
  close(fd);
  return nullptr;
}

FileLock::~FileLock() { close(fd_); }

void SyncPath(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Throw<IoError>("cannot open '{}' to flush it: {}", path, std::strerror(errno));
  int result = fsync(fd);
  int error = errno;
  close(fd);
  if (result != 0) Throw<IoError>("cannot flush '{}' to disk: {}", path, std::strerror(error));
}

void RenameDurably(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    Throw<IoError>("cannot rename '{}' to '{}': {}", from, to, std::strerror(errno));
  }
  SyncPath(std::filesystem::path(to).parent_path().string());
}

}  // namespace sluice::store
