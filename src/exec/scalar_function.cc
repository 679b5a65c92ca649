#include "exec/scalar_function.h"

#include <algorithm>
#include <limits>

#include "exec/builtin_functions.h"

namespace sluice::exec {
namespace {

using core::TypeId;

ScalarFunctionRegistry MakeBuiltIn() {
  ScalarFunctionRegistry registry;
  AddArithmeticFunctions(registry);
  AddComparisonFunctions(registry);
  AddMathFunctions(registry);
  AddStringFunctions(registry);
  AddLikeFunctions(registry);
  AddRegexFunctions(registry);
  AddNullFunctions(registry);
  AddDateFunctions(registry);
  AddDateFormatFunctions(registry);
  AddIntervalFunctions(registry);
  return registry;
}

// Returns the summed cast cost of calling `function` with `arguments`, or nothing.
std::optional<int> CallCost(const ScalarFunction& function,
                            std::span<const std::optional<TypeId>> arguments) {
  size_t fixed = function.arguments.size();
  if (function.variadic ? arguments.size() + 1 < fixed : arguments.size() != fixed) {
    return std::nullopt;
  }
  int total = 0;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (!arguments[i]) continue;
    TypeId wanted = function.arguments[std::min(i, fixed - 1)];
    std::optional<int> cost = ImplicitCastCost(*arguments[i], wanted);
    if (!cost) return std::nullopt;
    total += *cost;
  }
  return total;
}

}  // namespace

const ScalarFunctionRegistry& ScalarFunctionRegistry::BuiltIn() {
  static const ScalarFunctionRegistry registry = MakeBuiltIn();
  return registry;
}

void ScalarFunctionRegistry::Add(ScalarFunction function) {
  std::string name = function.name;
  functions_[name].push_back(std::move(function));
}

const ScalarFunction* ScalarFunctionRegistry::Resolve(
    std::string_view name, std::span<const std::optional<core::TypeId>> arguments) const {
  auto found = functions_.find(std::string(name));
  if (found == functions_.end()) return nullptr;
  const ScalarFunction* best = nullptr;
  int best_cost = std::numeric_limits<int>::max();
  for (const ScalarFunction& function : found->second) {
    std::optional<int> cost = CallCost(function, arguments);
    // Ties go to the overload registered first, so results never depend on hash order.
    if (cost && *cost < best_cost) {
      best = &function;
      best_cost = *cost;
    }
  }
  return best;
}

bool ScalarFunctionRegistry::Contains(std::string_view name) const {
  return functions_.contains(std::string(name));
}

std::vector<std::string> ScalarFunctionRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(functions_.size());
  for (const auto& entry : functions_) names.push_back(entry.first);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<int> ImplicitCastCost(core::TypeId from, core::TypeId to) {
  if (from == to) return 0;
  if (from == TypeId::kInteger && to == TypeId::kBigint) return 1;
  if (from == TypeId::kInteger && to == TypeId::kDouble) return 2;
  if (from == TypeId::kBigint && to == TypeId::kDouble) return 1;
  if (from == TypeId::kDate && to == TypeId::kTimestamp) return 1;
  return std::nullopt;
}

}  // namespace sluice::exec
