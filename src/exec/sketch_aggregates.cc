#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/hash.h"
#include "exec/aggregate_adapter.h"
#include "exec/aggregate_function.h"
#include "exec/aggregate_kernels.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

// A HyperLogLog sketch with 2^14 registers (standard error 0.81%). Small sets are kept as
// their distinct 64-bit hashes, which counts them exactly and costs little memory for the
// many small groups of a GROUP BY; past 2048 distinct hashes (16 KiB, the size of the
// registers) it switches to registers. The estimate is Ertl's improved raw estimator
// ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), unbiased over
// the whole range without empirical corrections.
class HyperLogLog {
 public:
  void Add(uint64_t hash) {
    if (!registers_.empty()) return AddToRegisters(hash);
    hashes_.push_back(hash);
    if (hashes_.size() >= 2 * kSparseLimit) Compact();
  }

  void Merge(const HyperLogLog& other) {
    if (other.registers_.empty()) {
      for (uint64_t hash : other.hashes_) Add(hash);
      return;
    }
    if (registers_.empty()) Densify();
    for (size_t i = 0; i < kRegisters; ++i) {
      registers_[i] = std::max(registers_[i], other.registers_[i]);
    }
  }

  int64_t Estimate() const {
    if (registers_.empty()) {
      std::vector<uint64_t> distinct = hashes_;
      std::sort(distinct.begin(), distinct.end());
      return std::unique(distinct.begin(), distinct.end()) - distinct.begin();
    }
    int counts[kMaxRank + 1] = {};
    for (uint8_t rank : registers_) ++counts[rank];
    double m = kRegisters;
    double z = m * Tau((m - counts[kMaxRank]) / m);
    for (int k = kMaxRank - 1; k >= 1; --k) z = 0.5 * (z + counts[k]);
    z += m * Sigma(counts[0] / m);
    return std::llround(m * m / (2 * std::log(2.0)) / z);
  }

 private:
  static constexpr int kPrecision = 14;
  static constexpr size_t kRegisters = size_t{1} << kPrecision;
  static constexpr int kMaxRank = 64 - kPrecision + 1;
  static constexpr size_t kSparseLimit = kRegisters / 8;

  void AddToRegisters(uint64_t hash) {
    uint64_t rest = hash << kPrecision;
    auto rank = static_cast<uint8_t>(rest == 0 ? kMaxRank : std::countl_zero(rest) + 1);
    uint8_t& slot = registers_[hash >> (64 - kPrecision)];
    slot = std::max(slot, rank);
  }

  void Compact() {
    std::sort(hashes_.begin(), hashes_.end());
    hashes_.erase(std::unique(hashes_.begin(), hashes_.end()), hashes_.end());
    if (hashes_.size() > kSparseLimit) Densify();
  }

  void Densify() {
    registers_.assign(kRegisters, 0);
    for (uint64_t hash : hashes_) AddToRegisters(hash);
    hashes_ = {};
  }

  static double Sigma(double x) {
    if (x == 1) return INFINITY;
    double y = 1, z = x, previous;
    do {
      x *= x;
      previous = z;
      z += x * y;
      y += y;
    } while (z != previous);
    return z;
  }

  static double Tau(double x) {
    if (x == 0 || x == 1) return 0;
    double y = 1, z = 1 - x, previous;
    do {
      x = std::sqrt(x);
      previous = z;
      y *= 0.5;
      z -= (1 - x) * (1 - x) * y;
    } while (z != previous);
    return z / 3;
  }

  std::vector<uint64_t> hashes_;  // used until registers_ is allocated
  std::vector<uint8_t> registers_;
};

// The sketch lives on the heap so that a group row holds only a pointer.
struct ApproxDistinctState {
  std::unique_ptr<HyperLogLog> sketch;

  HyperLogLog& Sketch() {
    if (!sketch) sketch = std::make_unique<HyperLogLog>();
    return *sketch;
  }
  template <typename T>
  void Update(T value) {
    // Offsetting by a constant avoids the murmur finalizer's fixed point at 0.
    Sketch().Add(HashInteger(CanonicalBits(value) + 0x9e3779b97f4a7c15ULL));
  }
  void Update(core::StringRef value) { Sketch().Add(HashString(value.view())); }
  void Combine(const ApproxDistinctState& other) {
    if (other.sketch) Sketch().Merge(*other.sketch);
  }
  void Finalize(Vector& out, size_t row) const {
    out.data<int64_t>()[row] = sketch ? sketch->Estimate() : 0;
  }
};

}  // namespace

void AddSketchAggregates(AggregateFunctionRegistry& registry) {
  const char* name = "approx_count_distinct";
  using State = ApproxDistinctState;
  registry.Add(MakeStateAggregate<State, uint8_t>(name, {TypeId::kBoolean}, TypeId::kBigint));
  registry.Add(MakeStateAggregate<State, int32_t>(name, {TypeId::kInteger}, TypeId::kBigint));
  registry.Add(MakeStateAggregate<State, int64_t>(name, {TypeId::kBigint}, TypeId::kBigint));
  registry.Add(MakeStateAggregate<State, double>(name, {TypeId::kDouble}, TypeId::kBigint));
  registry.Add(MakeStateAggregate<State, int32_t>(name, {TypeId::kDate}, TypeId::kBigint));
  registry.Add(MakeStateAggregate<State, int64_t>(name, {TypeId::kTimestamp}, TypeId::kBigint));
  registry.Add(
      MakeStateAggregate<State, core::StringRef>(name, {TypeId::kVarchar}, TypeId::kBigint));
}

}  // namespace sluice::exec
