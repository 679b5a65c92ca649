#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "catalog/column_profile.h"

namespace sluice::catalog {

/// Keeps the k smallest distinct 64-bit hashes seen: a bottom-k MinHash signature, from which
/// the Jaccard similarity and containment of two sets are estimated (EstimateContainment in
/// column_profile.h). Signatures of the same k merge into the signature of the union.
/// Not thread-safe.
class MinHash {
 public:
  /// Makes an empty signature keeping at most `k` hashes. REQUIRES: k > 0.
  explicit MinHash(size_t k = 256);

  /// Adds one hash; a hash seen before or larger than the k smallest changes nothing.
  void AddHash(uint64_t hash) {
    if (hashes_.size() == k_ && hash >= hashes_.back()) return;
    Insert(hash);
  }
  /// Adds many hashes.
  void AddHashes(std::span<const uint64_t> hashes);
  /// Adds the hashes `other` keeps. REQUIRES: the same k.
  void Merge(const MinHash& other);
  /// Returns the kept hashes, ascending.
  MinHashSignature Signature() const { return {hashes_}; }
  size_t k() const { return k_; }

 private:
  void Insert(uint64_t hash);

  size_t k_;
  std::vector<uint64_t> hashes_;  // ascending, distinct, at most k_
};

}  // namespace sluice::catalog
