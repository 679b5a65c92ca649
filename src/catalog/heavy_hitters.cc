#include "catalog/heavy_hitters.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>

#include "base/error.h"

namespace sluice::catalog {

HeavyHitters::HeavyHitters(size_t capacity) : capacity_(capacity) {
  SLUICE_CHECK(capacity >= 1);
  hashes_.resize(capacity);
  counts_.resize(capacity);
  values_.resize(capacity);
  for (size_t i = capacity; i > 0; --i) free_.push_back(static_cast<uint32_t>(i - 1));
  // A quarter full at most: a value not kept, most of those added to a summary of a column of
  // many distinct values, is found missing in one or two probes.
  index_.assign(std::bit_ceil(4 * capacity), 0);
}

void HeavyHitters::AddNew(uint64_t hash, std::string_view value, int64_t count) {
  while (free_.empty() && count > 0) Decrement(&count);
  if (count <= 0) return;
  uint32_t at = free_.back();
  free_.pop_back();
  hashes_[at] = hash;
  counts_[at] = count;
  // The counter's string keeps its buffer; a number's 8 bytes replace the 8 bytes there
  // without a call to std::string's general assignment or to memcpy.
  std::string& kept = values_[at];
  if (kept.size() == sizeof(uint64_t) && value.size() == sizeof(uint64_t)) {
    std::memcpy(kept.data(), value.data(), sizeof(uint64_t));
  } else {
    kept.assign(value);
  }
  size_t mask = index_.size() - 1;
  size_t slot = hash & mask;
  while (index_[slot] != 0) slot = (slot + 1) & mask;
  index_[slot] = at + 1;
}

void HeavyHitters::Decrement(int64_t* count) {
  // Over the capacity + 1 counters (the newcomer's too), subtracting the (capacity/2 + 1)-th
  // largest count removes at least that much from capacity/2 + 1 of them, and frees at least
  // half of them: the cuts add up to less than 2 n / (capacity + 2), and a decrement comes at
  // most once per capacity/2 new values.
  scratch_.assign(counts_.begin(), counts_.end());
  scratch_.push_back(*count);
  size_t keep = capacity_ / 2;
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<ptrdiff_t>(keep),
                   scratch_.end(), std::greater<>());
  int64_t cut = scratch_[keep];
  error_bound_ += cut;
  *count = std::max<int64_t>(*count - cut, 0);
  for (size_t i = 0; i < capacity_; ++i) {
    counts_[i] = std::max<int64_t>(counts_[i] - cut, 0);
    if (counts_[i] == 0) free_.push_back(static_cast<uint32_t>(i));
  }
  RebuildIndex();
}

void HeavyHitters::RebuildIndex() {
  std::fill(index_.begin(), index_.end(), 0);
  if (free_.size() == capacity_) return;
  size_t mask = index_.size() - 1;
  for (size_t i = 0; i < capacity_; ++i) {
    if (counts_[i] == 0) continue;
    size_t slot = hashes_[i] & mask;
    while (index_[slot] != 0) slot = (slot + 1) & mask;
    index_[slot] = static_cast<uint32_t>(i + 1);
  }
}

void HeavyHitters::Merge(const HeavyHitters& other) {
  int64_t kept = 0;
  for (size_t i = 0; i < other.capacity_; ++i) {
    if (other.counts_[i] == 0) continue;
    Add(other.hashes_[i], other.values_[i], other.counts_[i]);
    kept += other.counts_[i];
  }
  // What the other summary counted but no longer holds is in its total only.
  total_ += other.total_ - kept;
  error_bound_ += other.error_bound_;
}

std::vector<HeavyHitter> HeavyHitters::Top(size_t k) const {
  std::vector<size_t> order;
  for (size_t i = 0; i < capacity_; ++i) {
    if (counts_[i] > 0) order.push_back(i);
  }
  auto before = [&](size_t left, size_t right) {
    if (counts_[left] != counts_[right]) return counts_[left] > counts_[right];
    return values_[left] < values_[right];
  };
  size_t n = std::min(k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(n), order.end(), before);
  std::vector<HeavyHitter> top;
  for (size_t i = 0; i < n; ++i) {
    top.push_back({hashes_[order[i]], values_[order[i]], counts_[order[i]]});
  }
  return top;
}

}  // namespace sluice::catalog
