// Interval arithmetic. Intervals are not values of their own yet: the planner turns
// `x + INTERVAL '...'` into add_interval(x, months, days, microseconds).

#include "core/interval.h"
#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

void AddIntervalKernel(KernelArguments arguments, size_t count, Vector& result) {
  const int64_t* timestamps = arguments[0]->data<int64_t>();
  const int64_t* months = arguments[1]->data<int64_t>();
  const int64_t* days = arguments[2]->data<int64_t>();
  const int64_t* micros = arguments[3]->data<int64_t>();
  int64_t* output = result.data<int64_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    output[i] = core::AddInterval(timestamps[i], {months[i], days[i], micros[i]});
  });
}

}  // namespace

void AddIntervalFunctions(ScalarFunctionRegistry& registry) {
  registry.Add({"add_interval",
                {TypeId::kTimestamp, TypeId::kBigint, TypeId::kBigint, TypeId::kBigint},
                TypeId::kTimestamp,
                &AddIntervalKernel});
}

}  // namespace sluice::exec
