#include <cstdint>
#include <string>

#include "exec/aggregate_adapter.h"
#include "exec/aggregate_function.h"
#include "exec/aggregate_kernels.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

enum class Fold { kBitAnd, kBitOr, kBitXor, kProduct };

// Folds the values with one associative, commutative operator; NULL for no rows.
template <typename T, Fold kFold>
struct FoldState {
  T value = Identity();
  bool any = false;

  void Update(T next) {
    if constexpr (kFold == Fold::kBitAnd) value &= next;
    if constexpr (kFold == Fold::kBitOr) value |= next;
    if constexpr (kFold == Fold::kBitXor) value ^= next;
    if constexpr (kFold == Fold::kProduct) value *= next;
    any = true;
  }
  void Combine(const FoldState& other) {
    if (other.any) Update(other.value);
  }
  void Finalize(Vector& out, size_t row) const {
    if (!any) return out.SetNull(row);
    out.data<T>()[row] = value;
  }
  static constexpr T Identity() {
    if constexpr (kFold == Fold::kBitAnd) return ~T{0};
    if constexpr (kFold == Fold::kProduct) return T{1};
    return T{0};
  }
};

int Compare(core::StringRef left, core::StringRef right) {
  return core::StringRef::Compare(left, right);
}
template <typename T>
int Compare(T left, T right) {
  return left < right ? -1 : (right < left ? 1 : 0);
}

// Holds one value of storage type `T`; strings own their bytes, since the input batch does
// not outlive the state.
template <typename T>
struct Stored {
  T value{};
  void Set(T next) { value = next; }
  T get() const { return value; }
  void Write(Vector& out, size_t row) const { out.data<T>()[row] = value; }
};
template <>
struct Stored<core::StringRef> {
  std::string value;
  void Set(core::StringRef next) { value.assign(next.view()); }
  core::StringRef get() const { return core::StringRef(value); }
  void Write(Vector& out, size_t row) const { out.SetString(row, value); }
};

// arg_min(arg, val) / arg_max(arg, val): the arg of the row with the smallest (largest) val.
// Ties on val go to the smallest arg, so the answer does not depend on thread scheduling.
template <typename A, typename V, bool kMin>
struct ArgExtremeState {
  Stored<A> arg;
  Stored<V> key;
  bool any = false;

  void Update(A candidate_arg, V candidate_key) {
    if (any) {
      int order = Compare(candidate_key, key.get());
      if (kMin ? order > 0 : order < 0) return;
      if (order == 0 && Compare(candidate_arg, arg.get()) >= 0) return;
    }
    arg.Set(candidate_arg);
    key.Set(candidate_key);
    any = true;
  }
  void Combine(const ArgExtremeState& other) {
    if (other.any) Update(other.arg.get(), other.key.get());
  }
  void Finalize(Vector& out, size_t row) const {
    if (!any) return out.SetNull(row);
    arg.Write(out, row);
  }
};

// Registers arg_min and arg_max for an arg of `type`; INTEGER and DATE keys are cast to
// BIGINT and TIMESTAMP.
template <typename A>
void AddArgExtremes(AggregateFunctionRegistry& registry, TypeId type) {
  auto add = [&]<typename V>(TypeId key_type, V*) {
    registry.Add(
        MakeStateAggregate<ArgExtremeState<A, V, true>, A, V>("arg_min", {type, key_type}, type));
    registry.Add(
        MakeStateAggregate<ArgExtremeState<A, V, false>, A, V>("arg_max", {type, key_type}, type));
  };
  add(TypeId::kBigint, static_cast<int64_t*>(nullptr));
  add(TypeId::kDouble, static_cast<double*>(nullptr));
  add(TypeId::kVarchar, static_cast<core::StringRef*>(nullptr));
  add(TypeId::kTimestamp, static_cast<int64_t*>(nullptr));
}

template <typename T>
void AddFolds(AggregateFunctionRegistry& registry, TypeId type) {
  registry.Add(MakeStateAggregate<FoldState<T, Fold::kBitAnd>, T>("bit_and", {type}, type));
  registry.Add(MakeStateAggregate<FoldState<T, Fold::kBitOr>, T>("bit_or", {type}, type));
  registry.Add(MakeStateAggregate<FoldState<T, Fold::kBitXor>, T>("bit_xor", {type}, type));
}

}  // namespace

void AddFoldAggregates(AggregateFunctionRegistry& registry) {
  AddFolds<int32_t>(registry, TypeId::kInteger);
  AddFolds<int64_t>(registry, TypeId::kBigint);
  registry.Add(MakeStateAggregate<FoldState<double, Fold::kProduct>, double>(
      "product", {TypeId::kDouble}, TypeId::kDouble));
  AddArgExtremes<uint8_t>(registry, TypeId::kBoolean);
  AddArgExtremes<int32_t>(registry, TypeId::kInteger);
  AddArgExtremes<int64_t>(registry, TypeId::kBigint);
  AddArgExtremes<double>(registry, TypeId::kDouble);
  AddArgExtremes<core::StringRef>(registry, TypeId::kVarchar);
  AddArgExtremes<int32_t>(registry, TypeId::kDate);
  AddArgExtremes<int64_t>(registry, TypeId::kTimestamp);
}

}  // namespace sluice::exec
