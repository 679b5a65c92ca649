#include "exec/builtin_functions.h"

namespace sluice::exec {

void AddRegexFunctions(ScalarFunctionRegistry&) {}

}  // namespace sluice::exec
