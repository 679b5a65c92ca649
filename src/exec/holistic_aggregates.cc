#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "core/value.h"
#include "exec/aggregate_adapter.h"
#include "exec/aggregate_function.h"
#include "exec/aggregate_kernels.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

enum class Interpolation { kContinuous, kDiscrete };

// Keeps every value of the group; the quantile is picked at finalize with nth_element.
// NaNs sort above every number (as in PostgreSQL), so they are only counted, which keeps
// the comparisons a strict weak order.
template <typename T>
struct QuantileState {
  // Finalize reorders the values in place: the multiset, and so the state, is unchanged.
  mutable std::vector<T> values;
  int64_t nan_count = 0;
  double quantile = 0.5;

  void Update(T value) {
    if constexpr (std::is_floating_point_v<T>) {
      if (value != value) {
        ++nan_count;
        return;
      }
    }
    values.push_back(value);
  }
  void Combine(const QuantileState& other) {
    if (other.values.empty() && other.nan_count == 0) return;
    values.insert(values.end(), other.values.begin(), other.values.end());
    nan_count += other.nan_count;
    quantile = other.quantile;
  }
  size_t size() const { return values.size() + static_cast<size_t>(nan_count); }
  // Returns the value at `index` of the sorted values. REQUIRES: index < size().
  T Select(size_t index) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (index >= values.size()) return NAN;
    }
    std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(index), values.end());
    return values[index];
  }
  // Returns the value after `index` in sorted order, once Select(index) has placed it.
  // REQUIRES: index + 1 < size().
  T Next(size_t index) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (index + 1 >= values.size()) return NAN;
    }
    return *std::min_element(values.begin() + static_cast<ptrdiff_t>(index) + 1, values.end());
  }
};

// Writes quantile `q` of the values, interpolated (PostgreSQL percentile_cont) or the first
// value whose cumulative share reaches q (percentile_disc). `R` is the result storage type.
template <typename T, typename R, Interpolation kInterpolation>
struct QuantileResultState : QuantileState<T> {
  void Finalize(Vector& out, size_t row) const {
    size_t n = this->size();
    if (n == 0) return out.SetNull(row);
    double q = this->quantile;
    if constexpr (kInterpolation == Interpolation::kDiscrete) {
      double rank = std::ceil(q * static_cast<double>(n));
      size_t index = rank < 1 ? 0 : std::min(n - 1, static_cast<size_t>(rank) - 1);
      out.data<R>()[row] = this->Select(index);
      return;
    } else {
      double position = q * static_cast<double>(n - 1);
      size_t lower = std::min(n - 1, static_cast<size_t>(position));
      double fraction = position - static_cast<double>(lower);
      T low = this->Select(lower);
      if (fraction == 0) {
        out.data<R>()[row] = static_cast<R>(low);
        return;
      }
      T high = this->Next(lower);
      if constexpr (std::is_integral_v<R>) {
        double step = static_cast<double>(high - low) * fraction;
        out.data<R>()[row] = low + static_cast<R>(std::llround(step));
      } else {
        double low_value = static_cast<double>(low);
        out.data<R>()[row] = low_value + (static_cast<double>(high) - low_value) * fraction;
      }
    }
  }
};

// quantile_cont(x, q) / quantile_disc(x, q): q is a constant; it is read once per batch.
template <typename S, typename T>
AggregateFunction MakeQuantile(std::string name, TypeId type, TypeId result) {
  AggregateFunction function =
      MakeStateAggregate<S, T>(std::move(name), {type, TypeId::kDouble}, result);
  function.update = [](std::span<const Vector* const> args, size_t count, std::byte* const* states,
                       size_t offset) {
    if (count == 0) return;
    const double* quantiles = args[1]->data<double>();
    double q = quantiles[0];
    if (!(q >= 0 && q <= 1))
      throw DataError("quantile must be between 0 and 1, got " + core::FormatDouble(q));
    bool constant = true;
    for (size_t i = 1; i < count; ++i) constant &= quantiles[i] == q;
    if (!constant) throw DataError("quantile must be a constant");
    const T* values = args[0]->data<T>();
    for (size_t i = 0; i < count; ++i) {
      S& state = StateAt<S>(states[i] + offset);
      state.quantile = q;
      state.Update(values[i]);
    }
  };
  return function;
}

