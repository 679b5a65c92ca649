#pragma once

namespace sluice::exec {

class AggregateFunctionRegistry;

/// Registers count(*), count, sum, avg, min, max, any_value, bool_and, bool_or.
void AddBasicAggregates(AggregateFunctionRegistry& registry);

/// Registers stddev, stddev_samp, stddev_pop, variance, var_samp, var_pop (DOUBLE) and the
/// two-argument covar_pop, covar_samp, corr, regr_r2, regr_slope, regr_intercept (DOUBLE, DOUBLE).
void AddStatisticalAggregates(AggregateFunctionRegistry& registry);

/// Registers median, quantile_cont(x, q), quantile_disc(x, q) and string_agg(x, separator):
/// states that keep every input value.
void AddHolisticAggregates(AggregateFunctionRegistry& registry);

/// Registers approx_count_distinct (a HyperLogLog sketch) for every type.
void AddSketchAggregates(AggregateFunctionRegistry& registry);

/// Registers count_distinct, sum_distinct and avg_distinct, the targets of count(DISTINCT x),
/// sum(DISTINCT x) and avg(DISTINCT x).
void AddDistinctAggregates(AggregateFunctionRegistry& registry);

/// Registers bit_and, bit_or, bit_xor, product, arg_min(arg, val) and arg_max(arg, val).
void AddFoldAggregates(AggregateFunctionRegistry& registry);

}  // namespace sluice::exec
