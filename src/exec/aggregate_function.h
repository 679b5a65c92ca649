#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.h"
#include "core/vector.h"

namespace sluice::exec {

/// Is one overload of an aggregate function. States are fixed-size byte blocks inside the
/// grouping table's rows; the functions below are called a vector at a time.
struct AggregateFunction {
  std::string name;
  std::vector<core::TypeId> arguments;  // empty for count(*)
  core::TypeId result;
  size_t state_size;
  /// Makes the empty state at `state`.
  void (*initialize)(std::byte* state);
  /// Adds row i of `arguments` to `states[i] + offset`, for i in [0, count). With
  /// `skips_nulls`, rows with a NULL argument are never passed (the caller filters them).
  void (*update)(std::span<const core::Vector* const> arguments, size_t count,
                 std::byte* const* states, size_t offset);
  /// Adds the rows of `arguments` at positions `rows` (rows [0, count) when null) to the one
  /// state at `state`: the update of an aggregate without GROUP BY, which keeps the state in
  /// registers where it can. With `skips_nulls`, no row passed has a NULL argument. nullptr
  /// when the function has none: callers then pass `update` the state for every row.
  void (*update_state)(std::span<const core::Vector* const> arguments, const uint32_t* rows,
                       size_t count, std::byte* state) = nullptr;
  /// Merges `source` into `target` (both states of this function).
  void (*combine)(const std::byte* source, std::byte* target);
  /// Writes the final value of `state` as row `row` of `result` (maybe NULL).
  void (*finalize)(const std::byte* state, core::Vector& result, size_t row);
  /// Frees what `state` owns; nullptr when states are plain bytes.
  void (*destroy)(std::byte* state) = nullptr;
  bool skips_nulls = true;
};

/// Holds the aggregate functions by name and picks the overload for given argument types.
/// Immutable after construction; thread-safe to read.
class AggregateFunctionRegistry {
 public:
  /// Returns the registry with every built-in aggregate.
  static const AggregateFunctionRegistry& BuiltIn();

  void Add(AggregateFunction function);
  /// Returns the overload of `name` that fits `arguments` with the cheapest implicit casts.
  const AggregateFunction* Resolve(std::string_view name,
                                   std::span<const std::optional<core::TypeId>> arguments) const;
  bool Contains(std::string_view name) const;

 private:
  std::unordered_map<std::string, std::vector<AggregateFunction>> functions_;
};

}  // namespace sluice::exec
