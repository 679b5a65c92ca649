#include "catalog/minhash.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "base/error.h"

namespace sluice::catalog {

MinHash::MinHash(size_t k) : k_(k) {
  SLUICE_CHECK(k > 0);
  hashes_.reserve(k);
}

void MinHash::AddHashes(std::span<const uint64_t> hashes) {
  // The bar a hash must pass, kept in a register: most hashes of a large column fail it.
  bool full = hashes_.size() == k_;
  uint64_t limit = full ? hashes_.back() : 0;
  for (uint64_t hash : hashes) {
    if (full && hash >= limit) continue;
    Insert(hash);
    full = hashes_.size() == k_;
    limit = full ? hashes_.back() : 0;
  }
}

void MinHash::Insert(uint64_t hash) {
  auto place = std::lower_bound(hashes_.begin(), hashes_.end(), hash);
  if (place != hashes_.end() && *place == hash) return;
  if (hashes_.size() == k_) hashes_.pop_back();
  hashes_.insert(place, hash);
}

void MinHash::Merge(const MinHash& other) {
  SLUICE_CHECK(other.k_ == k_);
  std::vector<uint64_t> merged;
  merged.reserve(hashes_.size() + other.hashes_.size());
  std::set_union(hashes_.begin(), hashes_.end(), other.hashes_.begin(), other.hashes_.end(),
                 std::back_inserter(merged));
  if (merged.size() > k_) merged.resize(k_);
  hashes_ = std::move(merged);
}

double EstimateContainment(const MinHashSignature& a, double a_distinct, const MinHashSignature& b,
                           double b_distinct) {
  const std::vector<uint64_t>& x = a.hashes;
  const std::vector<uint64_t>& y = b.hashes;
  if (x.empty() || y.empty()) return 0;
  // A signature holding as many hashes as its column has distinct values (counted exactly up
  // to the profiler's exact table, far beyond k) holds all of them; otherwise it holds exactly
  // the column's hashes up to its largest one. Below the smaller of the two limits both sets
  // are known completely, so the share of a's hashes there that b also has is a uniform
  // sample of the containment (many samples when a is small and b large, where Jaccard-based
  // estimates are poor).
  constexpr uint64_t kAll = std::numeric_limits<uint64_t>::max();
  uint64_t x_limit = static_cast<double>(x.size()) + 0.5 >= a_distinct ? kAll : x.back();
  uint64_t y_limit = static_cast<double>(y.size()) + 0.5 >= b_distinct ? kAll : y.back();
  uint64_t limit = std::min(x_limit, y_limit);
  size_t sampled = 0;
  size_t found = 0;
  auto other = y.begin();
  for (uint64_t hash : x) {
    if (hash > limit) break;
    ++sampled;
    other = std::lower_bound(other, y.end(), hash);
    found += other != y.end() && *other == hash;
  }
  return sampled == 0 ? 0 : static_cast<double>(found) / static_cast<double>(sampled);
}

}  // namespace sluice::catalog
