#pragma once

#include <cstddef>
#include <vector>

namespace sluice::ml {

/// Is a dense row-major matrix of doubles: the features of a model (one row per example, one
/// column per feature; a missing value is NaN) or its outputs (one row per example).
struct Matrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<double> values;  // rows * cols, row after row

  Matrix() = default;
  /// Makes an `r` x `c` matrix of `fill`. A large one (the features of many rows) is advised for
  /// transparent huge pages before it is filled, as numpy does for its arrays: one page fault
  /// per 2 MiB instead of one per 4 KiB, which is most of the time it takes to make it.
  Matrix(size_t r, size_t c, double fill = 0);

  double& at(size_t r, size_t c) { return values[r * cols + c]; }
  double at(size_t r, size_t c) const { return values[r * cols + c]; }
  double* row(size_t r) { return values.data() + r * cols; }
  const double* row(size_t r) const { return values.data() + r * cols; }
};

/// Is what a model learns to predict, one value per example: the target of a regression, or the
/// class index (0 .. num_classes-1, as a double) of a classification.
struct Labels {
  std::vector<double> values;
  size_t num_classes = 0;  // 0 for regression and for unsupervised models
};

/// Returns the rows `indices` of `m` (in that order).
Matrix SelectRows(const Matrix& m, const std::vector<size_t>& indices);
/// Returns the labels `indices` of `y` (in that order), with the same number of classes.
Labels SelectLabels(const Labels& y, const std::vector<size_t>& indices);

}  // namespace sluice::ml
