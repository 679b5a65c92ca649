#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/vector.h"
#include "exec/window_operator.h"
#include "exec/window_rows.h"

namespace sluice::exec {

/// Is one window function's result for every sorted position of a radix partition: either
/// the values themselves, or for each position the sorted position whose argument value is the
/// result (lag, lead, first/last/nth_value), kNullPick or kDefaultPick.
struct WindowResult {
  static constexpr int64_t kNullPick = -1;
  static constexpr int64_t kDefaultPick = -2;

  std::optional<core::Vector> values;
  std::vector<int64_t> picks;
};

/// Evaluates `function` over every window partition of `rows`. `order_key` is the first
/// ORDER BY key (null when there is none); `result` is the function's result type.
WindowResult EvaluateWindowFunction(const WindowFunction& function, const SortedRows& rows,
                                    const SortKey* order_key, core::TypeId result);

/// Returns true when `function` needs the peer groups of SortedRows.
bool WindowFunctionNeedsPeers(const WindowFunction& function);

}  // namespace sluice::exec
