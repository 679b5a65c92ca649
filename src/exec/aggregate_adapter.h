#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/types.h"
#include "core/vector.h"
#include "exec/aggregate_function.h"

namespace sluice::exec {

/// Returns the state of type `S` stored at `state`.
template <typename S>
S& StateAt(std::byte* state) {
  return *std::launder(reinterpret_cast<S*>(state));
}
template <typename S>
const S& StateAt(const std::byte* state) {
  return *std::launder(reinterpret_cast<const S*>(state));
}

/// Adds row i of each argument column (storage types `T...`) to the state at states[i] +
/// offset, by calling `S::Update(value...)`.
template <typename S, typename... T, size_t... I>
void UpdateStates(std::span<const core::Vector* const> arguments, size_t count,
                  std::byte* const* states, size_t offset, std::index_sequence<I...>) {
  std::tuple<const T*...> columns{arguments[I]->template data<T>()...};
  for (size_t i = 0; i < count; ++i) {
    StateAt<S>(states[i] + offset).Update(std::get<I>(columns)[i]...);
  }
}

/// Makes an aggregate from a state struct `S` with Update(T...), Combine(const S&) and
/// Finalize(Vector&, row) const. `T...` are the arguments' storage types, one per argument.
/// States are constructed in place; a non-trivial destructor becomes `destroy`.
template <typename S, typename... T>
AggregateFunction MakeStateAggregate(std::string name, std::vector<core::TypeId> arguments,
                                     core::TypeId result) {
  AggregateFunction function;
  function.name = std::move(name);
  function.arguments = std::move(arguments);
  function.result = result;
  function.state_size = sizeof(S);
  static_assert(alignof(S) <= 8, "group rows align states to 8 bytes");
  function.initialize = [](std::byte* state) { new (state) S(); };
  function.update = [](std::span<const core::Vector* const> args, size_t count,
                       std::byte* const* states, size_t offset) {
    UpdateStates<S, T...>(args, count, states, offset, std::index_sequence_for<T...>{});
  };
  function.combine = [](const std::byte* source, std::byte* target) {
    StateAt<S>(target).Combine(StateAt<S>(source));
  };
  function.finalize = [](const std::byte* state, core::Vector& out, size_t row) {
    StateAt<S>(state).Finalize(out, row);
  };
  if constexpr (!std::is_trivially_destructible_v<S>) {
    function.destroy = [](std::byte* state) { StateAt<S>(state).~S(); };
  }
  return function;
}

/// Returns the bits of a fixed-width value widened to 64 bits so that equal SQL values give
/// equal bits: -0.0 becomes 0.0 and every NaN the same NaN.
template <typename T>
uint64_t CanonicalBits(T value) {
  if constexpr (std::is_same_v<T, double>) {
    if (value == 0) return 0;
    if (value != value) return 0x7ff8000000000000ULL;
    return std::bit_cast<uint64_t>(value);
  } else {
    return static_cast<uint64_t>(static_cast<int64_t>(value));
  }
}

}  // namespace sluice::exec
