#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sluice::catalog {

/// Is the count, range and moments of a column's numbers: groups of values merge with Chan et
/// al.'s update of the mean and the sum of squared deviations (m2). Integers keep their exact
/// range too. Internal to the column profiler.
struct Moments {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;
  double low = 0;
  double high = 0;
  int64_t int_low = 0;
  int64_t int_high = 0;

  /// Adds a group of `n` values with the given mean, m2 and range.
  void AddGroup(int64_t n, double group_mean, double group_m2, double group_low, double group_high,
                int64_t group_int_low, int64_t group_int_high) {
    if (n == 0) return;
    if (count == 0) {
      *this = {n, group_mean, group_m2, group_low, group_high, group_int_low, group_int_high};
      return;
    }
    auto a = static_cast<double>(count);
    auto b = static_cast<double>(n);
    double delta = group_mean - mean;
    mean += delta * b / (a + b);
    m2 += group_m2 + delta * delta * a * b / (a + b);
    low = std::min(low, group_low);
    high = std::max(high, group_high);
    int_low = std::min(int_low, group_int_low);
    int_high = std::max(int_high, group_int_high);
    count += n;
  }
  /// Adds `n` copies of one value.
  void AddValue(double value, int64_t integer, int64_t n) {
    AddGroup(n, value, 0, value, value, integer, integer);
  }
  /// Adds the values, NaN-free; `integer_low` and `integer_high` are their exact range when
  /// they are integers.
  void AddValues(std::span<const double> values, int64_t integer_low, int64_t integer_high) {
    if (values.empty()) return;
    double group_low = values[0];
    double group_high = values[0];
    for (double value : values) {
      group_low = value < group_low ? value : group_low;
      group_high = value > group_high ? value : group_high;
    }
    double group_mean = Sum(values, 0, false) / static_cast<double>(values.size());
    double group_m2 = Sum(values, group_mean, true);
    AddGroup(static_cast<int64_t>(values.size()), group_mean, group_m2, group_low, group_high,
             integer_low, integer_high);
  }
  /// Adds values[i] weights[i] times each, NaN-free; `integer_low` and `integer_high` as above.
  void AddWeightedValues(std::span<const double> values, std::span<const int64_t> weights,
                         int64_t integer_low, int64_t integer_high) {
    if (values.empty()) return;
    double group_low = values[0];
    double group_high = values[0];
    double sum = 0;
    int64_t n = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      group_low = values[i] < group_low ? values[i] : group_low;
      group_high = values[i] > group_high ? values[i] : group_high;
      sum += values[i] * static_cast<double>(weights[i]);
      n += weights[i];
    }
    double group_mean = sum / static_cast<double>(n);
    double group_m2 = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      double deviation = values[i] - group_mean;
      group_m2 += deviation * deviation * static_cast<double>(weights[i]);
    }
    AddGroup(n, group_mean, group_m2, group_low, group_high, integer_low, integer_high);
  }
  void Merge(const Moments& other) {
    AddGroup(other.count, other.mean, other.m2, other.low, other.high, other.int_low,
             other.int_high);
  }

  /// Returns the sum of `values` (minus `center`, squared, when `squares`), in four lanes so
  /// that the additions overlap.
  static double Sum(std::span<const double> values, double center, bool squares) {
    double lanes[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= values.size(); i += 4) {
      for (size_t lane = 0; lane < 4; ++lane) {
        double value = values[i + lane] - center;
        lanes[lane] += squares ? value * value : value;
      }
    }
    for (; i < values.size(); ++i) {
      double value = values[i] - center;
      lanes[0] += squares ? value * value : value;
    }
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  }
};

/// Is what a VARCHAR column's values add up to: range, lengths in code points, and how many
/// parse as each type (io::csv::FitBits, bit 0 BOOLEAN to bit 4 TIMESTAMP). Internal to the
/// column profiler.
struct StringStats {
  static constexpr int kFitTypes = 5;

  int64_t values = 0;
  int64_t length_sum = 0;
  int64_t min_length = 0;
  int64_t max_length = 0;
  std::string min;
  std::string max;
  int64_t fits[kFitTypes] = {};

  /// Adds `count` copies of `text`, of `length` code points, parsing as `fit_bits`.
  void Add(std::string_view text, int64_t length, uint8_t fit_bits, int64_t count) {
    int64_t fit_counts[kFitTypes];
    for (int bit = 0; bit < kFitTypes; ++bit) fit_counts[bit] = ((fit_bits >> bit) & 1) * count;
    Add(text, text, count, length * count, length, length, fit_counts);
  }
  /// Adds `count` values ranging from `low` to `high`, of `lengths` code points in all, from
  /// `min_length` to `max_length` each, of which `fit_counts[bit]` parse as type `bit`.
  void Add(std::string_view low, std::string_view high, int64_t count, int64_t lengths,
           int64_t shortest, int64_t longest, const int64_t* fit_counts) {
    if (count == 0) return;
    if (values == 0 || shortest < min_length) min_length = shortest;
    if (values == 0 || longest > max_length) max_length = longest;
    if (values == 0 || low < min) min.assign(low);
    if (values == 0 || high > max) max.assign(high);
    values += count;
    length_sum += lengths;
    for (int bit = 0; bit < kFitTypes; ++bit) fits[bit] += fit_counts[bit];
  }
  void Merge(const StringStats& other) {
    Add(other.min, other.max, other.values, other.length_sum, other.min_length, other.max_length,
        other.fits);
  }
};

}  // namespace sluice::catalog
