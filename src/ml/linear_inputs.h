#pragma once

#include <string_view>
#include <utility>

#include "ml/matrix.h"
#include "ml/params.h"

namespace sluice::ml {

// Checks shared by the linear estimators (linear_model.cc, logistic_regression.cc).

/// Throws UserError unless `x` has rows (or `share`: this rank's share, which may be empty), all
/// finite; InternalError unless `y` matches it. Reads `x` on up to `threads` threads.
void CheckTrainingData(const Matrix& x, const Labels& y, std::string_view model, bool share = false,
                       int threads = 1);

/// Throws InternalError unless the model was trained on as many features as `x` has.
void CheckFeatureCount(const Matrix& x, const Matrix& weights, std::string_view model);

/// Returns the regularization strengths l1_reg and l2_reg, checked to be >= 0.
std::pair<double, double> Regularization(const Params& params, std::string_view model);

}  // namespace sluice::ml
