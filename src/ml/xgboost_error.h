#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace sluice::ml {

/// Returns XGBoost's last error on this thread on one line, without time, source line and trace.
std::string XGBoostLastError();

/// Throws `E` with XGBoost's last error when `status` (a C API result) reports that `what` failed.
template <typename E>
void CheckXGBoost(int status, std::string_view what) {
  if (status != 0) Throw<E>("XGBoost failed {}: {}", what, XGBoostLastError());
}

}  // namespace sluice::ml
