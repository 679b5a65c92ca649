#include "exec/builtin_functions.h"

namespace sluice::exec {

void AddDateFormatFunctions(ScalarFunctionRegistry&) {}

}  // namespace sluice::exec
