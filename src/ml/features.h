#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "ml/matrix.h"
#include "ml/rank_reducer.h"
#include "ml/table.h"

namespace sluice::ml {

/// Names how an input column becomes features.
enum class FeatureKind {
  kNumeric,      // INTEGER, BIGINT, DOUBLE, BOOLEAN: one feature
  kCategorical,  // VARCHAR: one-hot, one feature per kept category (+ "other")
  kDate,         // DATE: year, month, day, dayofweek, dayofyear
  kTimestamp,    // TIMESTAMP: the date parts, then hour and minute
};

/// Is what training learned about one numeric feature: its statistics over the training rows
/// (ML.FEATURE_INFO) and, for models that want it, the standardization applied.
struct NumericStats {
  double min = 0;
  double max = 0;
  double mean = 0;
  double median = 0;
  double stddev = 0;
};

/// Is one input column's preprocessing, fitted on the training rows.
struct FeatureColumn {
  std::string name;
  core::TypeId type = core::TypeId::kDouble;
  FeatureKind kind = FeatureKind::kNumeric;
  size_t null_count = 0;
  std::vector<NumericStats> stats;      // numeric: one; date/time: one per part
  std::vector<std::string> categories;  // categorical: kept, most frequent first
  bool other = false;                   // categorical: an "other" feature for the rest
  size_t category_count = 0;            // categorical: distinct values seen in training
};

/// Is the preprocessing of a model, saved with it and applied identically at prediction:
/// numeric values (and date parts) standardized with the training mean and standard deviation
/// and NULLs replaced by the mean (when `standardize`; tree models see raw values and NaN for
/// NULL), strings one-hot encoded over the `max_categories` most frequent training values with
/// an `other` feature for the rest. A string never seen in training counts as `other` when the
/// model has that feature, else it sets no feature (all zeros), as a NULL does.
struct FeatureSpec {
  std::vector<FeatureColumn> columns;
  bool standardize = true;

  /// Returns the name of each feature (matrix column): `distance`, `origin_SFO`,
  /// `origin__other_`, `date_year`, ...
  std::vector<std::string> FeatureNames() const;
  /// Returns the index of the first feature of each input column, and the total at the end.
  std::vector<size_t> Offsets() const;
};

/// Is how features are fitted.
struct FeatureOptions {
  bool standardize = true;
  size_t max_categories = 100;  // one-hot features per string column, besides `other`
};

/// Returns the preprocessing fitted on every column of `table` not in `excluded`, the columns
/// on up to `threads` threads (0: the scheduler's count). Throws UserError when no feature
/// column is left. With `ranks` (a collective), `table` is this rank's share of the rows and the
/// preprocessing is fitted on every rank's, one column after another: sums, extremes and
/// category counts combined over the ranks, medians exact; every rank gets the same spec, the
/// one a single process would fit on all the rows (up to the rounding of sums).
FeatureSpec FitFeatures(const Table& table, const std::vector<std::string>& excluded,
                        const FeatureOptions& options, RankReducer* ranks = nullptr,
                        int threads = 1);

/// Returns the features of `table`'s rows (one matrix row each), filled over row chunks on up
/// to `threads` threads (0: the scheduler's count). Throws UserError naming the column when a
/// feature column is missing or has a type that cannot stand for the trained one.
Matrix MakeFeatures(const FeatureSpec& spec, const Table& table, int threads = 1);

/// Returns `spec` as JSON, and back.
boost::json::object FeatureSpecToJson(const FeatureSpec& spec);
FeatureSpec FeatureSpecFromJson(const boost::json::object& json);

}  // namespace sluice::ml
