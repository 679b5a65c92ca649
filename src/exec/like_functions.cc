#include <optional>

#include "base/error.h"
#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"
#include "exec/like_matcher.h"

namespace sluice::exec {
namespace {

using core::TypeId;

char EscapeAt(KernelArguments arguments, size_t i) {
  if (arguments.size() < 3) return '\\';
  std::string_view escape = StringAt(*arguments[2], i);
  if (escape.size() > 1) Throw<DataError>("invalid escape string: '{}'", escape);
  return escape.empty() ? '\0' : escape[0];
}

// Compiles the pattern once per run of equal patterns: once per batch for a constant.
template <bool kCaseInsensitive>
void LikeKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  const core::StringRef* patterns = arguments[1]->data<core::StringRef>();
  uint8_t* output = result.data<uint8_t>();
  std::optional<LikeMatcher> matcher;
  core::StringRef compiled_pattern;
  char compiled_escape = 0;
  ForEachValidRow(result, count, [&](size_t i) {
    char escape = EscapeAt(arguments, i);
    if (!matcher || !(patterns[i] == compiled_pattern) || escape != compiled_escape) {
      matcher.emplace(patterns[i].view(), escape, kCaseInsensitive);
      compiled_pattern = patterns[i];
      compiled_escape = escape;
    }
    output[i] = matcher->Matches(StringAt(*arguments[0], i));
  });
}

}  // namespace

void AddLikeFunctions(ScalarFunctionRegistry& registry) {
  constexpr TypeId kText = TypeId::kVarchar;
  registry.Add({"like", {kText, kText}, TypeId::kBoolean, &LikeKernel<false>});
  registry.Add({"like", {kText, kText, kText}, TypeId::kBoolean, &LikeKernel<false>});
  registry.Add({"ilike", {kText, kText}, TypeId::kBoolean, &LikeKernel<true>});
  registry.Add({"ilike", {kText, kText, kText}, TypeId::kBoolean, &LikeKernel<true>});
}

}  // namespace sluice::exec
