#include "ml/gram.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace sluice::ml {
namespace {

using Eigen::Index;

struct Case {
  size_t rows;
  size_t cols;
  int threads;
};

// Row counts around the packed blocks (128 rows) and the chunks (4096 rows per thread); column
// counts with x and the label in less than, exactly and more than whole panels of 8.
const Case kCases[] = {{1, 1, 1},    {5, 3, 1},     {128, 7, 1},   {129, 8, 1},
                       {300, 12, 2}, {77, 13, 1},   {1000, 15, 1}, {257, 16, 2},
                       {9000, 5, 2}, {8193, 33, 2}, {640, 127, 1}};

// Returns `rows` x `cols` normal features around `offset`, and labels, from a fixed seed.
std::pair<Matrix, std::vector<double>> RandomRows(size_t rows, size_t cols, double offset,
                                                  uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Matrix x(rows, cols);
  for (double& value : x.values) value = offset + normal(rng);
  std::vector<double> y(rows);
  for (double& value : y) value = offset + 3 * normal(rng);
  return {std::move(x), std::move(y)};
}

// Is CenteredGram's expected value of one entry and a bound on its rounding error.
struct Expected {
  double value = 0;
  double tolerance = 0;
};

// Returns the product of columns i and j of [x - mean, y - y_mean] (j == cols: the label) in
// long double, and n * eps * the sum of the products' magnitudes as the tolerance.
Expected Reference(const Matrix& x, const std::vector<double>& y, const Eigen::VectorXd& mean,
                   double y_mean, size_t i, size_t j) {
  auto value = [&](size_t row, size_t column) {
    return column == x.cols ? y[row] - y_mean
                            : x.at(row, column) - mean[static_cast<Index>(column)];
  };
  long double sum = 0;
  long double magnitude = 0;
  for (size_t row = 0; row < x.rows; ++row) {
    const long double product = static_cast<long double>(value(row, i)) * value(row, j);
    sum += product;
    magnitude += std::abs(product);
  }
  const double n = static_cast<double>(x.rows);
  return {static_cast<double>(sum), 4 * n * 1.2e-16 * static_cast<double>(magnitude) + 1e-300};
}

// Expects `products` to match the long double reference for every entry.
void ExpectMatchesReference(const CenteredProducts& products, const Matrix& x,
                            const std::vector<double>& y, const Eigen::VectorXd& mean,
                            double y_mean) {
  const size_t d = x.cols;
  ASSERT_EQ(products.gram.rows(), static_cast<Index>(d));
  ASSERT_EQ(products.gram.cols(), static_cast<Index>(d));
  ASSERT_EQ(products.cross.size(), static_cast<Index>(d));
  for (size_t i = 0; i < d; ++i) {
    for (size_t j = 0; j < d; ++j) {
      const Expected expected = Reference(x, y, mean, y_mean, i, j);
      EXPECT_NEAR(products.gram(static_cast<Index>(i), static_cast<Index>(j)), expected.value,
                  expected.tolerance)
          << "gram " << i << ", " << j;
    }
    const Expected cross = Reference(x, y, mean, y_mean, i, d);
    EXPECT_NEAR(products.cross[static_cast<Index>(i)], cross.value, cross.tolerance) << i;
  }
  const Expected squares = Reference(x, y, mean, y_mean, d, d);
  EXPECT_NEAR(products.y_squares, squares.value, squares.tolerance);
}

Eigen::VectorXd Means(const Matrix& x) {
  return ColumnSums(x, 1) / static_cast<double>(std::max<size_t>(x.rows, 1));
}

double Mean(const std::vector<double>& y) {
  double sum = 0;
  for (double v : y) sum += v;
  return sum / static_cast<double>(std::max<size_t>(y.size(), 1));
}

TEST(GramTest, PortableKernelMatchesTheDefinition) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.rows << " x " << c.cols << ", " << c.threads);
    auto [x, y] = RandomRows(c.rows, c.cols, 0.5, c.rows * 131 + c.cols);
    const Eigen::VectorXd mean = Means(x);
    const double y_mean = Mean(y);
    ExpectMatchesReference(CenteredGram(x, y, mean, y_mean, c.threads, GramKernel::kPortable), x, y,
                           mean, y_mean);
  }
}