template <typename T, typename R>
void AddQuantiles(AggregateFunctionRegistry& registry, TypeId type, TypeId continuous_result) {
  using Continuous = QuantileResultState<T, R, Interpolation::kContinuous>;
  registry.Add(MakeStateAggregate<Continuous, T>("median", {type}, continuous_result));
  registry.Add(MakeQuantile<Continuous, T>("quantile_cont", type, continuous_result));
  registry.Add(MakeQuantile<QuantileResultState<T, T, Interpolation::kDiscrete>, T>("quantile_disc",
                                                                                    type, type));
}

// Concatenates the strings of a group with the separator between them, in the order the
// rows reach the state: input order within one thread, but the order in which thread-local
// states are combined is not deterministic, so without a sort the result may vary.
struct StringAggState {
  std::string text;
  std::string separator;
  bool any = false;

  void Append(std::string_view value, std::string_view next_separator) {
    if (any) text.append(separator);
    if (!any) separator.assign(next_separator);
    text.append(value);
    any = true;
  }
  void Update(core::StringRef value, core::StringRef next_separator) {
    Append(value.view(), next_separator.view());
  }
  void Combine(const StringAggState& other) {
    if (other.any) Append(other.text, other.separator);
  }
  void Finalize(Vector& out, size_t row) const {
    if (!any) return out.SetNull(row);
    out.SetString(row, text);
  }
};

// Keeps a group's strings to join them in sorted order at the end, for string_agg(x, sep
// ORDER BY x [DESC]) and string_agg(DISTINCT x, sep) (sorted, each value once).
template <bool kDescending, bool kDistinct>
struct SortedStringAggState {
  std::vector<std::string> values;
  std::string separator;

  void Update(core::StringRef value, core::StringRef next_separator) {
    if (values.empty()) separator.assign(next_separator.view());
    values.emplace_back(value.view());
  }
  void Combine(const SortedStringAggState& other) {
    if (values.empty()) separator = other.separator;
    values.insert(values.end(), other.values.begin(), other.values.end());
  }
  void Finalize(Vector& out, size_t row) const {
    if (values.empty()) return out.SetNull(row);
    std::vector<std::string> sorted = values;
    if constexpr (kDescending) {
      std::sort(sorted.begin(), sorted.end(), std::greater<>());
    } else {
      std::sort(sorted.begin(), sorted.end());
    }
    if constexpr (kDistinct) sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::string text;
    for (size_t i = 0; i < sorted.size(); ++i) text += (i > 0 ? separator : "") + sorted[i];
    out.SetString(row, text);
  }
};

// string_agg(x, separator) with state `S`: NULL values are skipped; a NULL separator counts
// as empty.
template <typename S>
AggregateFunction StringAgg(std::string name) {
  AggregateFunction function = MakeStateAggregate<S, core::StringRef, core::StringRef>(
      std::move(name), {TypeId::kVarchar, TypeId::kVarchar}, TypeId::kVarchar);
  function.update = [](std::span<const Vector* const> args, size_t count, std::byte* const* states,
                       size_t offset) {
    const Vector& values = *args[0];
    const Vector& separators = *args[1];
    for (size_t i = 0; i < count; ++i) {
      if (values.IsNull(i)) continue;
      core::StringRef separator =
          separators.IsNull(i) ? core::StringRef() : separators.data<core::StringRef>()[i];
      StateAt<S>(states[i] + offset).Update(values.data<core::StringRef>()[i], separator);
    }
  };
  function.skips_nulls = false;
  return function;
}

}  // namespace

void AddHolisticAggregates(AggregateFunctionRegistry& registry) {
  AddQuantiles<double, double>(registry, TypeId::kDouble, TypeId::kDouble);
  AddQuantiles<int64_t, double>(registry, TypeId::kBigint, TypeId::kDouble);
  AddQuantiles<int32_t, double>(registry, TypeId::kInteger, TypeId::kDouble);
  // A DATE argument is cast to TIMESTAMP for median and quantile_cont.
  AddQuantiles<int64_t, int64_t>(registry, TypeId::kTimestamp, TypeId::kTimestamp);
  registry.Add(
      MakeQuantile<QuantileResultState<int32_t, int32_t, Interpolation::kDiscrete>, int32_t>(
          "quantile_disc", TypeId::kDate, TypeId::kDate));
  registry.Add(StringAgg<StringAggState>("string_agg"));
  registry.Add(StringAgg<SortedStringAggState<false, false>>("string_agg_sorted"));
  registry.Add(StringAgg<SortedStringAggState<true, false>>("string_agg_sorted_desc"));
  registry.Add(StringAgg<SortedStringAggState<false, true>>("string_agg_distinct"));
  registry.Add(StringAgg<SortedStringAggState<true, true>>("string_agg_distinct_desc"));
}

}  // namespace sluice::exec
