#include "exec/aggregate_kernels.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "base/error.h"
#include "exec/aggregate_function.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

// Returns whether neighbouring rows mostly belong to one group, as when data is sorted or
// clustered by the key or the key is a partition column, judged by a few pairs of rows: then
// updating run by run pays, while for keys in no order the test per row would cost.
bool MostlyRuns(std::byte* const* states, size_t count) {
  constexpr size_t kSamples = 8;
  if (count < 4 * kSamples) return false;
  size_t same = 0;
  for (size_t k = 0; k < kSamples; ++k) {
    size_t i = (2 * k + 1) * count / (2 * kSamples);
    same += states[i] == states[i - 1] ? 1 : 0;
  }
  return same > kSamples / 2;
}

// Calls run(state, begin, end) for each run [begin, end) of rows with one state.
template <typename Run>
void ForEachRun(std::byte* const* states, size_t count, Run run) {
  for (size_t begin = 0; begin < count;) {
    size_t end = begin + 1;
    while (end < count && states[end] == states[begin]) ++end;
    run(states[begin], begin, end);
    begin = end;
  }
}

// Adds `count` values (values[rows[i]], or the first `count` without `rows`) to `target`.
template <typename S, typename T>
void UpdateWithValues(S& target, const T* values, const uint32_t* rows, size_t count) {
  auto add = [&](S& state) {
    if constexpr (requires { state.UpdateMany(values, count); }) {
      if (rows == nullptr) return state.UpdateMany(values, count);
    }
    if (rows == nullptr) {
      for (size_t i = 0; i < count; ++i) state.Update(values[i]);
    } else {
      for (size_t i = 0; i < count; ++i) state.Update(values[rows[i]]);
    }
  };
  if constexpr (std::is_trivially_copyable_v<S>) {
    // A local copy, which the compiler keeps in registers: no store and reload per row.
    S local = target;
    add(local);
    target = local;
  } else {
    add(target);
  }
}

// Adapts a state struct `S` with Update(value), Combine(S), Finalize(Vector&, row) to the
// function-pointer interface. `T` is the argument's storage type.
template <typename S, typename T>
AggregateFunction MakeAggregate(std::string name, std::vector<TypeId> arguments, TypeId result) {
  AggregateFunction function;
  function.name = std::move(name);
  function.arguments = std::move(arguments);
  function.result = result;
  function.state_size = sizeof(S);
  function.initialize = [](std::byte* state) { new (state) S(); };
  function.update = [](std::span<const Vector* const> args, size_t count, std::byte* const* states,
                       size_t offset) {
    const T* values = args[0]->data<T>();
    if (!MostlyRuns(states, count)) {
      for (size_t i = 0; i < count; ++i) {
        reinterpret_cast<S*>(states[i] + offset)->Update(values[i]);
      }
      return;
    }
    ForEachRun(states, count, [&](std::byte* state, size_t begin, size_t end) {
      UpdateWithValues(*reinterpret_cast<S*>(state + offset), values + begin, nullptr, end - begin);
    });
  };
  function.update_state = [](std::span<const Vector* const> args, const uint32_t* rows,
                             size_t count, std::byte* state) {
    UpdateWithValues(*reinterpret_cast<S*>(state), args[0]->data<T>(), rows, count);
  };
  function.combine = [](const std::byte* source, std::byte* target) {
    reinterpret_cast<S*>(target)->Combine(*reinterpret_cast<const S*>(source));
  };
  function.finalize = [](const std::byte* state, Vector& out, size_t row) {
    reinterpret_cast<const S*>(state)->Finalize(out, row);
  };
  if constexpr (!std::is_trivially_destructible_v<S>) {
    function.destroy = [](std::byte* state) { reinterpret_cast<S*>(state)->~S(); };
  }
  return function;
}

struct CountState {
  int64_t count = 0;
  template <typename T>
  void Update(const T&) {
    ++count;
  }
  void Combine(const CountState& other) { count += other.count; }
  void Finalize(Vector& out, size_t row) const { out.data<int64_t>()[row] = count; }
};

