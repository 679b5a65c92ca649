#include "ml/linear_model.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Dense>
#include <boost/json.hpp>

#include "base/error.h"
#include "ml/estimator_state.h"
#include "ml/least_squares.h"
#include "ml/owlqn.h"
#include "ml/row_chunks.h"
#include "ml/training_clock.h"

namespace sluice::ml {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The logistic gradient handles rows in blocks of about this many values (256 KiB, in cache).
constexpr size_t kBlockValues = 32768;
constexpr double kMinProbability = 1e-15;

/// Throws UserError unless `x` has rows, all finite; InternalError unless `y` matches it.
void CheckTrainingData(const Matrix& x, const Labels& y, std::string_view model) {
  if (x.rows == 0) Throw("{} cannot train on an empty input", model);
  if (y.values.size() != x.rows) {
    Throw<InternalError>("{} got {} labels for {} rows", model, y.values.size(), x.rows);
  }
  for (size_t i = 0; i < x.values.size(); ++i) {
    if (std::isfinite(x.values[i])) continue;
    Throw("{} needs imputed, finite features: feature {} of row {} is {}", model, i % x.cols,
          i / x.cols, x.values[i]);
  }
}

/// Throws InternalError unless the model was trained on as many features as `x` has.
void CheckFeatureCount(const Matrix& x, const Matrix& weights, std::string_view model) {
  if (weights.rows == 0) Throw<InternalError>("{} predicts before it was trained", model);
  if (x.cols + 1 != weights.rows) {
    Throw<InternalError>("{} was trained on {} features, got {}", model, weights.rows - 1, x.cols);
  }
}

/// Returns the regularization strengths, checked to be >= 0.
std::pair<double, double> Regularization(const Params& params, std::string_view model) {
  const double l1 = params.Number("l1_reg", 0);
  const double l2 = params.Number("l2_reg", 0);
  if (!(l1 >= 0) || !(l2 >= 0)) Throw("{} needs l1_reg, l2_reg >= 0, got {}, {}", model, l1, l2);
  return {l1, l2};
}

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

}  // namespace

LinearRegression::LinearRegression(Params params) : params_(std::move(params)) {}

void LinearRegression::Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) {
  const TrainingClock clock;
  CheckTrainingData(x, y, "linear_reg");
  for (size_t i = 0; i < y.values.size(); ++i) {
    if (!std::isfinite(y.values[i])) Throw("linear_reg needs a finite label; row {} has none", i);
  }
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

namespace {

/// Turns `z[0..k)` into its softmax in place; returns log(sum(exp(z))).
double Softmax(double* z, Index k) {
  const double max = *std::max_element(z, z + k);
  double sum = 0;
  for (Index c = 0; c < k; ++c) sum += (z[c] = std::exp(z[c] - max));
  for (Index c = 0; c < k; ++c) z[c] /= sum;
  return max + std::log(sum);
}

double Sigmoid(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1 + e);
}

/// Returns the log loss of score `z` for class `label` (0 or 1); sets `z` to dloss/dz.
double BinaryResidual(double& z, int label) {
  const double loss = std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))) - label * z;
  z = Sigmoid(z) - label;
  return loss;
}

/// Returns the log loss of scores `z[0..k)` for `label`; sets `z` to dloss/dz.
double SoftmaxResidual(double* z, Index k, int label) {
  const double score = z[label];
  const double log_sum = Softmax(z, k);
  z[label] -= 1;
  return log_sum - score;
}

/// Is the smooth part of logistic regression's objective, (1/n) sum_i s_i log_loss_i +
/// (l2/2) |W|^2 with s_i the weight of row i's class, and its gradient. The parameters are a
/// (features + 1) x outputs column-major matrix, flattened: the weights, then the intercepts.
class LogisticObjective {
 public:
  LogisticObjective(const Matrix& x, const std::vector<int>& classes,
                    const std::vector<double>& class_weights, Index outputs, double l2, int threads)
      : x_(x),
        classes_(classes),
        class_weights_(class_weights),
        outputs_(outputs),
        l2_(l2),
        chunks_(RowChunks(x.rows, threads)) {}

  /// Returns the objective at `theta` and sets `gradient`; remembers the point's unweighted mean
  /// log loss for last_log_loss().
  double Evaluate(const VectorXd& theta, VectorXd& gradient) {
    const Index d = static_cast<Index>(x_.cols);
    const Eigen::Map<const MatrixXd> params(theta.data(), d + 1, outputs_);
    std::vector<Partial> partials(chunks_.size());
    ForEachChunk(chunks_, [&](size_t c, RowRange r) { EvaluateRows(r, params, partials[c]); });
    for (size_t c = 1; c < partials.size(); ++c) {
      partials[0].weighted_loss += partials[c].weighted_loss;
      partials[0].log_loss += partials[c].log_loss;
      partials[0].gradient += partials[c].gradient;
    }
    const double n = static_cast<double>(x_.rows);
    gradient.resize(theta.size());
    Eigen::Map<MatrixXd> gradient_matrix(gradient.data(), d + 1, outputs_);
    gradient_matrix = partials[0].gradient / n;
    gradient_matrix.topRows(d) += l2_ * params.topRows(d);
    last_log_loss_ = partials[0].log_loss / n;
    return partials[0].weighted_loss / n + 0.5 * l2_ * params.topRows(d).squaredNorm();
  }

