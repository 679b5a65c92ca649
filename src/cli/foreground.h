#pragma once

// What the long-running commands (`sluice serve`, `sluice up`) share: stopping on Ctrl-C and
// printing timestamped lines from several threads.

#include <atomic>
#include <mutex>
#include <string_view>

namespace sluice::cli {

/// Is set by the first SIGINT or SIGTERM while a StopSignals lives.
extern std::atomic<bool> stop_requested;

/// Handles SIGINT and SIGTERM while it lives: the first sets stop_requested and prints
/// `message` to stderr, a second exits at once (status 130).
class StopSignals {
 public:
  /// REQUIRES: `message` outlives this object (a string literal).
  explicit StopSignals(const char* message);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

/// Prints whole lines to stdout from any thread, each after the UTC time.
class Console {
 public:
  void Print(std::string_view line);

 private:
  std::mutex mutex_;
};

}  // namespace sluice::cli
