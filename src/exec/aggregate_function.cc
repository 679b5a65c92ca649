#include "exec/aggregate_function.h"

#include <algorithm>
#include <limits>

#include "base/error.h"
#include "exec/aggregate_kernels.h"
#include "exec/scalar_function.h"

namespace sluice::exec {

void AggregateFunctionRegistry::Add(AggregateFunction function) {
  std::string name = function.name;
  functions_[name].push_back(std::move(function));
}

const AggregateFunction* AggregateFunctionRegistry::Resolve(
    std::string_view name, std::span<const std::optional<core::TypeId>> arguments) const {
  auto found = functions_.find(std::string(name));
  if (found == functions_.end()) return nullptr;
  const AggregateFunction* best = nullptr;
  int best_cost = std::numeric_limits<int>::max();
  for (const AggregateFunction& candidate : found->second) {
    if (candidate.arguments.size() != arguments.size()) continue;
    int cost = 0;
    for (size_t i = 0; i < arguments.size() && cost >= 0; ++i) {
      if (!arguments[i]) continue;
      auto step = ImplicitCastCost(*arguments[i], candidate.arguments[i]);
      cost = step ? cost + *step : -1;
    }
    if (cost >= 0 && cost < best_cost) {
      best = &candidate;
      best_cost = cost;
    }
  }
  return best;
}

bool AggregateFunctionRegistry::Contains(std::string_view name) const {
  return functions_.contains(std::string(name));
}

const AggregateFunctionRegistry& AggregateFunctionRegistry::BuiltIn() {
  static const AggregateFunctionRegistry registry = [] {
    AggregateFunctionRegistry built;
    AddBasicAggregates(built);
    AddStatisticalAggregates(built);
    AddHolisticAggregates(built);
    AddSketchAggregates(built);
    AddDistinctAggregates(built);
    AddFoldAggregates(built);
    return built;
  }();
  return registry;
}

}  // namespace sluice::exec
