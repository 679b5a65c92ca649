#include "ml/linear_model.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>
#include <boost/json.hpp>

#include "base/error.h"
#include "ml/estimator_state.h"
#include "ml/least_squares.h"
#include "ml/linear_inputs.h"
#include "ml/row_chunks.h"
#include "ml/training_clock.h"

namespace sluice::ml {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

/// Is the training data of a linear regression centered on its means (column-major, so that
/// coordinate descent reads a feature contiguously). Centering takes the intercept out.
struct CenteredData {
  MatrixXd x;
  VectorXd x_mean;
  VectorXd y;
  double y_mean = 0;
};

CenteredData Center(const Matrix& x, const std::vector<double>& y) {
  CenteredData data;
  const auto features = RowsOf(x, {0, x.rows});
  data.x_mean = features.colwise().mean().transpose();
  data.x = features.rowwise() - data.x_mean.transpose();
  const Eigen::Map<const VectorXd> labels(y.data(), static_cast<Index>(y.size()));
  data.y_mean = labels.mean();
  data.y = labels.array() - data.y_mean;
  return data;
}

double SoftThreshold(double value, double threshold) {
  if (value > threshold) return value - threshold;
  if (value < -threshold) return value + threshold;
  return 0;
}

/// Runs one cyclic sweep of coordinate descent over the features, keeping `residual` equal to
/// yc - Xc w. `scale` holds |Xc_j|^2 / n.
void CoordinateSweep(const CenteredData& data, const VectorXd& scale, double l1, double l2,
                     VectorXd& w, VectorXd& residual) {
  const double n = static_cast<double>(data.x.rows());
  for (Index j = 0; j < w.size(); ++j) {
    if (scale[j] == 0) continue;  // a constant feature explains nothing: its weight stays 0
    const double old = w[j];
    const double rho = data.x.col(j).dot(residual) / n + scale[j] * old;
    const double next = SoftThreshold(rho, l1) / (scale[j] + l2);
    if (next == old) continue;
    residual.noalias() -= (next - old) * data.x.col(j);
    w[j] = next;
  }
}

double ElasticNetObjective(const VectorXd& residual, const VectorXd& w, double l1, double l2) {
  return residual.squaredNorm() / (2.0 * static_cast<double>(residual.size())) +
         l1 * w.lpNorm<1>() + 0.5 * l2 * w.squaredNorm();
}

using SweepCallback = std::function<void(const VectorXd& w, const VectorXd& residual)>;

/// Minimises the elastic-net objective by coordinate descent from w = 0, calling `on_sweep`
/// after each sweep; stops after `max_sweeps` or when a sweep improves it by less than
/// `min_rel_progress` of its value.
void CoordinateDescent(const CenteredData& data, double l1, double l2, int64_t max_sweeps,
                       double min_rel_progress, const SweepCallback& on_sweep) {
  const VectorXd scale = data.x.colwise().squaredNorm() / static_cast<double>(data.x.rows());
  VectorXd w = VectorXd::Zero(data.x.cols());
  VectorXd residual = data.y;
  double previous = ElasticNetObjective(residual, w, l1, l2);
  for (int64_t sweep = 0; sweep < std::max<int64_t>(max_sweeps, 1); ++sweep) {
    CoordinateSweep(data, scale, l1, l2, w, residual);
    on_sweep(w, residual);
    const double objective = ElasticNetObjective(residual, w, l1, l2);
    if (previous - objective <= min_rel_progress * std::abs(previous)) return;
    previous = objective;
  }
}

double MeanSquaredError(const Matrix& predictions, const Labels& y) {
  if (y.values.size() != predictions.rows) Throw<InternalError>("evaluation labels mismatch");
  double sum = 0;
  for (size_t i = 0; i < predictions.rows; ++i) {
    const double error = predictions.values[i] - y.values[i];
    sum += error * error;
  }
  return predictions.rows == 0 ? 0 : sum / static_cast<double>(predictions.rows);
}

void CheckFiniteLabels(const Labels& y) {
  for (size_t i = 0; i < y.values.size(); ++i) {
    if (!std::isfinite(y.values[i])) Throw("linear_reg needs a finite label; row {} has none", i);
  }
}

using GramSweepCallback = std::function<void(const VectorXd& w, double squared_residuals)>;

/// Runs CoordinateDescent's sweeps on the normal equations summed over the ranks instead of on
/// the rows (glmnet's covariance updates): X_j^T r = cross_j - (gram w)_j, so the iterates are
/// the same up to rounding, and every rank computes them alike from the same sums.
void GramCoordinateDescent(const GramSums& sums, double l1, double l2, int64_t max_sweeps,
                           double min_rel_progress, const GramSweepCallback& on_sweep) {
  const double n = sums.rows;
  const VectorXd scale = sums.gram.diagonal() / n;
  VectorXd w = VectorXd::Zero(sums.cross.size());
  VectorXd gram_w = VectorXd::Zero(sums.cross.size());
  auto squared_residuals = [&] {
    return std::max(sums.y_squares - 2 * w.dot(sums.cross) + w.dot(gram_w), 0.0);
  };
  auto objective = [&](double squares) {
    return squares / (2 * n) + l1 * w.lpNorm<1>() + 0.5 * l2 * w.squaredNorm();
  };
  double previous = objective(squared_residuals());
  for (int64_t sweep = 0; sweep < std::max<int64_t>(max_sweeps, 1); ++sweep) {
    for (Index j = 0; j < w.size(); ++j) {
      if (scale[j] == 0) continue;
      const double old = w[j];
      const double rho = (sums.cross[j] - gram_w[j]) / n + scale[j] * old;
      const double next = SoftThreshold(rho, l1) / (scale[j] + l2);
      if (next == old) continue;
      gram_w.noalias() += (next - old) * sums.gram.col(j);
      w[j] = next;
    }
    const double squares = squared_residuals();
    on_sweep(w, squares);
    const double value = objective(squares);
    if (previous - value <= min_rel_progress * std::abs(previous)) return;
    previous = value;
  }
}

}  // namespace

