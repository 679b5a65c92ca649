#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::catalog {

/// Is a value kept by HeavyHitters with its count, which undercounts by at most error_bound().
struct HeavyHitter {
  uint64_t hash = 0;
  std::string value;
  int64_t count = 0;
};

/// Finds the most frequent values of a stream in bounded memory (Misra-Gries). Values are keyed
/// by their 64-bit hash; the value's bytes are kept for the counters alive, as given (text, or
/// bytes the caller decodes later). While at most `capacity` distinct values have been added
/// the counts are exact. Otherwise every count undercounts by at most error_bound(), which
/// stays below 2 n / (capacity + 2) for a total count n, so that any value more frequent than
/// that is kept. Summaries merge, their bounds adding up. When full, a new value makes every
/// counter drop by the count that frees half of them, so the work per value is constant
/// (amortized). Not thread-safe.
class HeavyHitters {
 public:
  /// Makes an empty summary of at most `capacity` counters. REQUIRES: capacity >= 1.
  explicit HeavyHitters(size_t capacity = 128);

  /// Adds `count` occurrences of the value with `hash` and bytes `value`.
  void Add(uint64_t hash, std::string_view value, int64_t count = 1) {
    total_ += count;
    size_t mask = index_.size() - 1;
    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      uint32_t at = index_[slot];
      if (at == 0) break;
      if (hashes_[at - 1] == hash) {
        counts_[at - 1] += count;
        return;
      }
    }
    AddNew(hash, value, count);
  }
  /// Adds the counters of `other` (of any capacity).
  void Merge(const HeavyHitters& other);
  /// Returns at most `k` kept values, most frequent first (ties by value bytes).
  std::vector<HeavyHitter> Top(size_t k) const;
  /// Returns how much any kept count may undercount, and how frequent a value may be and
  /// still be missing.
  int64_t error_bound() const { return error_bound_; }
  /// Returns the total count added.
  int64_t total() const { return total_; }
  size_t capacity() const { return capacity_; }

 private:
  void AddNew(uint64_t hash, std::string_view value, int64_t count);
  // Subtracts from every counter and from `*count` the count that leaves at most half of
  // them positive, freeing the others.
  void Decrement(int64_t* count);
  void RebuildIndex();

  size_t capacity_;
  // Counters stay where they are, so that their strings are never moved: a free counter has
  // count 0, is listed in free_, and keeps its string's buffer for the next value.
  std::vector<uint64_t> hashes_;
  std::vector<int64_t> counts_;
  std::vector<std::string> values_;
  std::vector<uint32_t> free_;
  std::vector<uint32_t> index_;  // open addressing: counter + 1, 0 when empty
  std::vector<int64_t> scratch_;
  int64_t error_bound_ = 0;
  int64_t total_ = 0;
};

}  // namespace sluice::catalog