// Calls add(sum) for blocks of `values`: a block whose values all lie in [-2^52, 2^52) is
// summed without a check per value (its sum cannot overflow, and the loop, which tests the
// range with an add and a shift, vectorizes) and passed as one sum; the values of other blocks
// are passed one by one.
template <typename T, typename Add>
void AddInBlocks(const T* values, size_t count, Add add) {
  constexpr size_t kBlock = 1024;
  constexpr uint64_t kSmall = uint64_t{1} << 52;
  for (size_t from = 0; from < count; from += kBlock) {
    size_t n = std::min(kBlock, count - from);
    uint64_t block = 0;
    uint64_t large = 0;  // not 0 when a value is outside [-2^52, 2^52)
    for (size_t i = 0; i < n; ++i) {
      auto value = static_cast<uint64_t>(static_cast<int64_t>(values[from + i]));
      block += value;
      large |= (value + kSmall) >> 53;
    }
    if (large == 0) {
      add(static_cast<int64_t>(block));
    } else {
      for (size_t i = 0; i < n; ++i) add(static_cast<int64_t>(values[from + i]));
    }
  }
}

struct IntegerSumState {
  int64_t sum = 0;
  bool any = false;
  template <typename T>
  void Update(T value) {
    if (__builtin_add_overflow(sum, static_cast<int64_t>(value), &sum)) {
      throw DataError("integer overflow in sum: the total exceeds BIGINT");
    }
    any = true;
  }
  template <typename T>
  void UpdateMany(const T* values, size_t count) {
    AddInBlocks(values, count, [this](int64_t value) { Update(value); });
  }
  void Combine(const IntegerSumState& other) {
    if (!other.any) return;
    Update(other.sum);
  }
  void Finalize(Vector& out, size_t row) const {
    if (!any) return out.SetNull(row);
    out.data<int64_t>()[row] = sum;
  }
};

// The mean of integers from their exact sum in 128 bits (two words, as states align to 8
// bytes): integer adds, no rounding before the division, and the same answer in any order.
struct IntegerAverageState {
  uint64_t low = 0;
  int64_t high = 0;
  int64_t count = 0;
  template <typename T>
  void Update(T value) {
    Add(static_cast<int64_t>(value));
    ++count;
  }
  template <typename T>
  void UpdateMany(const T* values, size_t n) {
    AddInBlocks(values, n, [this](int64_t value) { Add(value); });
    count += static_cast<int64_t>(n);
  }
  void Combine(const IntegerAverageState& other) {
    uint64_t before = low;
    low += other.low;
    high += other.high + (low < before ? 1 : 0);
    count += other.count;
  }
  void Finalize(Vector& out, size_t row) const {
    if (count == 0) return out.SetNull(row);
    auto sum = static_cast<__int128>(
        (static_cast<unsigned __int128>(static_cast<uint64_t>(high)) << 64) | low);
    out.data<double>()[row] = static_cast<double>(sum) / static_cast<double>(count);
  }

 private:
  void Add(int64_t value) {
    uint64_t before = low;
    low += static_cast<uint64_t>(value);
    high += (value < 0 ? -1 : 0) + (low < before ? 1 : 0);
  }
};

// Kahan-Babuska summation keeps sums of many doubles accurate and order-insensitive enough
// that 1 and N threads give the same printed answer.
struct DoubleSumState {
  double sum = 0, compensation = 0;
  int64_t count = 0;
  void Update(double value) {
    double total = sum + value;
    compensation +=
        std::abs(sum) >= std::abs(value) ? (sum - total) + value : (value - total) + sum;
    sum = total;
    ++count;
  }
  void Combine(const DoubleSumState& other) {
    if (other.count == 0) return;
    Update(other.sum);
    compensation += other.compensation;
    count += other.count - 1;
  }
  double Total() const { return sum + compensation; }
  void Finalize(Vector& out, size_t row) const {
    if (count == 0) return out.SetNull(row);
    out.data<double>()[row] = Total();
  }
};