LinearRegression::LinearRegression(Params params) : params_(std::move(params)) {}

void LinearRegression::Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) {
  const TrainingClock clock;
  CheckTrainingData(x, y, "linear_reg", false, threads);
  CheckFiniteLabels(y);
  const auto [l1, l2] = Regularization(params_, "linear_reg");
  info_.clear();
  auto eval_loss = [&]() -> std::optional<double> {
    if (eval == nullptr) return std::nullopt;
    return MeanSquaredError(Predict(eval->x, threads), eval->y);
  };
  if (l1 == 0) {
    const LeastSquares solution = SolveLeastSquares(x, y.values, l2, threads);
    weights_ = Matrix(x.cols + 1, 1);
    std::copy(solution.weights.begin(), solution.weights.end(), weights_.values.begin());
    weights_.values.back() = solution.intercept;
    clock.Append(info_, solution.mean_squared_error, eval_loss());
    return;
  }
  const CenteredData data = Center(x, y.values);
  auto record = [&](const VectorXd& w, const VectorXd& residual) {
    weights_ = Matrix(x.cols + 1, 1);
    std::copy_n(w.data(), x.cols, weights_.values.data());
    weights_.values.back() = data.y_mean - data.x_mean.dot(w);
    clock.Append(info_, residual.squaredNorm() / static_cast<double>(x.rows), eval_loss());
  };
  CoordinateDescent(data, l1, l2, params_.Integer("max_iterations", 100),
                    params_.Number("min_rel_progress", 1e-6), record);
}

void LinearRegression::FitShares(const Matrix& x, const Labels& y, const EvalSet* eval, int threads,
                                 RankReducer& ranks) {
  const TrainingClock clock;
  RunTogether(ranks, [&] {
    CheckTrainingData(x, y, "linear_reg", true, threads);
    CheckFiniteLabels(y);
  });
  if (SumOverRanks(ranks, x.rows) == 0) Throw("linear_reg cannot train on an empty input");
  const auto [l1, l2] = Regularization(params_, "linear_reg");
  info_.clear();
  auto eval_loss = [&]() -> std::optional<double> {
    if (eval == nullptr) return std::nullopt;
    const Matrix predictions = Predict(eval->x, threads);
    const double rows = static_cast<double>(predictions.rows);
    std::vector<double> sums{MeanSquaredError(predictions, eval->y) * rows, rows};
    ranks.AllReduce(sums, Reduction::kSum);
    return sums[1] == 0 ? 0 : sums[0] / sums[1];
  };
  if (l1 == 0) {
    const LeastSquares solution = SolveLeastSquaresOverRanks(x, y.values, l2, threads, ranks);
    weights_ = Matrix(x.cols + 1, 1);
    std::copy(solution.weights.begin(), solution.weights.end(), weights_.values.begin());
    weights_.values.back() = solution.intercept;
    clock.Append(info_, solution.mean_squared_error, eval_loss());
    return;
  }
  const GramSums sums = GramOverRanks(x, y.values, threads, ranks);
  auto record = [&](const VectorXd& w, double squared_residuals) {
    weights_ = Matrix(x.cols + 1, 1);
    std::copy_n(w.data(), x.cols, weights_.values.data());
    weights_.values.back() = sums.y_mean - sums.x_mean.dot(w);
    clock.Append(info_, squared_residuals / sums.rows, eval_loss());
  };
  GramCoordinateDescent(sums, l1, l2, params_.Integer("max_iterations", 100),
                        params_.Number("min_rel_progress", 1e-6), record);
}

Matrix LinearRegression::Predict(const Matrix& x, int threads) const {
  CheckFeatureCount(x, weights_, "linear_reg");
  Matrix out(x.rows, 1);
  const Eigen::Map<const VectorXd> w(weights_.values.data(), static_cast<Index>(x.cols));
  const double intercept = weights_.values.back();
  ForEachChunk(RowChunks(x.rows, threads), [&](size_t, RowRange range) {
    Eigen::Map<VectorXd>(out.values.data() + range.begin, static_cast<Index>(range.size())) =
        (RowsOf(x, range) * w).array() + intercept;
  });
  return out;
}

boost::json::object LinearRegression::Save(std::string& blob) const {
  blob.clear();
  return {{"model_type", "linear_reg"},
          {"weights", MatrixToJson(weights_)},
          {"training_info", TrainingInfoToJson(info_)}};
}

void LinearRegression::Load(const boost::json::object& state, const std::string& /*blob*/) {
  ReadEstimatorState("linear_reg", [&] {
    Matrix weights = MatrixFromJson(state.at("weights"));
    if (weights.rows == 0 || weights.cols != 1) Throw<InternalError>("bad weights shape");
    info_ = TrainingInfoFromJson(state.at("training_info"));
    weights_ = std::move(weights);
  });
}

}  // namespace sluice::ml
