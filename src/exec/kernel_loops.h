#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "core/string_ref.h"
#include "core/vector.h"
#include "exec/scalar_function.h"

namespace sluice::exec {

/// Is the argument list every kernel receives.
using KernelArguments = std::span<const core::Vector* const>;

/// Calls `body(i)` for every row below `count` that is valid in `result` (the rows a kPropagate
/// kernel must compute).
template <typename Body>
inline void ForEachValidRow(const core::Vector& result, size_t count, Body&& body) {
  if (result.validity().all_valid()) {
    for (size_t i = 0; i < count; ++i) body(i);
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    if (!result.IsNull(i)) body(i);
  }
}

/// Applies `Op::Apply(a, bad)` to every row of a one-argument kernel over raw arrays. An Op that
/// can fail sets `bad` and provides `Op::Fail(a)`, which throws; Fail runs on the first valid
/// bad row, so garbage in NULL slots never raises. Apply must be safe on any input.
template <typename A, typename R, typename Op>
void UnaryKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  const A* input = arguments[0]->data<A>();
  R* output = result.data<R>();
  bool bad = false;
  for (size_t i = 0; i < count; ++i) output[i] = Op::Apply(input[i], bad);
  if (!bad) return;
  ForEachValidRow(result, count, [&](size_t i) {
    bool row_bad = false;
    Op::Apply(input[i], row_bad);
    if (row_bad) Op::Fail(input[i]);
  });
}

/// Applies `Op::Apply(a, b, bad)` to every row of a two-argument kernel; see UnaryKernel.
template <typename A, typename B, typename R, typename Op>
void BinaryKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  const A* left = arguments[0]->data<A>();
  const B* right = arguments[1]->data<B>();
  R* output = result.data<R>();
  bool bad = false;
  for (size_t i = 0; i < count; ++i) output[i] = Op::Apply(left[i], right[i], bad);
  if (!bad) return;
  ForEachValidRow(result, count, [&](size_t i) {
    bool row_bad = false;
    Op::Apply(left[i], right[i], row_bad);
    if (row_bad) Op::Fail(left[i], right[i]);
  });
}

/// Applies `Op::Apply(a, b)` to the valid rows only: for operands that must not be read in NULL
/// slots (strings).
template <typename A, typename B, typename R, typename Op>
void BinaryValidKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  const A* left = arguments[0]->data<A>();
  const B* right = arguments[1]->data<B>();
  R* output = result.data<R>();
  ForEachValidRow(result, count, [&](size_t i) { output[i] = Op::Apply(left[i], right[i]); });
}

/// Returns the string at row i of a VARCHAR vector.
inline std::string_view StringAt(const core::Vector& vector, size_t i) {
  return vector.data<core::StringRef>()[i].view();
}

}  // namespace sluice::exec
