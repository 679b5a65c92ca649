#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>
#include <boost/json.hpp>

#include "base/error.h"
#include "ml/estimator_state.h"
#include "ml/linear_inputs.h"
#include "ml/linear_model.h"
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
/// With `ranks`, `x` is this rank's share and the sums are over every rank's rows.
class LogisticObjective {
 public:
  LogisticObjective(const Matrix& x, const std::vector<int>& classes,
                    const std::vector<double>& class_weights, Index outputs, double l2, int threads,
                    RankReducer* ranks)
      : x_(x),
        classes_(classes),
        class_weights_(class_weights),
        outputs_(outputs),
        l2_(l2),
        chunks_(RowChunks(x.rows, threads)),
        ranks_(ranks) {}

  /// Returns the objective at `theta` and sets `gradient`; remembers the point's unweighted mean
  /// log loss for last_log_loss().
  double Evaluate(const VectorXd& theta, VectorXd& gradient) {
    const Index d = static_cast<Index>(x_.cols);
    const Eigen::Map<const MatrixXd> params(theta.data(), d + 1, outputs_);
    std::vector<Partial> partials(std::max<size_t>(chunks_.size(), 1));
    partials[0].gradient = MatrixXd::Zero(d + 1, outputs_);
    ForEachChunk(chunks_, [&](size_t c, RowRange r) { EvaluateRows(r, params, partials[c]); });
    for (size_t c = 1; c < partials.size(); ++c) {
      partials[0].weighted_loss += partials[c].weighted_loss;
      partials[0].log_loss += partials[c].log_loss;
      partials[0].gradient += partials[c].gradient;
    }
    const double n = ranks_ == nullptr ? static_cast<double>(x_.rows) : SumOverRanks(partials[0]);
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

  /// Replaces `sum` with its sum over the ranks (one allreduce); returns the rows of all ranks.
  double SumOverRanks(Partial& sum) const {
    const Index size = sum.gradient.size();
    std::vector<double> values(static_cast<size_t>(size) + 3);
    Eigen::Map<MatrixXd>(values.data(), sum.gradient.rows(), sum.gradient.cols()) = sum.gradient;
    values[size] = sum.weighted_loss;
    values[size + 1] = sum.log_loss;
    values[size + 2] = static_cast<double>(x_.rows);
    ranks_->AllReduce(values, Reduction::kSum);
    sum.gradient =
        Eigen::Map<const MatrixXd>(values.data(), sum.gradient.rows(), sum.gradient.cols());
    sum.weighted_loss = values[size];
    sum.log_loss = values[size + 1];
    return values[size + 2];
  }

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
  RankReducer* ranks_;  // null: `x_` holds every row
  double last_log_loss_ = 0;
};

/// Returns the class index of each label and, in `counts`, the rows of each class.
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
  return classes;
}

/// Throws UserError unless every class has examples.
void CheckClassCounts(const std::vector<size_t>& counts) {
  const auto present = std::count_if(counts.begin(), counts.end(), [](size_t c) { return c > 0; });
  if (present < 2) {
    Throw("logistic_reg needs examples of at least two classes; the training data has one only");
  }
  for (size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] == 0) Throw("logistic_reg: class {} has no training examples", k);
  }
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

/// Returns MeanLogLoss over every rank's rows (`ranks` null: this process's).
double EvalLogLoss(const Matrix& probabilities, const Labels& y, RankReducer* ranks) {
  if (ranks == nullptr) return MeanLogLoss(probabilities, y);
  const double rows = static_cast<double>(probabilities.rows);
  std::vector<double> sums{MeanLogLoss(probabilities, y) * rows, rows};
  ranks->AllReduce(sums, Reduction::kSum);
  return sums[1] == 0 ? 0 : sums[0] / sums[1];
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
  CheckTrainingData(x, y, "logistic_reg", false, threads);
  if (y.num_classes < 2) Throw("logistic_reg needs at least two classes, got {}", y.num_classes);
  std::vector<size_t> counts;
  const std::vector<int> classes = ClassIndexes(y, counts);
  CheckClassCounts(counts);
  Minimize(x, classes, counts, eval, threads, nullptr, clock);
}

void LogisticRegression::FitShares(const Matrix& x, const Labels& y, const EvalSet* eval,
                                   int threads, RankReducer& ranks) {
  const TrainingClock clock;
  if (y.num_classes < 2) Throw("logistic_reg needs at least two classes, got {}", y.num_classes);
  std::vector<size_t> counts;
  std::vector<int> classes;
  RunTogether(ranks, [&] {
    CheckTrainingData(x, y, "logistic_reg", true, threads);
    classes = ClassIndexes(y, counts);
  });
  std::vector<int64_t> all_counts(counts.begin(), counts.end());
  ranks.AllReduce(all_counts, Reduction::kSum);
  counts.assign(all_counts.begin(), all_counts.end());
  if (std::accumulate(counts.begin(), counts.end(), size_t{0}) == 0) {
    Throw("logistic_reg cannot train on an empty input");
  }
  CheckClassCounts(counts);
  Minimize(x, classes, counts, eval, threads, &ranks, clock);
}

void LogisticRegression::Minimize(const Matrix& x, const std::vector<int>& classes,
                                  const std::vector<size_t>& counts, const EvalSet* eval,
                                  int threads, RankReducer* ranks, const TrainingClock& clock) {
  const auto [l1, l2] = Regularization(params_, "logistic_reg");
  const std::vector<double> class_weights =
      ClassWeights(counts, params_.Flag("auto_class_weights", false));
  num_classes_ = counts.size();
  const Index d = static_cast<Index>(x.cols);
  const Index outputs = num_classes_ == 2 ? 1 : static_cast<Index>(num_classes_);
  LogisticObjective objective(x, classes, class_weights, outputs, l2, threads, ranks);
  info_.clear();
  auto on_iteration = [&](const VectorXd& theta) {
    weights_ = WeightsFromParameters(theta, x.cols, static_cast<size_t>(outputs));
    std::optional<double> eval_loss;
    if (eval != nullptr) eval_loss = EvalLogLoss(Predict(eval->x, threads), eval->y, ranks);
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
