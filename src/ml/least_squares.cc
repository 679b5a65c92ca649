#include "ml/least_squares.h"

#include <Eigen/Dense>
#include <cmath>
#include <span>
#include <utility>

#include "ml/gram.h"
#include "ml/row_chunks.h"

namespace sluice::ml {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Below this ratio to the largest pivot (or eigenvalue) a direction counts as absent.
constexpr double kPivotTolerance = 1e-10;

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

// Returns w solving (gram + rows l2 I) w = cross; `gram`'s lower triangle is read.
VectorXd SolveNormalEquations(MatrixXd gram, const VectorXd& cross, double rows, double l2) {
  gram.diagonal().array() += rows * l2;
  const Eigen::LDLT<MatrixXd> ldlt(gram);  // reads the lower triangle only
  const VectorXd& pivots = ldlt.vectorD();
  const bool regular =
      gram.rows() == 0 ||
      (ldlt.info() == Eigen::Success && pivots.minCoeff() > kPivotTolerance * pivots.maxCoeff());
  return regular ? VectorXd(ldlt.solve(cross))
                 : PseudoInverseSolve(gram.selfadjointView<Eigen::Lower>(), cross);
}

// Returns the sum of squared errors of `w`, `intercept` on the rows of `x`, `y`, each chunk's
// divided by `divisor`.
double SquaredErrors(const Matrix& x, const std::vector<double>& y, const VectorXd& w,
                     double intercept, double divisor, int threads) {
  const std::vector<RowRange> chunks = RowChunks(x.rows, threads);
  std::vector<double> squares(chunks.size());
  ForEachChunk(chunks, [&](size_t i, RowRange range) {
    const Eigen::Map<const VectorXd> labels(y.data() + range.begin,
                                            static_cast<Index>(range.size()));
    squares[i] =
        ((RowsOf(x, range) * w).array() + intercept - labels.array()).matrix().squaredNorm();
  });
  double sum = 0;
  for (double s : squares) sum += s / divisor;
  return sum;
}

LeastSquares MakeSolution(const VectorXd& w, const VectorXd& mean, double y_mean) {
  LeastSquares solution;
  solution.weights.assign(w.data(), w.data() + w.size());
  solution.intercept = y_mean - mean.dot(w);
  return solution;
}

}  // namespace

LeastSquares SolveLeastSquares(const Matrix& x, const std::vector<double>& y, double l2,
                               int threads) {
  const double n = static_cast<double>(x.rows);
  const VectorXd mean = ColumnSums(x, threads) / n;
  const double y_mean = Eigen::Map<const VectorXd>(y.data(), static_cast<Index>(y.size())).mean();
  CenteredProducts products = CenteredGram(x, y, mean, y_mean, threads);
  const VectorXd w = SolveNormalEquations(std::move(products.gram), products.cross, n, l2);
  LeastSquares solution = MakeSolution(w, mean, y_mean);
  solution.mean_squared_error = SquaredErrors(x, y, w, solution.intercept, n, threads);
  return solution;
}

GramSums GramOverRanks(const Matrix& x, const std::vector<double>& y, int threads,
                       RankReducer& ranks) {
  const Index d = static_cast<Index>(x.cols);
  // Column sums, the label sum and the row count reduce as one span.
  VectorXd sums = VectorXd::Zero(d + 2);
  sums.head(d) = ColumnSums(x, threads);
  sums[d] = Eigen::Map<const VectorXd>(y.data(), static_cast<Index>(y.size())).sum();
  sums[d + 1] = static_cast<double>(x.rows);
  ranks.AllReduce(std::span<double>(sums.data(), sums.size()), Reduction::kSum);
  GramSums out;
  out.rows = sums[d + 1];
  out.x_mean = sums.head(d) / out.rows;
  out.y_mean = sums[d] / out.rows;
  const CenteredProducts partial = CenteredGram(x, y, out.x_mean, out.y_mean, threads);
  VectorXd products(d * d + d + 1);
  Eigen::Map<MatrixXd>(products.data(), d, d) = partial.gram;
  products.segment(d * d, d) = partial.cross;
  products[d * d + d] = partial.y_squares;
  ranks.AllReduce(std::span<double>(products.data(), products.size()), Reduction::kSum);
  out.gram = Eigen::Map<const MatrixXd>(products.data(), d, d);
  out.cross = products.segment(d * d, d);
  out.y_squares = products[d * d + d];
  return out;
}

LeastSquares SolveLeastSquaresOverRanks(const Matrix& x, const std::vector<double>& y, double l2,
                                        int threads, RankReducer& ranks) {
  const GramSums sums = GramOverRanks(x, y, threads, ranks);
  const VectorXd w = SolveNormalEquations(sums.gram, sums.cross, sums.rows, l2);
  LeastSquares solution = MakeSolution(w, sums.x_mean, sums.y_mean);
  solution.mean_squared_error =
      SumOverRanks(ranks, SquaredErrors(x, y, w, solution.intercept, sums.rows, threads));
  return solution;
}

}  // namespace sluice::ml
