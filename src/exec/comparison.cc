#include <cmath>

#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"

namespace sluice::exec {
namespace {

using core::StringRef;
using core::TypeId;

// Orders values the PostgreSQL way: NaN equals NaN and sorts above every other double.
template <typename T>
struct Order {
  static bool Less(T left, T right) { return left < right; }
  static bool Equal(T left, T right) { return left == right; }
};
template <>
struct Order<double> {
  static bool Less(double left, double right) {
    return left < right || (std::isnan(right) && !std::isnan(left));
  }
  static bool Equal(double left, double right) {
    return left == right || (std::isnan(left) && std::isnan(right));
  }
};
template <>
struct Order<StringRef> {
  static bool Less(const StringRef& left, const StringRef& right) {
    return StringRef::Compare(left, right) < 0;
  }
  static bool Equal(const StringRef& left, const StringRef& right) { return left == right; }
};

template <typename T>
struct Equal {
  static bool Apply(const T& left, const T& right) { return Order<T>::Equal(left, right); }
};
template <typename T>
struct NotEqual {
  static bool Apply(const T& left, const T& right) { return !Order<T>::Equal(left, right); }
};
template <typename T>
struct Less {
  static bool Apply(const T& left, const T& right) { return Order<T>::Less(left, right); }
};
template <typename T>
struct LessEqual {
  static bool Apply(const T& left, const T& right) { return !Order<T>::Less(right, left); }
};
template <typename T>
struct Greater {
  static bool Apply(const T& left, const T& right) { return Order<T>::Less(right, left); }
};
template <typename T>
struct GreaterEqual {
  static bool Apply(const T& left, const T& right) { return !Order<T>::Less(left, right); }
};

template <typename T, typename Compare>
void CompareKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  const T* left = arguments[0]->data<T>();
  const T* right = arguments[1]->data<T>();
  uint8_t* output = result.data<uint8_t>();
  if constexpr (std::is_same_v<T, StringRef>) {
    // NULL string slots may hold stale views: never read them.
    ForEachValidRow(result, count,
                    [&](size_t i) { output[i] = Compare::Apply(left[i], right[i]); });
  } else {
    for (size_t i = 0; i < count; ++i) output[i] = Compare::Apply(left[i], right[i]);
  }
}

// IS [NOT] DISTINCT FROM: NULL is not distinct from NULL; the result is never NULL.
template <typename T, bool kDistinct>
void DistinctKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  const core::Vector& left = *arguments[0];
  const core::Vector& right = *arguments[1];
  uint8_t* output = result.data<uint8_t>();
  for (size_t i = 0; i < count; ++i) {
    bool left_null = left.IsNull(i);
    bool right_null = right.IsNull(i);
    bool distinct = left_null || right_null
                        ? left_null != right_null
                        : !Order<T>::Equal(left.data<T>()[i], right.data<T>()[i]);
    output[i] = distinct == kDistinct;
  }
}

template <typename T>
void AddComparisons(ScalarFunctionRegistry& registry, TypeId type) {
  auto add = [&](const char* name, ScalarKernel kernel) {
    registry.Add({name, {type, type}, TypeId::kBoolean, kernel});
  };
  add("=", &CompareKernel<T, Equal<T>>);
  add("<>", &CompareKernel<T, NotEqual<T>>);
  add("!=", &CompareKernel<T, NotEqual<T>>);
  add("<", &CompareKernel<T, Less<T>>);
  add("<=", &CompareKernel<T, LessEqual<T>>);
  add(">", &CompareKernel<T, Greater<T>>);
  add(">=", &CompareKernel<T, GreaterEqual<T>>);
  registry.Add({"is_distinct_from",
                {type, type},
                TypeId::kBoolean,
                &DistinctKernel<T, true>,
                NullHandling::kKernel});
  registry.Add({"is_not_distinct_from",
                {type, type},
                TypeId::kBoolean,
                &DistinctKernel<T, false>,
                NullHandling::kKernel});
}

}  // namespace

void AddComparisonFunctions(ScalarFunctionRegistry& registry) {
  AddComparisons<uint8_t>(registry, TypeId::kBoolean);
  AddComparisons<int32_t>(registry, TypeId::kInteger);
  AddComparisons<int64_t>(registry, TypeId::kBigint);
  AddComparisons<double>(registry, TypeId::kDouble);
  AddComparisons<StringRef>(registry, TypeId::kVarchar);
  AddComparisons<int32_t>(registry, TypeId::kDate);
  AddComparisons<int64_t>(registry, TypeId::kTimestamp);
}

}  // namespace sluice::exec
