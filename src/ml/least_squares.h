#pragma once

#include <vector>

#include "ml/matrix.h"

namespace sluice::ml {

/// Is the solution of a ridge least-squares problem with an intercept.
struct LeastSquares {
  std::vector<double> weights;
  double intercept = 0;
  double mean_squared_error = 0;  // of the fit on the training rows
};

/// Returns argmin (1/2n) |y - Xw - b|^2 + (l2/2) |w|^2 (b not penalised), the one of least norm
/// when the centered X^T X (+ n l2 I) is singular (collinear features such as a full set of
/// one-hot columns). The centered Gram matrix is accumulated over row chunks on `threads`
/// threads and solved by LDLT, or by its eigen-decomposition when singular. REQUIRES: x.rows ==
/// y.size() > 0.
LeastSquares SolveLeastSquares(const Matrix& x, const std::vector<double>& y, double l2,
                               int threads);

}  // namespace sluice::ml
