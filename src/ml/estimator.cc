#include "ml/estimator.h"

#include "base/error.h"

namespace sluice::ml {

void Estimator::FitShares(const Matrix& /*x*/, const Labels& /*y*/, const EvalSet* /*eval*/,
                          int /*threads*/, RankReducer& /*ranks*/) {
  Throw<InternalError>("this estimator trains on all rows only, not on shares of them");
}

}  // namespace sluice::ml
