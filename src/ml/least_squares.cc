#include "ml/least_squares.h"

#include <Eigen/Dense>
#include <cmath>

#include "ml/row_chunks.h"

namespace sluice::ml {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Below this ratio to the largest pivot (or eigenvalue) a direction counts as absent.
constexpr double kPivotTolerance = 1e-10;

// Is one chunk's share of the centered normal equations.
struct Partial {
  MatrixXd gram;   // lower triangle of sum (x - mean)(x - mean)^T
  VectorXd cross;  // sum (x - mean)(y - y_mean)
};

Partial Accumulate(const Matrix& x, const std::vector<double>& y, RowRange range,
                   const VectorXd& mean, double y_mean) {
  const Index d = static_cast<Index>(x.cols);
  MatrixXd centered = RowsOf(x, range).rowwise() - mean.transpose();  // column-major copy
  const Eigen::Map<const VectorXd> labels(y.data() + range.begin, static_cast<Index>(range.size()));
  Partial partial{MatrixXd::Zero(d, d), VectorXd()};
  partial.gram.selfadjointView<Eigen::Lower>().rankUpdate(centered.transpose());
  partial.cross = centered.transpose() * (labels.array() - y_mean).matrix();
  return partial;
}

// Returns the least-norm solution of gram w = cross (gram symmetric, lower triangle set).
VectorXd PseudoInverseSolve(const MatrixXd& gram, const VectorXd& cross) {
  const Eigen::SelfAdjointEigenSolver<MatrixXd> eigen(gram);
  const VectorXd& values = eigen.eigenvalues();
  const double cutoff = kPivotTolerance * std::max(values.maxCoeff(), 0.0);
  VectorXd projected = eigen.eigenvectors().transpose() * cross;
  for (Index i = 0; i < values.size(); ++i) {
    projected[i] = values[i] > cutoff ? projected[i] / values[i] : 0;
  }
  return eigen.eigenvectors() * projected;
}

}  // namespace

LeastSquares SolveLeastSquares(const Matrix& x, const std::vector<double>& y, double l2,
                               int threads) {
  const Index d = static_cast<Index>(x.cols);
  const double n = static_cast<double>(x.rows);
  const std::vector<RowRange> chunks = RowChunks(x.rows, threads);
  const VectorXd mean = RowsOf(x, {0, x.rows}).colwise().mean().transpose();
  const double y_mean = Eigen::Map<const VectorXd>(y.data(), static_cast<Index>(y.size())).mean();
  std::vector<Partial> partials(chunks.size());
  ForEachChunk(chunks, [&](size_t i, RowRange range) {
    partials[i] = Accumulate(x, y, range, mean, y_mean);
  });
  MatrixXd gram = MatrixXd::Zero(d, d);
  VectorXd cross = VectorXd::Zero(d);
  for (const Partial& partial : partials) {
    gram += partial.gram;
    cross += partial.cross;
  }
  gram.diagonal().array() += n * l2;
  const Eigen::LDLT<MatrixXd> ldlt(gram);  // reads the lower triangle only
  const VectorXd& pivots = ldlt.vectorD();
  const bool regular = d == 0 || (ldlt.info() == Eigen::Success &&
                                  pivots.minCoeff() > kPivotTolerance * pivots.maxCoeff());
  VectorXd w =
      regular ? ldlt.solve(cross) : PseudoInverseSolve(gram.selfadjointView<Eigen::Lower>(), cross);
  LeastSquares solution;
  solution.weights.assign(w.data(), w.data() + d);
  solution.intercept = y_mean - mean.dot(w);
  std::vector<double> squares(chunks.size());
  ForEachChunk(chunks, [&](size_t i, RowRange range) {
    const Eigen::Map<const VectorXd> labels(y.data() + range.begin,
                                            static_cast<Index>(range.size()));
    squares[i] = ((RowsOf(x, range) * w).array() + solution.intercept - labels.array())
                     .matrix()
                     .squaredNorm();
  });
  for (double s : squares) solution.mean_squared_error += s / n;
  return solution;
}

}  // namespace sluice::ml
