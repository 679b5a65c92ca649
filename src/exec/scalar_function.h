#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.h"
#include "core/vector.h"

namespace sluice::exec {

/// Computes a scalar function over `count` rows. Every argument is a flat vector of `count`
/// values of the overload's argument type; `result` has room for `count` values of the result
/// type and its size is already `count`. With NullHandling::kPropagate the result's validity is
/// already set on entry: rows that are NULL there need not be computed, must not raise errors,
/// and their argument slots may hold garbage (never dereference a NULL slot's string). Throws
/// DataError for bad values (overflow, a bad date string); the message names the function and
/// the value.
using ScalarKernel = void (*)(std::span<const core::Vector* const> arguments, size_t count,
                              core::Vector& result);

/// Says who handles NULLs: kPropagate means the result is NULL wherever an argument is NULL
/// (the evaluator sets those; the kernel may write anything there); kKernel means the kernel
/// reads argument validity and sets the result's itself (coalesce, concat, IS DISTINCT FROM).
enum class NullHandling { kPropagate, kKernel };

/// Is one overload of a scalar function.
struct ScalarFunction {
  std::string name;                     // lower case
  std::vector<core::TypeId> arguments;  // with `variadic`, the last one repeats 0+ times
  core::TypeId result;
  ScalarKernel kernel;
  NullHandling nulls = NullHandling::kPropagate;
  bool variadic = false;
  /// True when the result depends only on the arguments (constant folding may run it).
  bool deterministic = true;
};

/// Holds the scalar functions by name and picks the overload for given argument types.
/// Immutable after construction; thread-safe to read.
class ScalarFunctionRegistry {
 public:
  /// Returns the registry with every built-in function.
  static const ScalarFunctionRegistry& BuiltIn();

  /// Adds an overload.
  void Add(ScalarFunction function);
  /// Returns the overload of `name` that fits `arguments` with the cheapest implicit casts
  /// (nullopt stands for an untyped NULL, which fits anything), or nullptr.
  const ScalarFunction* Resolve(std::string_view name,
                                std::span<const std::optional<core::TypeId>> arguments) const;
  /// Returns true when some overload is named `name`.
  bool Contains(std::string_view name) const;
  /// Returns every function name (for suggestions and listings).
  std::vector<std::string> Names() const;

 private:
  std::unordered_map<std::string, std::vector<ScalarFunction>> functions_;
};

/// Returns the cost of implicitly casting `from` to `to` (0 = same type), or nothing when
/// the cast is not implicit. INTEGER→BIGINT→DOUBLE and DATE→TIMESTAMP are implicit.
std::optional<int> ImplicitCastCost(core::TypeId from, core::TypeId to);

}  // namespace sluice::exec
