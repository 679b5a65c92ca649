#include "exec/builtin_functions.h"

namespace sluice::exec {

void AddLikeFunctions(ScalarFunctionRegistry&) {}

}  // namespace sluice::exec
