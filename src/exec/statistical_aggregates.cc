#include <cmath>
#include <cstdint>
#include <optional>

#include "exec/aggregate_adapter.h"
#include "exec/aggregate_function.h"
#include "exec/aggregate_kernels.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

// Welford's running moments. Combine uses Chan et al.'s pairwise formula, which is exact in
// real arithmetic, so any merge order gives the same answer up to rounding (~1e-15 relative).
struct MomentState {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from the mean

  void Update(double value) {
    ++count;
    double delta = value - mean;
    mean += delta / static_cast<double>(count);
    m2 += delta * (value - mean);
  }
  void Combine(const MomentState& other) {
    if (other.count == 0) return;
    if (count == 0) {
      *this = other;
      return;
    }
    double total = static_cast<double>(count + other.count);
    double delta = other.mean - mean;
    double weight = static_cast<double>(count) * static_cast<double>(other.count) / total;
    mean += delta * static_cast<double>(other.count) / total;
    m2 += other.m2 + delta * delta * weight;
    count += other.count;
  }
};

enum class Moment { kVarianceSample, kVariancePopulation, kStddevSample, kStddevPopulation };

template <Moment kMoment>
struct VarianceState : MomentState {
  void Finalize(Vector& out, size_t row) const {
    constexpr bool kSample = kMoment == Moment::kVarianceSample || kMoment == Moment::kStddevSample;
    // PostgreSQL: a sample statistic of one row is NULL, a population one is 0.
    if (count == 0 || (kSample && count == 1)) return out.SetNull(row);
    double variance = m2 / static_cast<double>(kSample ? count - 1 : count);
    bool root = kMoment == Moment::kStddevSample || kMoment == Moment::kStddevPopulation;
    out.data<double>()[row] = root ? std::sqrt(variance) : variance;
  }
};

// Co-moments of (y, x) pairs; argument order follows SQL: corr(y, x), regr_slope(y, x).
struct CoMomentState {
  int64_t count = 0;
  double mean_y = 0, mean_x = 0;
  double m2_y = 0, m2_x = 0;
  double c_xy = 0;  // sum of (x - mean_x) * (y - mean_y)

  void Update(double y, double x) {
    ++count;
    double n = static_cast<double>(count);
    double delta_x = x - mean_x;
    double delta_y = y - mean_y;
    mean_x += delta_x / n;
    mean_y += delta_y / n;
    m2_x += delta_x * (x - mean_x);
    m2_y += delta_y * (y - mean_y);
    c_xy += delta_x * (y - mean_y);
  }
  void Combine(const CoMomentState& other) {
    if (other.count == 0) return;
    if (count == 0) {
      *this = other;
      return;
    }
    double total = static_cast<double>(count + other.count);
    double weight = static_cast<double>(count) * static_cast<double>(other.count) / total;
    double delta_x = other.mean_x - mean_x;
    double delta_y = other.mean_y - mean_y;
    mean_x += delta_x * static_cast<double>(other.count) / total;
    mean_y += delta_y * static_cast<double>(other.count) / total;
    m2_x += other.m2_x + delta_x * delta_x * weight;
    m2_y += other.m2_y + delta_y * delta_y * weight;
    c_xy += other.c_xy + delta_x * delta_y * weight;
    count += other.count;
  }
};

enum class CoMoment {
  kCovariancePopulation,
  kCovarianceSample,
  kCorrelation,
  kRegressionR2,
  kRegressionSlope,
  kRegressionIntercept,
};

// Returns the statistic, or nullopt where PostgreSQL gives NULL. REQUIRES: s.count > 0.
template <CoMoment kStatistic>
std::optional<double> Statistic(const CoMomentState& s) {
  double n = static_cast<double>(s.count);
  switch (kStatistic) {
    case CoMoment::kCovariancePopulation:
      return s.c_xy / n;
    case CoMoment::kCovarianceSample:
      if (s.count < 2) return std::nullopt;
      return s.c_xy / (n - 1);
    case CoMoment::kCorrelation:
      if (s.m2_x == 0 || s.m2_y == 0) return std::nullopt;
      return s.c_xy / std::sqrt(s.m2_x * s.m2_y);
    case CoMoment::kRegressionR2:
      if (s.m2_x == 0) return std::nullopt;
      if (s.m2_y == 0) return 1;
      return s.c_xy * s.c_xy / (s.m2_x * s.m2_y);
    case CoMoment::kRegressionSlope:
      if (s.m2_x == 0) return std::nullopt;
      return s.c_xy / s.m2_x;
    case CoMoment::kRegressionIntercept:
      if (s.m2_x == 0) return std::nullopt;
      return s.mean_y - s.mean_x * s.c_xy / s.m2_x;
  }
  return std::nullopt;
}

template <CoMoment kStatistic>
struct CoMomentResultState : CoMomentState {
  void Finalize(Vector& out, size_t row) const {
    if (count == 0) return out.SetNull(row);
    std::optional<double> value = Statistic<kStatistic>(*this);
    if (!value) return out.SetNull(row);
    out.data<double>()[row] = *value;
  }
};

template <Moment kMoment>
void AddVariance(AggregateFunctionRegistry& registry, const char* name) {
  registry.Add(
      MakeStateAggregate<VarianceState<kMoment>, double>(name, {TypeId::kDouble}, TypeId::kDouble));
}

template <CoMoment kStatistic>
void AddCoMoment(AggregateFunctionRegistry& registry, const char* name) {
  registry.Add(MakeStateAggregate<CoMomentResultState<kStatistic>, double, double>(
      name, {TypeId::kDouble, TypeId::kDouble}, TypeId::kDouble));
}

}  // namespace

void AddStatisticalAggregates(AggregateFunctionRegistry& registry) {
  AddVariance<Moment::kStddevSample>(registry, "stddev");
  AddVariance<Moment::kStddevSample>(registry, "stddev_samp");
  AddVariance<Moment::kStddevPopulation>(registry, "stddev_pop");
  AddVariance<Moment::kVarianceSample>(registry, "variance");
  AddVariance<Moment::kVarianceSample>(registry, "var_samp");
  AddVariance<Moment::kVariancePopulation>(registry, "var_pop");
  AddCoMoment<CoMoment::kCovariancePopulation>(registry, "covar_pop");
  AddCoMoment<CoMoment::kCovarianceSample>(registry, "covar_samp");
  AddCoMoment<CoMoment::kCorrelation>(registry, "corr");
  AddCoMoment<CoMoment::kRegressionR2>(registry, "regr_r2");
  AddCoMoment<CoMoment::kRegressionSlope>(registry, "regr_slope");
  AddCoMoment<CoMoment::kRegressionIntercept>(registry, "regr_intercept");
}

}  // namespace sluice::exec
