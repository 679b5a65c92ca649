#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ml/matrix.h"
#include "ml/params.h"
#include "ml/rank_reducer.h"

namespace sluice::ml {

/// Is one iteration of training (ML.TRAINING_INFO): the training loss and, when an evaluation
/// set was given, its loss; the time since training started.
struct TrainingIteration {
  int64_t iteration = 0;  // from 0
  double loss = 0;
  std::optional<double> eval_loss;
  double duration_ms = 0;
};

/// Is the examples held out to watch training (early stopping, loss per iteration).
struct EvalSet {
  const Matrix& x;
  const Labels& y;
};

/// Is a trainable model over numeric features (preprocessing happens before: see features.h).
/// Predict's output per row: one column with the value for a regression; one probability per
/// class for a classification (rows sum to 1); one squared distance per centroid for k-means.
/// An estimator is trained once; after Fit or Load it is read-only and thread-safe to Predict.
class Estimator {
 public:
  virtual ~Estimator() = default;
  /// Trains on `x`, `y` using at most `threads` threads. `eval` may be null. Throws UserError
  /// for data it cannot learn from (e.g. one class only), naming what is wrong.
  virtual void Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) = 0;
  /// Trains data-parallel: `x`, `y` (and `eval`'s rows) are this rank's share of rows spread
  /// over `ranks`, any of them possibly empty. A collective: every rank calls it with the same
  /// params and `eval` null on every rank or on none, and ends with the same state (up to the
  /// rounding of sums across ranks), the losses in training_info() over all rows. This
  /// default, for estimators that train on all rows only, throws InternalError; see
  /// TrainsOnShares (trainer.h), where an estimator that overrides it is switched on.
  virtual void FitShares(const Matrix& x, const Labels& y, const EvalSet* eval, int threads,
                         RankReducer& ranks);
  /// Returns the outputs for `x` (see the class comment).
  virtual Matrix Predict(const Matrix& x, int threads) const = 0;
  /// Returns the loss per iteration of the last Fit.
  virtual const std::vector<TrainingIteration>& training_info() const = 0;
  /// Returns the learned state as JSON (with the training info); `blob` receives any binary
  /// part (an XGBoost booster), left empty when there is none. Load restores both.
  virtual boost::json::object Save(std::string& blob) const = 0;
  virtual void Load(const boost::json::object& state, const std::string& blob) = 0;
};

}  // namespace sluice::ml
