#pragma once

#include <string_view>

#include "base/reserved_words.h"

namespace sluice::sql {

/// Returns true for words that may be an implicit alias (`SELECT a b`, `FROM t x`): not
/// reserved and not a word that may follow a select item or a table (JOIN, LEFT, OVER, ...).
bool CanBeImplicitAlias(std::string_view word);

/// Returns true when `name` must be double-quoted to read back as the same identifier:
/// reserved words, upper-case letters, and characters other than [a-z0-9_$].
bool NeedsQuotes(std::string_view name);

}  // namespace sluice::sql
