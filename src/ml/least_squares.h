#pragma once

#include <vector>

#include <Eigen/Core>

#include "ml/matrix.h"
#include "ml/rank_reducer.h"

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

/// Is the centered normal equations of rows spread over ranks, summed over all of them.
struct GramSums {
  double rows = 0;
  Eigen::VectorXd x_mean;
  double y_mean = 0;
  Eigen::MatrixXd gram;   // sum (x - mean)(x - mean)^T, both triangles
  Eigen::VectorXd cross;  // sum (x - mean)(y - y_mean)
  double y_squares = 0;   // sum (y - y_mean)^2
};

/// Returns the sums of every rank's rows `x`, `y` (this rank's share; may be empty), two
/// allreduces: the means, then the centered products. Every rank gets the same sums.
GramSums GramOverRanks(const Matrix& x, const std::vector<double>& y, int threads,
                       RankReducer& ranks);

/// Returns SolveLeastSquares' solution over the rows of every rank (`x`, `y`: this rank's
/// share), from GramOverRanks: the same on every rank. REQUIRES: some rank has rows.
LeastSquares SolveLeastSquaresOverRanks(const Matrix& x, const std::vector<double>& y, double l2,
                                        int threads, RankReducer& ranks);

}  // namespace sluice::ml
