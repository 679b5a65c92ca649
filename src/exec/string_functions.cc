#include "exec/builtin_functions.h"

namespace sluice::exec {

void AddStringFunctions(ScalarFunctionRegistry&) {}

}  // namespace sluice::exec
