#pragma once

#include <cstddef>
#include <vector>

#include "ml/estimator.h"
#include "ml/rank_reducer.h"

namespace sluice::ml {

class XGBoostCollective;

/// Checks that `x`, `y` and `eval` (may be null) agree in shape and that there is something to
/// learn from. Throws InternalError for shapes that disagree, UserError for no rows or features.
void CheckTreeInputs(const Matrix& x, const Labels& y, const EvalSet* eval);

/// Returns how many labels of `y` fall in each of its classes. Throws InternalError for a label
/// that is not a class index.
std::vector<double> CountClasses(const Labels& y);

/// Returns the number of classes of `y`, throwing UserError unless two of them occur in `y`.
size_t CheckClasses(const Labels& y);

/// Is what the members of a collective agree on before training a tree model together.
struct ShardAgreement {
  size_t num_classes = 0;  // 0 for a regression
  bool has_eval = false;   // some member has evaluation rows
};

/// Checks this member's rows `x`, `y`, `eval` (may be null) and, with the other members of
/// `collective` (a collective call), that together they have rows, the same features and
/// classes, and for a classifier (`num_classes` of `y` above 0) two classes that occur. When
/// any member's rows fail, every member throws (that member its own error), so none is left
/// waiting in XGBoost.
ShardAgreement AgreeOnShards(const XGBoostCollective& collective, bool classification,
                             const Matrix& x, const Labels& y, const EvalSet* eval);

/// Checks this rank's share `x`, `y`, `eval` (may be null) of a tree model's rows with the other
/// ranks (a collective over `ranks`): shapes, finite labels, no infinite feature (NaN is a
/// missing value), training rows on some rank, and for a `classification` two classes that
/// occur over all ranks. The checks AgreeOnShards makes inside XGBoost, made first over `ranks`
/// so that a bad share fails every rank with the same error (that of the lowest rank whose own
/// share is bad) before any rank waits in XGBoost, where a rank that throws alone leaves the
/// others waiting.
void CheckTreeShares(RankReducer& ranks, bool classification, const Matrix& x, const Labels& y,
                     const EvalSet* eval);

}  // namespace sluice::ml