TEST(GramTest, DispatchedKernelEqualsThePortableOne) {
  if (!HasGramKernel(GramKernel::kAvx2)) GTEST_SKIP() << "this CPU has no AVX2 and FMA";
  EXPECT_EQ(BestGramKernel(), GramKernel::kAvx2);
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.rows << " x " << c.cols << ", " << c.threads);
    auto [x, y] = RandomRows(c.rows, c.cols, -2, c.rows * 7 + c.cols);
    const Eigen::VectorXd mean = Means(x);
    const double y_mean = Mean(y);
    const CenteredProducts fast = CenteredGram(x, y, mean, y_mean, c.threads, GramKernel::kAvx2);
    const CenteredProducts portable =
        CenteredGram(x, y, mean, y_mean, c.threads, GramKernel::kPortable);
    ExpectMatchesReference(fast, x, y, mean, y_mean);
    // The same sums in the same order: only the rounding of the fused multiply-adds differs.
    const double scale = portable.gram.cwiseAbs().maxCoeff() + portable.y_squares;
    EXPECT_LE((fast.gram - portable.gram).cwiseAbs().maxCoeff(), 1e-13 * scale);
    EXPECT_LE((fast.cross - portable.cross).cwiseAbs().maxCoeff(), 1e-13 * scale);
    EXPECT_NEAR(fast.y_squares, portable.y_squares, 1e-13 * scale);
  }
}

TEST(GramTest, CentersOnTheGivenMeansWithoutLosingPrecision) {
  // Features far from zero: products of the raw values less n * mean^2 would lose about eight
  // digits here; centering each block first keeps them.
  auto [x, y] = RandomRows(5000, 9, 1e4, 42);
  const Eigen::VectorXd mean = Means(x);
  const double y_mean = Mean(y);
  const CenteredProducts products = CenteredGram(x, y, mean, y_mean, 2);
  ExpectMatchesReference(products, x, y, mean, y_mean);
  EXPECT_NEAR(products.gram(0, 0) / 5000, 1, 0.1);  // the variance of a standard normal
  EXPECT_EQ((products.gram - products.gram.transpose()).cwiseAbs().maxCoeff(), 0);
}

TEST(GramTest, ColumnSumsAddEveryRow) {
  auto [x, y] = RandomRows(9001, 13, 1, 3);
  for (int threads : {1, 2}) {
    const Eigen::VectorXd sums = ColumnSums(x, threads);
    ASSERT_EQ(sums.size(), 13);
    for (size_t j = 0; j < x.cols; ++j) {
      double expected = 0;
      for (size_t r = 0; r < x.rows; ++r) expected += x.at(r, j);
      EXPECT_NEAR(sums[static_cast<Index>(j)], expected, 1e-9 * std::abs(expected)) << j;
    }
  }
  EXPECT_EQ(ColumnSums(Matrix(0, 4), 2).size(), 4);
  EXPECT_EQ(ColumnSums(Matrix(0, 4), 2).sum(), 0);
}

TEST(GramTest, NoRowsGiveZeroProducts) {
  const Matrix x(0, 10);
  const CenteredProducts products =
      CenteredGram(x, {}, Eigen::VectorXd::Zero(10), 0, 2, BestGramKernel());
  EXPECT_EQ(products.gram.rows(), 10);
  EXPECT_EQ(products.gram.cwiseAbs().maxCoeff(), 0);
  EXPECT_EQ(products.cross.cwiseAbs().maxCoeff(), 0);
  EXPECT_EQ(products.y_squares, 0);
}

}  // namespace
}  // namespace sluice::ml
