#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "core/string_ref.h"

namespace sluice::core {

/// Owns the bytes of long strings for one or more vectors: an arena of chunks that only grows.
/// Strings of 12 bytes or less never reach it. Not thread-safe.
class StringHeap {
 public:
  StringHeap() = default;
  StringHeap(const StringHeap&) = delete;
  StringHeap& operator=(const StringHeap&) = delete;

  /// Returns a view of `text`, copying its bytes into the heap when it is not inlined.
  StringRef Add(std::string_view text);
  /// Returns `size` fresh bytes that live as long as the heap.
  char* Allocate(size_t size);
  /// Keeps `other` alive as long as this heap: for views that point into it.
  void KeepAlive(std::shared_ptr<const StringHeap> other);
  /// Returns the bytes allocated so far.
  size_t allocated_bytes() const { return allocated_bytes_; }

 private:
  static constexpr size_t kChunkSize = 64 * 1024;

  std::vector<std::unique_ptr<char[]>> chunks_;
  char* cursor_ = nullptr;
  size_t remaining_ = 0;
  size_t allocated_bytes_ = 0;
  std::vector<std::shared_ptr<const StringHeap>> kept_alive_;
};

}  // namespace sluice::core
