#include "exec/builtin_functions.h"

namespace sluice::exec {

void AddDateFunctions(ScalarFunctionRegistry&) {}

}  // namespace sluice::exec
