#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::core {

/// Is a vector's validity bitmap: bit i set means value i is not NULL. An empty mask means
/// every value is valid, so all-valid vectors carry no bitmap at all.
class ValidityMask {
 public:
  bool all_valid() const { return words_.empty(); }
  bool IsValid(size_t i) const { return all_valid() || ((words_[i / 64] >> (i % 64)) & 1); }

  /// Marks value i NULL; `capacity` is the vector's capacity, used when the bitmap is created.
  void SetInvalid(size_t i, size_t capacity) {
    if (all_valid()) words_.assign((capacity + 63) / 64, ~uint64_t{0});
    words_[i / 64] &= ~(uint64_t{1} << (i % 64));
  }
  void SetValid(size_t i) {
    if (!all_valid()) words_[i / 64] |= uint64_t{1} << (i % 64);
  }
  /// Makes every value valid again.
  void Reset() { words_.clear(); }

  /// Returns how many of the first `count` values are valid.
  size_t CountValid(size_t count) const {
    if (all_valid()) return count;
    size_t valid = 0;
    size_t full = count / 64;
    for (size_t w = 0; w < full; ++w) valid += std::popcount(words_[w]);
    if (count % 64) valid += std::popcount(words_[full] & ((uint64_t{1} << (count % 64)) - 1));
    return valid;
  }

  /// Returns the words of the bitmap, 64 values each; empty when all are valid.
  const std::vector<uint64_t>& words() const { return words_; }

 private:
  std::vector<uint64_t> words_;
};

}  // namespace sluice::core
