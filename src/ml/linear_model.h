#pragma once

#include <vector>

#include "ml/estimator.h"

namespace sluice::ml {

class TrainingClock;

/// Is `linear_reg`: least squares with elastic-net regularization. It minimises
///   (1 / 2n) * sum (y - Xw - b)^2 + l1_reg * |w|_1 + (l2_reg / 2) * |w|^2
/// (the intercept b is not penalised; features arrive standardized by the caller). Without
/// l1_reg it solves the normal equations; with l1_reg, coordinate descent. Params: `l1_reg`,
/// `l2_reg` (both 0 by default), `max_iterations` (100), `min_rel_progress` (1e-6: stop when the
/// loss improves by less than this fraction). On shares (FitShares) it solves from the normal
/// equations summed over the ranks, and with l1_reg runs the same coordinate descent on them.
class LinearRegression final : public Estimator {
 public:
  explicit LinearRegression(Params params);
  void Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) override;
  void FitShares(const Matrix& x, const Labels& y, const EvalSet* eval, int threads,
                 RankReducer& ranks) override;
  Matrix Predict(const Matrix& x, int threads) const override;
  const std::vector<TrainingIteration>& training_info() const override { return info_; }
  boost::json::object Save(std::string& blob) const override;
  void Load(const boost::json::object& state, const std::string& blob) override;
  /// Returns the weights: one row per feature then the intercept, one column.
  const Matrix& weights() const { return weights_; }

 private:
  Params params_;
  Matrix weights_;
  std::vector<TrainingIteration> info_;
};

/// Is `logistic_reg`: binary (sigmoid) or multiclass (softmax) logistic regression minimising
///   mean log loss + l1_reg * |w|_1 + (l2_reg / 2) * |w|^2
/// (intercepts not penalised) by L-BFGS (OWL-QN or proximal steps with l1_reg). Labels are class
/// indexes; `num_classes` >= 2, else UserError. Params: `l1_reg`, `l2_reg`, `max_iterations`
/// (100), `min_rel_progress` (1e-6), `auto_class_weights` (false: weight classes by inverse
/// frequency when true). On shares (FitShares) each evaluation of the loss and gradient sums
/// them over the ranks; every rank then takes the same L-BFGS steps.
class LogisticRegression final : public Estimator {
 public:
  explicit LogisticRegression(Params params);
  void Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) override;
  void FitShares(const Matrix& x, const Labels& y, const EvalSet* eval, int threads,
                 RankReducer& ranks) override;
  Matrix Predict(const Matrix& x, int threads) const override;
  const std::vector<TrainingIteration>& training_info() const override { return info_; }
  boost::json::object Save(std::string& blob) const override;
  void Load(const boost::json::object& state, const std::string& blob) override;
  /// Returns the weights: one row per feature then the intercept; one column per class (two
  /// classes: one column, for class 1).
  const Matrix& weights() const { return weights_; }

 private:
  // Fits the weights from class indexes and the rows per class (of every rank, with `ranks`).
  void Minimize(const Matrix& x, const std::vector<int>& classes, const std::vector<size_t>& counts,
                const EvalSet* eval, int threads, RankReducer* ranks, const TrainingClock& clock);

  Params params_;
  size_t num_classes_ = 0;
  Matrix weights_;
  std::vector<TrainingIteration> info_;
};

}  // namespace sluice::ml