struct AverageState : DoubleSumState {
  void Finalize(Vector& out, size_t row) const {
    if (count == 0) return out.SetNull(row);
    out.data<double>()[row] = Total() / static_cast<double>(count);
  }
};

template <typename T, bool kMin>
struct ExtremeState {
  T value{};
  bool any = false;
  void Update(T candidate) {
    if (!any || (kMin ? candidate < value : value < candidate)) value = candidate;
    any = true;
  }
  // The extreme of the values first (a reduction without the `any` test, which vectorizes for
  // integers), then one Update.
  void UpdateMany(const T* values, size_t count) {
    if (count == 0) return;
    T best = values[0];
    for (size_t i = 1; i < count; ++i) {
      best = (kMin ? values[i] < best : best < values[i]) ? values[i] : best;
    }
    Update(best);
  }
  void Combine(const ExtremeState& other) {
    if (other.any) Update(other.value);
  }
  void Finalize(Vector& out, size_t row) const {
    if (!any) return out.SetNull(row);
    out.data<T>()[row] = value;
  }
};

// Strings own their bytes: the input batch's heap does not outlive the state. `ref` views
// `value` (states never move), so most comparisons stop at the 4-byte prefix.
template <bool kMin>
struct StringExtremeState {
  std::string value;
  core::StringRef ref;
  bool any = false;
  void Update(const core::StringRef& candidate) {
    if (any) {
      int order = core::StringRef::Compare(candidate, ref);
      if (kMin ? order >= 0 : order <= 0) return;
    }
    value.assign(candidate.view());
    ref = core::StringRef(value);
    any = true;
  }
  void Combine(const StringExtremeState& other) {
    if (other.any) Update(core::StringRef(other.value));
  }
  void Finalize(Vector& out, size_t row) const {
    if (!any) return out.SetNull(row);
    out.SetString(row, value);
  }
};

struct BoolState {
  bool all = true, any = false, seen = false;
  void Update(uint8_t value) {
    all = all && value;
    any = any || value;
    seen = true;
  }
  void Combine(const BoolState& other) {
    if (!other.seen) return;
    all = all && other.all;
    any = any || other.any;
    seen = true;
  }
};
struct BoolAndState : BoolState {
  void Finalize(Vector& out, size_t row) const {
    if (!seen) return out.SetNull(row);
    out.data<uint8_t>()[row] = all;
  }
};
struct BoolOrState : BoolState {
  void Finalize(Vector& out, size_t row) const {
    if (!seen) return out.SetNull(row);
    out.data<uint8_t>()[row] = any;
  }
};

AggregateFunction CountStar() {
  AggregateFunction function =
      MakeAggregate<CountState, int64_t>("count_star", {}, TypeId::kBigint);
  function.update = [](std::span<const Vector* const>, size_t count, std::byte* const* states,
                       size_t offset) {
    if (!MostlyRuns(states, count)) {
      for (size_t i = 0; i < count; ++i) ++reinterpret_cast<CountState*>(states[i] + offset)->count;
      return;
    }
    ForEachRun(states, count, [offset](std::byte* state, size_t begin, size_t end) {
      reinterpret_cast<CountState*>(state + offset)->count += static_cast<int64_t>(end - begin);
    });
  };
  function.update_state = [](std::span<const Vector* const>, const uint32_t*, size_t count,
                             std::byte* state) {
    reinterpret_cast<CountState*>(state)->count += static_cast<int64_t>(count);
  };
  function.skips_nulls = false;
  return function;
}

