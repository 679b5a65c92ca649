#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"

namespace sluice::catalog {

/// Is a value (as text) and how often it occurs; counts of heavy hitters are estimates that
/// never undercount by more than the sketch's error bound.
struct ValueCount {
  std::string value;
  int64_t count = 0;
};

/// Is one bin of an equi-width histogram over [lower, upper) (the last bin includes upper).
struct HistogramBin {
  double lower = 0;
  double upper = 0;
  int64_t count = 0;
};

/// Is a bottom-k MinHash signature of a column's distinct values: the k smallest distinct
/// 64-bit hashes (ascending). With fewer than k distinct values it holds all of them (exact).
struct MinHashSignature {
  std::vector<uint64_t> hashes;
};

/// Is the profile of one column, computed in one pass with mergeable sketches.
struct ColumnProfile {
  std::string name;
  core::TypeId type = core::TypeId::kVarchar;
  int64_t rows = 0;      // values seen, NULLs included
  int64_t non_null = 0;  // values that are not NULL
  double null_fraction = 0;
  double distinct = 0;  // HyperLogLog estimate of distinct non-NULL values (exact when small)
  std::optional<std::string> min;  // as text, as Sluice prints values; none when all NULL
  std::optional<std::string> max;
  std::optional<double> mean;  // numeric columns (BOOLEAN as 0/1 excluded)
  std::optional<double> stddev;
  /// (rank, value) pairs at ranks 0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1 for numeric,
  /// DATE and TIMESTAMP columns (dates as days, timestamps as microseconds since the epoch).
  std::vector<std::pair<double, double>> quantiles;
  std::vector<ValueCount> top_values;   // most frequent first, at most ProfileOptions::top_k
  std::vector<HistogramBin> histogram;  // numeric, DATE, TIMESTAMP: equi-width over [min, max]
  // VARCHAR columns: lengths in characters (UTF-8 code points).
  std::optional<int64_t> min_length;
  std::optional<int64_t> max_length;
  std::optional<double> mean_length;
  /// VARCHAR columns: the narrowest type most values parse as (BOOLEAN, BIGINT, DOUBLE, DATE,
  /// TIMESTAMP, else VARCHAR) and the share of non-NULL values that do not parse as it.
  /// Other columns: their own type and 0.
  core::TypeId inferred_type = core::TypeId::kVarchar;
  double type_failure_fraction = 0;
  /// A uniform sample of non-NULL values as text (at most ProfileOptions::sample_size).
  std::vector<std::string> sample;
  /// VARCHAR, INTEGER and BIGINT columns: the MinHash signature of the distinct values (as
  /// text, so that "SFO" in one file and "SFO" in another hash alike, and 42 and "42" too).
  MinHashSignature signature;
};

/// Estimates the share of the distinct values of `a` that also occur in `b` (containment,
/// in [0, 1]) from their signatures and distinct counts.
double EstimateContainment(const MinHashSignature& a, double a_distinct, const MinHashSignature& b,
                           double b_distinct);

}  // namespace sluice::catalog