  double last_log_loss() const { return last_log_loss_; }

 private:
  struct Partial {
    double weighted_loss = 0;
    double log_loss = 0;
    MatrixXd gradient;
  };

  /// Adds the loss and gradient of the rows `range` to `out`, a block of rows at a time so that
  /// the pass computing the residuals and the one multiplying them by X^T share the cache.
  void EvaluateRows(RowRange range, const Eigen::Map<const MatrixXd>& params, Partial& out) const {
    const Index d = static_cast<Index>(x_.cols);
    const size_t block_rows = std::max<size_t>(kBlockValues / std::max<size_t>(x_.cols, 1), 64);
    out.gradient = MatrixXd::Zero(d + 1, outputs_);
    for (size_t begin = range.begin; begin < range.end; begin += block_rows) {
      const RowsView rows = RowsOf(x_, {begin, std::min(begin + block_rows, range.end)});
      RowMatrix z = rows * params.topRows(d);
      z.rowwise() += params.row(d);
      for (Index i = 0; i < z.rows(); ++i) {
        const int label = classes_[begin + static_cast<size_t>(i)];
        const double loss = outputs_ == 1 ? BinaryResidual(z(i, 0), label)
                                          : SoftmaxResidual(&z(i, 0), outputs_, label);
        out.weighted_loss += class_weights_[label] * loss;
        out.log_loss += loss;
        z.row(i) *= class_weights_[label];
      }
      out.gradient.topRows(d).noalias() += rows.transpose() * z;
      out.gradient.row(d) += z.colwise().sum();
    }
  }

  const Matrix& x_;
  const std::vector<int>& classes_;
  const std::vector<double>& class_weights_;
  Index outputs_;
  double l2_;
  std::vector<RowRange> chunks_;
  double last_log_loss_ = 0;
};

/// Returns the class index of each label, checking every class has examples.
std::vector<int> ClassIndexes(const Labels& y, std::vector<size_t>& counts) {
  std::vector<int> classes(y.values.size());
  counts.assign(y.num_classes, 0);
  for (size_t i = 0; i < y.values.size(); ++i) {
    const double value = y.values[i];
    if (!(value >= 0 && value < static_cast<double>(y.num_classes) && value == std::floor(value))) {
      Throw<InternalError>("logistic_reg got class index {} of {} classes", value, y.num_classes);
    }
    classes[i] = static_cast<int>(value);
    ++counts[classes[i]];
  }
  const auto present = std::count_if(counts.begin(), counts.end(), [](size_t c) { return c > 0; });
  if (present < 2) {
    Throw("logistic_reg needs examples of at least two classes; the training data has one only");
  }
  for (size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] == 0) Throw("logistic_reg: class {} has no training examples", k);
  }
  return classes;
}

/// Returns the weight of each class: 1, or n / (K * count_k) with `balanced` (scikit-learn's
/// class_weight='balanced'), so that the weights of all rows still sum to n.
std::vector<double> ClassWeights(const std::vector<size_t>& counts, bool balanced) {
  std::vector<double> weights(counts.size(), 1.0);
  if (!balanced) return weights;
  const double rows = static_cast<double>(std::accumulate(counts.begin(), counts.end(), size_t{0}));
  for (size_t k = 0; k < counts.size(); ++k) {
    weights[k] = rows / static_cast<double>(counts.size() * counts[k]);
  }
  return weights;
}

/// Returns which parameters l1_reg penalises: the weights, not the intercepts.
std::vector<bool> PenalizedParameters(Index features, Index outputs) {
  std::vector<bool> penalized(static_cast<size_t>((features + 1) * outputs), true);
  for (Index k = 0; k < outputs; ++k)
    penalized[static_cast<size_t>(k * (features + 1) + features)] = false;
  return penalized;
}

/// Returns the starting parameters: zero weights, intercepts fitting the class frequencies.
VectorXd InitialParameters(const std::vector<size_t>& counts, const std::vector<double>& weights,
                           Index features, Index outputs) {
  VectorXd theta = VectorXd::Zero((features + 1) * outputs);
  auto mass = [&](size_t k) { return std::log(static_cast<double>(counts[k]) * weights[k]); };
  if (outputs == 1) {
    theta[features] = mass(1) - mass(0);
    return theta;
  }
  for (Index k = 0; k < outputs; ++k) theta[k * (features + 1) + features] = mass(k);
  return theta;
}

