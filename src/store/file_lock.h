#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::store {

/// Is an exclusive advisory lock (flock) on a lock file, held until the object is destroyed.
/// Each lock opens its own descriptor, so it serializes threads of one process as well as
/// processes. The lock ends with the process, so a killed writer never leaves it held.
class FileLock {
 public:
  /// Waits up to `timeout` for the lock on `path` (created when missing). Throws UserError
  /// naming `what` when the wait times out and IoError when the file cannot be opened.
  static std::unique_ptr<FileLock> Acquire(const std::string& path,
                                           std::chrono::milliseconds timeout,
                                           std::string_view what);
  /// Returns the lock on `path` when it is free now, else nullptr.
  static std::unique_ptr<FileLock> TryAcquire(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

/// Flushes the file or directory at `path` to disk (fsync). Throws IoError naming it.
void SyncPath(const std::string& path);

/// Renames directory `from` to `to` and flushes the parent of `to`. Throws IoError naming both.
void RenameDurably(const std::string& from, const std::string& to);

}  // namespace sluice::store
