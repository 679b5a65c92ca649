#include "ml/tree_inputs.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <string_view>

#include "base/error.h"
#include "ml/xgboost_collective.h"

namespace sluice::ml {
namespace {

// This member's part of the numbers the members sum first, by index: all doubles, so that one
// allreduce carries them. That every member has the same value v is checked through the sums of
// v and v^2: n * sum(v^2) == sum(v)^2 only when all n values are equal.
constexpr size_t kFailed = 0;  // 1 when this member's own rows are wrong
constexpr size_t kRows = 1;
constexpr size_t kEvalRows = 2;
constexpr size_t kCols = 3;     // and kCols + 1: its square
constexpr size_t kClasses = 5;  // and kClasses + 1: its square
constexpr size_t kNumSums = 7;

/// Throws InternalError unless the members' values of `sums[index]` are all equal.
void CheckEqual(const std::vector<double>& sums, size_t index, int members, const char* what) {
  if (members * sums[index + 1] != sums[index] * sums[index]) {
    Throw<InternalError>("the members of XGBoost's collective disagree on the number of {}", what);
  }
}

/// Throws InternalError when `x`, `y` and `eval` (may be null) disagree in shape.
void CheckShapes(const Matrix& x, const Labels& y, const EvalSet* eval) {
  if (x.values.size() != x.rows * x.cols || y.values.size() != x.rows) {
    Throw<InternalError>("boosted trees: {} x {} features with {} values and {} labels", x.rows,
                         x.cols, x.values.size(), y.values.size());
  }
  if (eval != nullptr && (eval->x.cols != x.cols || eval->y.values.size() != eval->x.rows ||
                          eval->x.values.size() != eval->x.rows * eval->x.cols)) {
    Throw<InternalError>("boosted trees: the evaluation set ({} x {}, {} labels) does not match",
                         eval->x.rows, eval->x.cols, eval->y.values.size());
  }
}

/// Returns this member's numbers to sum; when its rows are wrong, sets kFailed and `error`.
std::vector<double> LocalSums(bool classification, const Matrix& x, const Labels& y,
                              const EvalSet* eval, std::vector<double>& class_counts,
                              std::exception_ptr& error) {
  std::vector<double> sums(kNumSums, 0);
  try {
    CheckShapes(x, y, eval);
    if (classification) class_counts = CountClasses(y);
    sums[kRows] = static_cast<double>(x.rows);
    sums[kEvalRows] = eval != nullptr ? static_cast<double>(eval->x.rows) : 0;
  } catch (const std::exception&) {
    error = std::current_exception();
    sums[kFailed] = 1;
  }
  sums[kCols] = static_cast<double>(x.cols);
  sums[kCols + 1] = sums[kCols] * sums[kCols];
  sums[kClasses] = static_cast<double>(y.num_classes);
  sums[kClasses + 1] = sums[kClasses] * sums[kClasses];
  return sums;
}

/// Throws UserError for a label that is not finite or a feature that is infinite in `rows`.
void CheckFinite(const Matrix& x, const Labels& y, std::string_view rows) {
  for (double label : y.values) {
    if (!std::isfinite(label))
      Throw<UserError>("boosted trees: {} rows have the label {}", rows, label);
  }
  for (double value : x.values) {
    if (std::isinf(value))
      Throw<UserError>("boosted trees: {} rows have the feature value {}", rows, value);
  }
}

}  // namespace

void CheckTreeInputs(const Matrix& x, const Labels& y, const EvalSet* eval) {
  CheckShapes(x, y, eval);
  if (x.rows == 0) Throw<UserError>("boosted trees need at least one training row");
  if (x.cols == 0) Throw<UserError>("boosted trees need at least one feature");
}

std::vector<double> CountClasses(const Labels& y) {
  std::vector<double> counts(y.num_classes, 0);
  for (double value : y.values) {
    if (!(value >= 0 && value < static_cast<double>(y.num_classes)) || value != std::floor(value)) {
      Throw<InternalError>("class index {} is not in 0..{}", value,
                           static_cast<double>(y.num_classes) - 1);
    }
    counts[static_cast<size_t>(value)] += 1;
  }
  return counts;
}

size_t CheckClasses(const Labels& y) {
  if (y.num_classes < 2) {
    Throw<UserError>("a classifier needs at least two classes, the label has {}", y.num_classes);
  }
  std::vector<double> counts = CountClasses(y);
  if (std::count_if(counts.begin(), counts.end(), [](double count) { return count > 0; }) < 2) {
    Throw<UserError>("a classifier needs training examples of at least two classes, all have one");
  }
  return y.num_classes;
}

ShardAgreement AgreeOnShards(const XGBoostCollective& collective, bool classification,
                             const Matrix& x, const Labels& y, const EvalSet* eval) {
  std::vector<double> class_counts;
  std::exception_ptr error;
  std::vector<double> sums = LocalSums(classification, x, y, eval, class_counts, error);
  collective.SumAll(sums);
  if (error) std::rethrow_exception(error);
  if (sums[kFailed] > 0) {
    Throw<UserError>("{} other member(s) of XGBoost's collective rejected their rows",
                     sums[kFailed]);
  }
  CheckEqual(sums, kCols, collective.world_size(), "features");
  CheckEqual(sums, kClasses, collective.world_size(), "classes");
  if (sums[kRows] == 0) Throw<UserError>("boosted trees need at least one training row");
  if (x.cols == 0) Throw<UserError>("boosted trees need at least one feature");
  ShardAgreement agreement{0, sums[kEvalRows] > 0};
  if (!classification) return agreement;
  if (y.num_classes < 2) {
    Throw<UserError>("a classifier needs at least two classes, the label has {}", y.num_classes);
  }
  collective.SumAll(class_counts);  // same length everywhere: checked above
  if (std::count_if(class_counts.begin(), class_counts.end(), [](double n) { return n > 0; }) < 2) {
    Throw<UserError>("a classifier needs training examples of at least two classes, all have one");
  }
  agreement.num_classes = y.num_classes;
  return agreement;
}

void CheckTreeShares(RankReducer& ranks, bool classification, const Matrix& x, const Labels& y,
                     const EvalSet* eval) {
  std::vector<double> class_counts(classification ? y.num_classes : 0, 0);
  RunTogether(ranks, [&] {
    CheckShapes(x, y, eval);
    CheckFinite(x, y, "training");
    if (eval != nullptr) CheckFinite(eval->x, eval->y, "evaluation");
    if (classification) class_counts = CountClasses(y);
  });
  // The features and classes come from one spec shared by every rank: these decide alike.
  if (SumOverRanks(ranks, x.rows) == 0) {
    Throw<UserError>("boosted trees need at least one training row");
  }
  if (x.cols == 0) Throw<UserError>("boosted trees need at least one feature");
  if (!classification) return;
  if (y.num_classes < 2) {
    Throw<UserError>("a classifier needs at least two classes, the label has {}", y.num_classes);
  }
  ranks.AllReduce(class_counts, Reduction::kSum);
  if (std::count_if(class_counts.begin(), class_counts.end(), [](double n) { return n > 0; }) < 2) {
    Throw<UserError>("a classifier needs training examples of at least two classes, all have one");
  }
}

}  // namespace sluice::ml
