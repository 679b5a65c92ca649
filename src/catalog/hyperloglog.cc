#include "catalog/hyperloglog.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "base/error.h"

namespace sluice::catalog {
namespace {

// sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), from Ertl, "New cardinality estimation algorithms
// for HyperLogLog sketches" (2017), section 4.
double Sigma(double x) {
  if (x == 1) return std::numeric_limits<double>::infinity();
  double y = 1;
  double z = x;
  while (true) {
    x *= x;
    double previous = z;
    z += x * y;
    y += y;
    if (z == previous) return z;
  }
}

// tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3, from the same paper.
double Tau(double x) {
  if (x == 0 || x == 1) return 0;
  double y = 1;
  double z = 1 - x;
  while (true) {
    x = std::sqrt(x);
    double previous = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z == previous) return z / 3;
  }
}

}  // namespace

HyperLogLog::HyperLogLog(int precision) : precision_(precision) {
  SLUICE_CHECK(precision >= 4 && precision <= 18);
}

void HyperLogLog::AddHashes(std::span<const uint64_t> hashes) {
  size_t i = 0;
  for (; i < hashes.size() && registers_.empty(); ++i) AddExact(hashes[i]);
  // Locals, as the byte stores could alias the members; the register a few hashes ahead is
  // fetched early, as the registers are often out of the L1 cache; and the larger rank is
  // stored without a branch, which would mispredict while the registers fill.
  uint8_t* registers = registers_.data();
  int shift = 64 - precision_;
  uint64_t stop = uint64_t{1} << (precision_ - 1);
  constexpr size_t kAhead = 8;
  for (; i < hashes.size(); ++i) {
    if (i + kAhead < hashes.size()) __builtin_prefetch(registers + (hashes[i + kAhead] >> shift));
    uint64_t hash = hashes[i];
    auto rank = static_cast<uint8_t>(__builtin_clzll((hash << precision_) | stop) + 1);
    uint8_t& slot = registers[hash >> shift];
    slot = std::max(slot, rank);
  }
}

void HyperLogLog::AddExact(uint64_t hash) {
  if (hash == 0) {
    has_zero_ = true;
    return;
  }
  if (exact_.empty()) exact_.assign(2 * kExactLimit, 0);
  size_t mask = exact_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    if (exact_[slot] == hash) return;
    if (exact_[slot] == 0) {
      exact_[slot] = hash;
      break;
    }
  }
  if (++exact_size_ + has_zero_ > kExactLimit) ToRegisters();
}

void HyperLogLog::ToRegisters() {
  registers_.assign(size_t{1} << precision_, 0);
  for (uint64_t hash : exact_) {
    if (hash != 0) AddToRegisters(hash);
  }
  if (has_zero_) AddToRegisters(0);
  exact_.clear();
  exact_.shrink_to_fit();
  exact_size_ = 0;
  has_zero_ = false;
}

void HyperLogLog::Merge(const HyperLogLog& other) {
  SLUICE_CHECK(other.precision_ == precision_);
  if (other.registers_.empty()) {
    for (uint64_t hash : other.exact_) {
      if (hash != 0) AddHash(hash);
    }
    if (other.has_zero_) AddHash(0);
    return;
  }
  if (registers_.empty()) ToRegisters();
  for (size_t i = 0; i < registers_.size(); ++i) {
    registers_[i] = std::max(registers_[i], other.registers_[i]);
  }
}

double HyperLogLog::Estimate() const {
  if (registers_.empty()) return static_cast<double>(exact_size_ + has_zero_);
  int q = 64 - precision_;
  std::vector<int64_t> histogram(q + 2, 0);
  for (uint8_t value : registers_) ++histogram[value];
  auto m = static_cast<double>(registers_.size());
  double z = m * Tau(1 - static_cast<double>(histogram[q + 1]) / m);
  for (int k = q; k >= 1; --k) z = 0.5 * (z + static_cast<double>(histogram[k]));
  z += m * Sigma(static_cast<double>(histogram[0]) / m);
  constexpr double kAlphaInfinity = 0.5 / std::numbers::ln2;
  return kAlphaInfinity * m * m / z;
}

}  // namespace sluice::catalog
