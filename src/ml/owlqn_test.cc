#include "ml/owlqn.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::ml {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

/// Returns f(x) = 0.5 x^T A x - b^T x with its gradient A x - b (A symmetric positive definite).
SmoothObjective Quadratic(const MatrixXd& a, const VectorXd& b) {
  return [a, b](const VectorXd& x, VectorXd& gradient) {
    gradient = a * x - b;
    return 0.5 * x.dot(a * x) - b.dot(x);
  };
}

/// Returns a symmetric positive definite n x n matrix with couplings between all coordinates.
MatrixXd CoupledMatrix(int n) {
  MatrixXd m(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) m(i, j) = std::sin(1.0 + i * n + j);
  }
  return m.transpose() * m + MatrixXd::Identity(n, n);
}

OwlQnOptions Exact() {
  OwlQnOptions options;
  options.max_iterations = 1000;
  options.min_rel_progress = 0;  // run until the gradient vanishes or no step helps
  return options;
}

TEST(OwlQnTest, FindsTheMinimumOfACoupledQuadratic) {
  const MatrixXd a = CoupledMatrix(5);
  const VectorXd minimum{{1.5, -2, 0.25, 3, -0.75}};
  const OwlQnResult result = MinimizeOwlQn(Quadratic(a, a * minimum), VectorXd::Zero(5), Exact());
  EXPECT_LT((result.x - minimum).norm(), 1e-8);
  ASSERT_FALSE(result.losses.empty());
  EXPECT_NEAR(result.losses.back(), -0.5 * minimum.dot(a * minimum), 1e-10);
}

TEST(OwlQnTest, LossesDecreaseAndMatchTheCallbacks) {
  const MatrixXd a = CoupledMatrix(4);
  const SmoothObjective f = Quadratic(a, VectorXd::Ones(4));
  std::vector<VectorXd> visited;
  const OwlQnResult result = MinimizeOwlQn(f, VectorXd::Constant(4, 5), Exact(),
                                           [&](const VectorXd& x) { visited.push_back(x); });
  ASSERT_EQ(visited.size(), result.losses.size());
  ASSERT_GE(result.losses.size(), 2u);
  EXPECT_LT(result.losses.back(), result.losses.front());
  VectorXd gradient;
  for (size_t i = 0; i < visited.size(); ++i) {
    EXPECT_DOUBLE_EQ(result.losses[i], f(visited[i], gradient)) << i;
    if (i > 0) {
      EXPECT_LE(result.losses[i], result.losses[i - 1]) << i;
    }
  }
  EXPECT_EQ(visited.back(), result.x);
}

TEST(OwlQnTest, StopsEarlyOnSmallRelativeProgress) {
  const MatrixXd a = CoupledMatrix(6);
  const SmoothObjective f = Quadratic(a, VectorXd::Ones(6));
  OwlQnOptions loose = Exact();
  loose.min_rel_progress = 0.5;
  const size_t loose_count = MinimizeOwlQn(f, VectorXd::Zero(6), loose).losses.size();
  const size_t exact_count = MinimizeOwlQn(f, VectorXd::Zero(6), Exact()).losses.size();
  EXPECT_LT(loose_count, exact_count);
}

TEST(OwlQnTest, ZeroIterationsReturnsTheStart) {
  OwlQnOptions options;
  options.max_iterations = 0;
  int calls = 0;
  const VectorXd start{{1, 2}};
  const OwlQnResult result = MinimizeOwlQn(Quadratic(MatrixXd::Identity(2, 2), VectorXd::Zero(2)),
                                           start, options, [&](const VectorXd&) { ++calls; });
  EXPECT_EQ(result.x, start);
  EXPECT_TRUE(result.losses.empty());
  EXPECT_EQ(calls, 0);
}

