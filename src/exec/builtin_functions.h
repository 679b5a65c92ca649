#pragma once

#include "exec/scalar_function.h"

namespace sluice::exec {

/// Adds `+ - * / %`, `negate` and the date arithmetic overloads.
void AddArithmeticFunctions(ScalarFunctionRegistry& registry);
/// Adds `= <> < <= > >=`, `is_distinct_from` and `is_not_distinct_from` for every type.
void AddComparisonFunctions(ScalarFunctionRegistry& registry);
/// Adds abs, round, floor, ceil, sqrt, pow, exp, ln, log, sign, greatest, least, random, pi...
void AddMathFunctions(ScalarFunctionRegistry& registry);
/// Adds lower, upper, length, substr, trim, replace, split_part, lpad, `||`, concat...
void AddStringFunctions(ScalarFunctionRegistry& registry);
/// Adds replace, split_part, strpos, starts_with, ends_with, contains, `||`, concat, md5.
void AddStringSearchFunctions(ScalarFunctionRegistry& registry);
/// Adds like and ilike.
void AddLikeFunctions(ScalarFunctionRegistry& registry);
/// Adds regexp_matches, regexp_replace and regexp_extract.
void AddRegexFunctions(ScalarFunctionRegistry& registry);
/// Adds coalesce, ifnull and nullif.
void AddNullFunctions(ScalarFunctionRegistry& registry);
/// Adds year, month..., date_part, date_trunc, make_date, current_date, now...
void AddDateFunctions(ScalarFunctionRegistry& registry);
/// Adds strftime and strptime.
void AddDateFormatFunctions(ScalarFunctionRegistry& registry);
/// Adds add_interval(timestamp, months, days, microseconds).
void AddIntervalFunctions(ScalarFunctionRegistry& registry);

}  // namespace sluice::exec