double MeanLogLoss(const Matrix& probabilities, const Labels& y) {
  if (y.values.size() != probabilities.rows) Throw<InternalError>("evaluation labels mismatch");
  double sum = 0;
  for (size_t i = 0; i < probabilities.rows; ++i) {
    const double label = y.values[i];
    if (!(label >= 0 && label < static_cast<double>(probabilities.cols))) {
      Throw<InternalError>("logistic_reg got evaluation class index {}", label);
    }
    const double p = probabilities.at(i, static_cast<size_t>(label));
    sum -= std::log(std::clamp(p, kMinProbability, 1 - kMinProbability));
  }
  return probabilities.rows == 0 ? 0 : sum / static_cast<double>(probabilities.rows);
}

Matrix WeightsFromParameters(const VectorXd& theta, size_t features, size_t outputs) {
  Matrix weights(features + 1, outputs);
  Eigen::Map<RowMatrix>(weights.values.data(), static_cast<Index>(features + 1),
                        static_cast<Index>(outputs)) =
      Eigen::Map<const MatrixXd>(theta.data(), static_cast<Index>(features + 1),
                                 static_cast<Index>(outputs));
  return weights;
}

}  // namespace

LogisticRegression::LogisticRegression(Params params) : params_(std::move(params)) {}

void LogisticRegression::Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) {
  const TrainingClock clock;
  CheckTrainingData(x, y, "logistic_reg");
  if (y.num_classes < 2) Throw("logistic_reg needs at least two classes, got {}", y.num_classes);
  std::vector<size_t> counts;
  const std::vector<int> classes = ClassIndexes(y, counts);
  const auto [l1, l2] = Regularization(params_, "logistic_reg");
  const std::vector<double> class_weights =
      ClassWeights(counts, params_.Flag("auto_class_weights", false));
  num_classes_ = y.num_classes;
  const Index d = static_cast<Index>(x.cols);
  const Index outputs = num_classes_ == 2 ? 1 : static_cast<Index>(num_classes_);
  LogisticObjective objective(x, classes, class_weights, outputs, l2, threads);
  info_.clear();
  auto on_iteration = [&](const VectorXd& theta) {
    weights_ = WeightsFromParameters(theta, x.cols, static_cast<size_t>(outputs));
    std::optional<double> eval_loss;
    if (eval != nullptr) eval_loss = MeanLogLoss(Predict(eval->x, threads), eval->y);
    clock.Append(info_, objective.last_log_loss(), eval_loss);
  };
  const OwlQnOptions options{.max_iterations = params_.Integer("max_iterations", 100),
                             .min_rel_progress = params_.Number("min_rel_progress", 1e-6),
                             .l1_weight = l1,
                             .penalized = PenalizedParameters(d, outputs)};
  auto f = [&](const VectorXd& t, VectorXd& g) { return objective.Evaluate(t, g); };
  const OwlQnResult result =
      MinimizeOwlQn(f, InitialParameters(counts, class_weights, d, outputs), options, on_iteration);
  if (info_.empty()) {  // already optimal at the start: record that point
    VectorXd gradient;
    objective.Evaluate(result.x, gradient);
    on_iteration(result.x);
  }
}

Matrix LogisticRegression::Predict(const Matrix& x, int threads) const {
  CheckFeatureCount(x, weights_, "logistic_reg");
  const Index d = static_cast<Index>(x.cols);
  const Index outputs = static_cast<Index>(weights_.cols);
  const Eigen::Map<const RowMatrix> params(weights_.values.data(), d + 1, outputs);
  Matrix out(x.rows, num_classes_);
  ForEachChunk(RowChunks(x.rows, threads), [&](size_t, RowRange range) {
    RowMatrix z = RowsOf(x, range) * params.topRows(d);
    z.rowwise() += params.row(d);
    for (Index i = 0; i < z.rows(); ++i) {
      double* probabilities = out.row(range.begin + static_cast<size_t>(i));
      if (outputs == 1) {
        probabilities[1] = Sigmoid(z(i, 0));
        probabilities[0] = 1 - probabilities[1];
      } else {
        Softmax(&z(i, 0), outputs);
        std::copy_n(&z(i, 0), outputs, probabilities);
      }
    }
  });
  return out;
}

boost::json::object LogisticRegression::Save(std::string& blob) const {
  blob.clear();
  return {{"model_type", "logistic_reg"},
          {"num_classes", num_classes_},
          {"weights", MatrixToJson(weights_)},
          {"training_info", TrainingInfoToJson(info_)}};
}

void LogisticRegression::Load(const boost::json::object& state, const std::string& /*blob*/) {
  ReadEstimatorState("logistic_reg", [&] {
    const size_t num_classes = state.at("num_classes").to_number<size_t>();
    Matrix weights = MatrixFromJson(state.at("weights"));
    const size_t outputs = num_classes == 2 ? 1 : num_classes;
    if (num_classes < 2 || weights.rows == 0 || weights.cols != outputs) {
      Throw<InternalError>("bad weights shape for {} classes", num_classes);
    }
    info_ = TrainingInfoFromJson(state.at("training_info"));
    num_classes_ = num_classes;
    weights_ = std::move(weights);
  });
}

}  // namespace sluice::ml
