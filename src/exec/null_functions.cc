#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"

namespace sluice::exec {
namespace {

using core::TypeId;

void KeepHeapsAlive(KernelArguments arguments, core::Vector& result) {
  if (result.type() != TypeId::kVarchar) return;
  for (const core::Vector* argument : arguments) {
    if (argument->heap_ptr() != nullptr) result.heap().KeepAlive(argument->heap_ptr());
  }
}

// Takes each row from the first argument that is not NULL there.
template <typename T>
void CoalesceKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  T* output = result.data<T>();
  for (size_t i = 0; i < count; ++i) {
    bool found = false;
    for (const core::Vector* argument : arguments) {
      if (argument->IsNull(i)) continue;
      output[i] = argument->data<T>()[i];
      found = true;
      break;
    }
    if (!found) result.SetNull(i);
  }
  KeepHeapsAlive(arguments, result);
}

// Returns NULL where both arguments are equal, else the first.
template <typename T>
void NullIfKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  const core::Vector& value = *arguments[0];
  const core::Vector& other = *arguments[1];
  T* output = result.data<T>();
  for (size_t i = 0; i < count; ++i) {
    if (value.IsNull(i)) {
      result.SetNull(i);
      continue;
    }
    output[i] = value.data<T>()[i];
    if (!other.IsNull(i) && output[i] == other.data<T>()[i]) result.SetNull(i);
  }
  KeepHeapsAlive(arguments, result);
}

template <typename T>
void AddNullFunctionsFor(ScalarFunctionRegistry& registry, TypeId type) {
  registry.Add({"coalesce", {type, type}, type, &CoalesceKernel<T>, NullHandling::kKernel, true});
  registry.Add({"ifnull", {type, type}, type, &CoalesceKernel<T>, NullHandling::kKernel});
  registry.Add({"nullif", {type, type}, type, &NullIfKernel<T>, NullHandling::kKernel});
}

}  // namespace

void AddNullFunctions(ScalarFunctionRegistry& registry) {
  AddNullFunctionsFor<uint8_t>(registry, TypeId::kBoolean);
  AddNullFunctionsFor<int32_t>(registry, TypeId::kInteger);
  AddNullFunctionsFor<int64_t>(registry, TypeId::kBigint);
  AddNullFunctionsFor<double>(registry, TypeId::kDouble);
  AddNullFunctionsFor<core::StringRef>(registry, TypeId::kVarchar);
  AddNullFunctionsFor<int32_t>(registry, TypeId::kDate);
  AddNullFunctionsFor<int64_t>(registry, TypeId::kTimestamp);
}

}  // namespace sluice::exec