template <template <typename, bool> class State, bool kMin>
void AddExtremes(AggregateFunctionRegistry& registry, const std::string& name) {
  registry.Add(
      MakeAggregate<State<uint8_t, kMin>, uint8_t>(name, {TypeId::kBoolean}, TypeId::kBoolean));
  registry.Add(
      MakeAggregate<State<int32_t, kMin>, int32_t>(name, {TypeId::kInteger}, TypeId::kInteger));
  registry.Add(
      MakeAggregate<State<int64_t, kMin>, int64_t>(name, {TypeId::kBigint}, TypeId::kBigint));
  registry.Add(
      MakeAggregate<State<double, kMin>, double>(name, {TypeId::kDouble}, TypeId::kDouble));
  registry.Add(MakeAggregate<State<int32_t, kMin>, int32_t>(name, {TypeId::kDate}, TypeId::kDate));
  registry.Add(
      MakeAggregate<State<int64_t, kMin>, int64_t>(name, {TypeId::kTimestamp}, TypeId::kTimestamp));
  registry.Add(MakeAggregate<StringExtremeState<kMin>, core::StringRef>(name, {TypeId::kVarchar},
                                                                        TypeId::kVarchar));
}

template <typename T, bool kFirst>
struct AnyState : ExtremeState<T, kFirst> {
  void Update(T candidate) {
    if (!this->any) this->value = candidate;
    this->any = true;
  }
};

}  // namespace

void AddBasicAggregates(AggregateFunctionRegistry& registry) {
  registry.Add(CountStar());
  for (TypeId type : {TypeId::kBoolean, TypeId::kInteger, TypeId::kBigint, TypeId::kDouble,
                      TypeId::kVarchar, TypeId::kDate, TypeId::kTimestamp}) {
    // count(x) reads no values: any storage type works for the adapter.
    registry.Add(MakeAggregate<CountState, uint8_t>("count", {type}, TypeId::kBigint));
  }
  registry.Add(MakeAggregate<IntegerSumState, int32_t>("sum", {TypeId::kInteger}, TypeId::kBigint));
  registry.Add(MakeAggregate<IntegerSumState, int64_t>("sum", {TypeId::kBigint}, TypeId::kBigint));
  registry.Add(MakeAggregate<DoubleSumState, double>("sum", {TypeId::kDouble}, TypeId::kDouble));
  for (const char* name : {"avg", "mean"}) {
    // Integer overloads read the values in place: no cast of the column to DOUBLE first.
    registry.Add(
        MakeAggregate<IntegerAverageState, int32_t>(name, {TypeId::kInteger}, TypeId::kDouble));
    registry.Add(
        MakeAggregate<IntegerAverageState, int64_t>(name, {TypeId::kBigint}, TypeId::kDouble));
    registry.Add(MakeAggregate<AverageState, double>(name, {TypeId::kDouble}, TypeId::kDouble));
  }
  AddExtremes<ExtremeState, true>(registry, "min");
  AddExtremes<ExtremeState, false>(registry, "max");
  registry.Add(
      MakeAggregate<BoolAndState, uint8_t>("bool_and", {TypeId::kBoolean}, TypeId::kBoolean));
  registry.Add(
      MakeAggregate<BoolOrState, uint8_t>("bool_or", {TypeId::kBoolean}, TypeId::kBoolean));
  for (TypeId type : {TypeId::kInteger, TypeId::kBigint, TypeId::kDouble, TypeId::kDate,
                      TypeId::kTimestamp, TypeId::kBoolean}) {
    size_t width = core::TypeWidth(type);
    if (width == 1)
      registry.Add(MakeAggregate<AnyState<uint8_t, true>, uint8_t>("any_value", {type}, type));
    if (width == 4)
      registry.Add(MakeAggregate<AnyState<int32_t, true>, int32_t>("any_value", {type}, type));
    if (width == 8 && type != TypeId::kDouble) {
      registry.Add(MakeAggregate<AnyState<int64_t, true>, int64_t>("any_value", {type}, type));
    }
  }
  registry.Add(MakeAggregate<AnyState<double, true>, double>("any_value", {TypeId::kDouble},
                                                             TypeId::kDouble));
}

}  // namespace sluice::exec
