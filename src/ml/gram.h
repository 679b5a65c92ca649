#pragma once

#include <span>

#include <Eigen/Core>

#include "ml/matrix.h"

namespace sluice::ml {

/// Names an implementation of CenteredGram's inner product kernel. Both sum the same products
/// in the same order; they differ only in rounding (kAvx2 fuses multiply and add).
enum class GramKernel {
  kPortable,  // plain C++, for any CPU
  kAvx2,      // AVX2 and FMA intrinsics; only where the CPU has both (HasGramKernel)
};

/// Returns true when this CPU can run `kernel`.
bool HasGramKernel(GramKernel kernel);

/// Returns the fastest kernel this CPU can run, chosen once at run time.
GramKernel BestGramKernel();

/// Is the centered normal equations of some rows.
struct CenteredProducts {
  Eigen::MatrixXd gram;   // sum (x - x_mean)(x - x_mean)^T, both triangles
  Eigen::VectorXd cross;  // sum (x - x_mean)(y - y_mean)
  double y_squares = 0;   // sum (y - y_mean)^2
};

/// Returns the column sums of `x` (one per column), over row chunks on `threads` threads.
Eigen::VectorXd ColumnSums(const Matrix& x, int threads);

/// Returns the products of the rows of `x` and `y` centered on `x_mean` and `y_mean` (any
/// center: the products are not corrected for a center other than the rows' means). Computes
/// the upper triangle of the Gram matrix of [x, y] only, in blocks of rows centered into a
/// packed buffer (no centered copy of `x`), over row chunks on `threads` threads (0: the
/// scheduler's count), with `kernel`. REQUIRES: y.size() == x.rows, x_mean.size() == x.cols,
/// HasGramKernel(kernel).
CenteredProducts CenteredGram(const Matrix& x, std::span<const double> y,
                              const Eigen::VectorXd& x_mean, double y_mean, int threads,
                              GramKernel kernel = BestGramKernel());

}  // namespace sluice::ml