TEST(OwlQnTest, FindsTheRosenbrockMinimum) {
  const SmoothObjective rosenbrock = [](const VectorXd& x, VectorXd& gradient) {
    const double a = 1 - x[0];
    const double b = x[1] - x[0] * x[0];
    gradient.resize(2);
    gradient[0] = -2 * a - 400 * x[0] * b;
    gradient[1] = 200 * b;
    return a * a + 100 * b * b;
  };
  const OwlQnResult result = MinimizeOwlQn(rosenbrock, VectorXd{{-1.2, 1}}, Exact());
  EXPECT_NEAR(result.x[0], 1, 1e-6);
  EXPECT_NEAR(result.x[1], 1, 1e-6);
}

// With f = 0.5 |x|^2 - c.x (0.5 |x - c|^2 but for a constant), the minimum of f + l |x|_1 is the
// soft threshold of c at l.
TEST(OwlQnTest, SoftThresholdsASeparableL1Problem) {
  const VectorXd c{{3, -0.5, 0.2, -2, 1}};
  OwlQnOptions options = Exact();
  options.l1_weight = 1;
  const OwlQnResult result =
      MinimizeOwlQn(Quadratic(MatrixXd::Identity(5, 5), c), VectorXd::Zero(5), options);
  EXPECT_NEAR(result.x[0], 2, 1e-9);
  EXPECT_EQ(result.x[1], 0);  // exactly zero: OWL-QN keeps coordinates on their orthant
  EXPECT_EQ(result.x[2], 0);
  EXPECT_NEAR(result.x[3], -1, 1e-9);
  EXPECT_EQ(result.x[4], 0);
  ASSERT_FALSE(result.losses.empty());
  EXPECT_NEAR(result.losses.back(), 0.5 * (4 + 1) - (6 + 2) + (2 + 1), 1e-9);
}

TEST(OwlQnTest, LeavesUnpenalizedCoordinatesFree) {
  const VectorXd c{{0.5, 0.5, -0.5}};
  OwlQnOptions options = Exact();
  options.l1_weight = 1;
  options.penalized = {true, false, true};
  const OwlQnResult result =
      MinimizeOwlQn(Quadratic(MatrixXd::Identity(3, 3), c), VectorXd::Zero(3), options);
  EXPECT_EQ(result.x[0], 0);
  EXPECT_NEAR(result.x[1], 0.5, 1e-9);
  EXPECT_EQ(result.x[2], 0);
}

// On a coupled problem the solution has no closed form; its optimality conditions say the
// gradient g of f satisfies g_i = -l sign(x_i) where x_i != 0, and |g_i| <= l where x_i = 0.
TEST(OwlQnTest, MeetsTheL1OptimalityConditionsOnACoupledProblem) {
  const MatrixXd a = CoupledMatrix(8);
  VectorXd b(8);
  for (int i = 0; i < 8; ++i) b[i] = 3 * std::cos(2.0 * i);
  OwlQnOptions options = Exact();
  options.l1_weight = 2;
  const SmoothObjective f = Quadratic(a, b);
  const OwlQnResult result = MinimizeOwlQn(f, VectorXd::Zero(8), options);
  VectorXd gradient;
  f(result.x, gradient);
  int zeros = 0;
  for (int i = 0; i < 8; ++i) {
    if (result.x[i] == 0) {
      ++zeros;
      EXPECT_LE(std::abs(gradient[i]), 2 + 1e-5) << i;
    } else {
      EXPECT_NEAR(gradient[i], result.x[i] > 0 ? -2 : 2, 1e-5) << i;
    }
  }
  EXPECT_GT(zeros, 0);  // else the l1 term did not matter and the test proves little
  EXPECT_LT(zeros, 8);
}

TEST(OwlQnTest, RejectsAPenaltyMaskOfTheWrongSize) {
  OwlQnOptions options;
  options.l1_weight = 1;
  options.penalized = {true, false};
  EXPECT_THROW(MinimizeOwlQn(Quadratic(MatrixXd::Identity(3, 3), VectorXd::Ones(3)),
                             VectorXd::Zero(3), options),
               InternalError);
}

}  // namespace
}  // namespace sluice::ml
