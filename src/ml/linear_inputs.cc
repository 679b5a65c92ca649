#include "ml/linear_inputs.h"

#include <cmath>

#include "base/error.h"
#include "ml/gram.h"

namespace sluice::ml {

void CheckTrainingData(const Matrix& x, const Labels& y, std::string_view model, bool share,
                       int threads) {
  if (x.rows == 0 && !share) Throw("{} cannot train on an empty input", model);
  if (y.values.size() != x.rows) {
    Throw<InternalError>("{} got {} labels for {} rows", model, y.values.size(), x.rows);
  }
  // A column with an infinity or a NaN has a sum that is not finite, and the sums take one
  // vectorized pass on every thread; only then (or when a sum overflows) look value by value.
  if (ColumnSums(x, threads).allFinite()) return;
  for (size_t i = 0; i < x.values.size(); ++i) {
    if (std::isfinite(x.values[i])) continue;
    Throw("{} needs imputed, finite features: feature {} of row {} is {}", model, i % x.cols,
          i / x.cols, x.values[i]);
  }
}

void CheckFeatureCount(const Matrix& x, const Matrix& weights, std::string_view model) {
  if (weights.rows == 0) Throw<InternalError>("{} predicts before it was trained", model);
  if (x.cols + 1 != weights.rows) {
    Throw<InternalError>("{} was trained on {} features, got {}", model, weights.rows - 1, x.cols);
  }
}

std::pair<double, double> Regularization(const Params& params, std::string_view model) {
  const double l1 = params.Number("l1_reg", 0);
  const double l2 = params.Number("l2_reg", 0);
  if (!(l1 >= 0) || !(l2 >= 0)) Throw("{} needs l1_reg, l2_reg >= 0, got {}, {}", model, l1, l2);
  return {l1, l2};
}

}  // namespace sluice::ml
