#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sluice::catalog {

/// Counts distinct values approximately from their 64-bit hashes. Up to kExactLimit distinct
/// hashes are kept as a set, so small counts are exact; beyond that, 2^precision one-byte
/// registers give a standard error of about 1.04 / sqrt(2^precision) (0.81% at precision 14),
/// estimated with Ertl's improved estimator, which needs no bias tables. Sketches of the same
/// precision merge into the sketch of the union. Not thread-safe.
class HyperLogLog {
 public:
  static constexpr size_t kExactLimit = 256;

  /// Makes an empty sketch. REQUIRES: 4 <= precision <= 18.
  explicit HyperLogLog(int precision = 14);

  /// Adds one hash; adding the same hash again changes nothing.
  void AddHash(uint64_t hash) {
    if (registers_.empty()) {
      AddExact(hash);
    } else {
      AddToRegisters(hash);
    }
  }
  /// Adds many hashes.
  void AddHashes(std::span<const uint64_t> hashes);
  /// Adds the hashes `other` saw. REQUIRES: the same precision.
  void Merge(const HyperLogLog& other);
  /// Returns the estimated number of distinct hashes added (exact while at most kExactLimit).
  double Estimate() const;
  /// Returns true while the estimate is exact.
  bool exact() const { return registers_.empty(); }
  int precision() const { return precision_; }

 private:
  void AddExact(uint64_t hash);
  void AddToRegisters(uint64_t hash) {
    size_t index = hash >> (64 - precision_);
    // The remaining bits with a stop bit, so that the count of leading zeros is bounded.
    uint64_t rest = (hash << precision_) | (uint64_t{1} << (precision_ - 1));
    auto rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    if (rank > registers_[index]) registers_[index] = rank;
  }
  void ToRegisters();

  int precision_;
  // Exact mode: an open-addressing set of hashes (0 marks an empty slot; hash 0 is counted
  // by has_zero_).
  std::vector<uint64_t> exact_;
  size_t exact_size_ = 0;
  bool has_zero_ = false;
  std::vector<uint8_t> registers_;  // empty while exact
};

}  // namespace sluice::catalog
