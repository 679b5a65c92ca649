#pragma once

#include <string_view>

namespace sluice {

/// Returns true for the few words of Sluice's SQL that can never be an unquoted column, table
/// or function name (SELECT, FROM, WHERE, AND, NULL, ...). Expects lower case. Everything else
/// (date, year, value, name, type, key, count, first, last, left, right...) stays usable as a
/// name. Kept here, below every module, so that names made outside SQL (dataset names of a
/// scan) avoid them too.
bool IsReservedWord(std::string_view word);

}  // namespace sluice
