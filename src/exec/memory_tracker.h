#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::exec {

/// Counts the memory one query's operators hold and enforces its limit. Thread-safe.
class MemoryTracker {
 public:
  explicit MemoryTracker(uint64_t limit) : limit_(limit) {}

  /// Adds `bytes` (negative to release) held by operator `holder`. Throws UserError naming the
  /// operator and the limit when the query would hold more than the limit.
  void Add(int64_t bytes, std::string_view holder);
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_; }

 private:
  uint64_t limit_;
  std::atomic<uint64_t> used_ = 0;
};

/// Parses a size such as "4GB", "512 MiB", "1e9" or "80%" (of physical memory) into bytes.
/// Throws UserError for anything else.
uint64_t ParseMemorySize(std::string_view text);

/// Formats bytes for people: "512.0 MiB", "4.0 GiB".
std::string FormatBytes(uint64_t bytes);

/// Returns the physical memory of this machine in bytes.
uint64_t PhysicalMemory();

}  // namespace sluice::exec
