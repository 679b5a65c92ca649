#pragma once

namespace sluice::exec {

class AggregateFunctionRegistry;

/// Registers count(*), count, sum, avg, min, max, any_value, bool_and, bool_or.
void AddBasicAggregates(AggregateFunctionRegistry& registry);

}  // namespace sluice::exec
