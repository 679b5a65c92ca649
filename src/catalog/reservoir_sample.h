#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace sluice::catalog {

/// Is a splitmix64 generator: small, fast, good enough for sampling and coin flips.
class SplitMix {
 public:
  explicit SplitMix(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Returns a double in (0, 1].
  double Unit() { return static_cast<double>((Next() >> 11) + 1) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

/// Keeps a uniform sample of at most `capacity` values of a stream: each value gets a random
/// key and the smallest keys are kept, so that two samples merge into a uniform sample of both
/// streams. Values that cannot enter are skipped in one step (Li's algorithm L), so the work is
/// per sampled value, not per value. Internal to the column profiler. Not thread-safe.
template <typename T>
class ReservoirSample {
 public:
  explicit ReservoirSample(size_t capacity) : capacity_(capacity) {}

  /// Offers `count` values; `value(i)` returns the i-th, called only for those sampled.
  template <typename Get>
  void Offer(size_t count, Get&& value, SplitMix& random) {
    size_t i = 0;
    while (i < count && items_.size() < capacity_) {
      items_.emplace_back(random.Unit(), value(i++));
      if (items_.size() == capacity_) Reset(random);
    }
    while (i < count) {
      if (skip_ >= count - i) {
        skip_ -= count - i;
        return;
      }
      i += skip_;
      // The largest key leaves; the newcomer's key is uniform below it.
      auto largest = std::max_element(items_.begin(), items_.end(), ByKey);
      *largest = {random.Unit() * threshold_, value(i++)};
      Reset(random);
    }
  }

  /// Keeps a uniform sample of both streams.
  void Merge(ReservoirSample&& other, SplitMix& random) {
    for (auto& item : other.items_) items_.push_back(std::move(item));
    std::sort(items_.begin(), items_.end(), ByKey);
    if (items_.size() > capacity_) items_.resize(capacity_);
    if (items_.size() == capacity_ && capacity_ > 0) Reset(random);
  }

  /// Returns the sampled values, in random order.
  const std::vector<std::pair<double, T>>& items() const { return items_; }

 private:
  static bool ByKey(const std::pair<double, T>& a, const std::pair<double, T>& b) {
    return a.first < b.first;
  }
  // Sets the entry threshold to the largest kept key and draws how many values to skip: each
  // enters with probability threshold_.
  void Reset(SplitMix& random) {
    threshold_ = std::max_element(items_.begin(), items_.end(), ByKey)->first;
    double skip = std::floor(std::log(random.Unit()) / std::log1p(-threshold_));
    skip_ = skip < 1e18 ? static_cast<uint64_t>(skip) : uint64_t{1} << 62;
  }

  size_t capacity_;
  std::vector<std::pair<double, T>> items_;
  double threshold_ = 1;
  uint64_t skip_ = 0;
};

}  // namespace sluice::catalog
