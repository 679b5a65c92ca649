#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/error.h"
#include "base/hash.h"
#include "exec/aggregate_adapter.h"
#include "exec/aggregate_function.h"
#include "exec/aggregate_kernels.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

// Identity is fine as the set's hash only after mixing: the values are often consecutive.
struct MixedHash {
  size_t operator()(uint64_t bits) const { return HashInteger(bits); }
  size_t operator()(const std::string& text) const { return HashString(text); }
};

// Holds the distinct values of a fixed-width type `T` as canonical 64-bit patterns, so that
// -0.0 and 0.0 (and all NaNs) are one value. Combine is set union.
template <typename T>
struct DistinctState {
  std::unordered_set<uint64_t, MixedHash> values;

  void Update(T value) { values.insert(CanonicalBits(value)); }
  void Combine(const DistinctState& other) {
    values.insert(other.values.begin(), other.values.end());
  }
  // Returns the values in ascending order, so sums do not depend on the set's history.
  std::vector<T> Sorted() const {
    std::vector<T> sorted;
    sorted.reserve(values.size());
    for (uint64_t bits : values) {
      if constexpr (std::is_same_v<T, double>) {
        sorted.push_back(std::bit_cast<double>(bits));
      } else {
        sorted.push_back(static_cast<T>(static_cast<int64_t>(bits)));
      }
    }
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }
};

struct StringDistinctState {
  std::unordered_set<std::string, MixedHash> values;

  void Update(core::StringRef value) { values.emplace(value.view()); }
  void Combine(const StringDistinctState& other) {
    values.insert(other.values.begin(), other.values.end());
  }
};

template <typename Base>
struct CountDistinctState : Base {
  void Finalize(Vector& out, size_t row) const {
    out.data<int64_t>()[row] = static_cast<int64_t>(this->values.size());
  }
};

template <typename T>
struct IntegerSumDistinctState : DistinctState<T> {
  void Finalize(Vector& out, size_t row) const {
    if (this->values.empty()) return out.SetNull(row);
    // A 128-bit total cannot overflow here, and whether the result fits does not depend on
    // the order in which the set yields its values.
    __int128 sum = 0;
    for (uint64_t bits : this->values) sum += static_cast<int64_t>(bits);
    if (sum > INT64_MAX || sum < INT64_MIN) {
      throw DataError("integer overflow in sum: the total exceeds BIGINT");
    }
    out.data<int64_t>()[row] = static_cast<int64_t>(sum);
  }
};

template <typename T>
struct IntegerAverageDistinctState : DistinctState<T> {
  void Finalize(Vector& out, size_t row) const {
    if (this->values.empty()) return out.SetNull(row);
    __int128 sum = 0;
    for (uint64_t bits : this->values) sum += static_cast<int64_t>(bits);
    auto count = static_cast<double>(this->values.size());
    out.data<double>()[row] = static_cast<double>(sum) / count;
  }
};

// Sums ascending values with Neumaier's compensation: deterministic and accurate.
double SumSorted(const std::vector<double>& values) {
  double sum = 0, compensation = 0;
  for (double value : values) {
    double total = sum + value;
    compensation +=
        std::abs(sum) >= std::abs(value) ? (sum - total) + value : (value - total) + sum;
    sum = total;
  }
  return sum + compensation;
}

template <bool kAverage>
struct DoubleSumDistinctState : DistinctState<double> {
  void Finalize(Vector& out, size_t row) const {
    if (values.empty()) return out.SetNull(row);
    double sum = SumSorted(Sorted());
    out.data<double>()[row] = kAverage ? sum / static_cast<double>(values.size()) : sum;
  }
};

template <typename T>
void AddCountDistinct(AggregateFunctionRegistry& registry, TypeId type) {
  registry.Add(MakeStateAggregate<CountDistinctState<DistinctState<T>>, T>("count_distinct", {type},
                                                                           TypeId::kBigint));
}

}  // namespace

void AddDistinctAggregates(AggregateFunctionRegistry& registry) {
  AddCountDistinct<uint8_t>(registry, TypeId::kBoolean);
  AddCountDistinct<int32_t>(registry, TypeId::kInteger);
  AddCountDistinct<int64_t>(registry, TypeId::kBigint);
  AddCountDistinct<double>(registry, TypeId::kDouble);
  AddCountDistinct<int32_t>(registry, TypeId::kDate);
  AddCountDistinct<int64_t>(registry, TypeId::kTimestamp);
  registry.Add(MakeStateAggregate<CountDistinctState<StringDistinctState>, core::StringRef>(
      "count_distinct", {TypeId::kVarchar}, TypeId::kBigint));

  registry.Add(MakeStateAggregate<IntegerSumDistinctState<int32_t>, int32_t>(
      "sum_distinct", {TypeId::kInteger}, TypeId::kBigint));
  registry.Add(MakeStateAggregate<IntegerSumDistinctState<int64_t>, int64_t>(
      "sum_distinct", {TypeId::kBigint}, TypeId::kBigint));
  registry.Add(MakeStateAggregate<DoubleSumDistinctState<false>, double>(
      "sum_distinct", {TypeId::kDouble}, TypeId::kDouble));
  registry.Add(MakeStateAggregate<IntegerAverageDistinctState<int32_t>, int32_t>(
      "avg_distinct", {TypeId::kInteger}, TypeId::kDouble));
  registry.Add(MakeStateAggregate<IntegerAverageDistinctState<int64_t>, int64_t>(
      "avg_distinct", {TypeId::kBigint}, TypeId::kDouble));
  registry.Add(MakeStateAggregate<DoubleSumDistinctState<true>, double>(
      "avg_distinct", {TypeId::kDouble}, TypeId::kDouble));
}

}  // namespace sluice::exec
