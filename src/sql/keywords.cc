#include "sql/keywords.h"

#include <algorithm>
#include <array>

namespace sluice::sql {
namespace {

// Words that may follow a select item or a table, so they never start an implicit alias.
constexpr std::array<std::string_view, 15> kNotAliases = {
    "anti",    "asof",  "cross", "filter",     "full",  "inner", "join",  "left",
    "natural", "outer", "over",  "positional", "right", "semi",  "values"};

bool Contains(const auto& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

}  // namespace

bool CanBeImplicitAlias(std::string_view word) {
  return !IsReservedWord(word) && !Contains(kNotAliases, word);
}

bool NeedsQuotes(std::string_view name) {
  if (name.empty() || IsReservedWord(name)) return true;
  if ((name[0] >= '0' && name[0] <= '9') || name[0] == '$') return true;
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
    if (!plain) return true;
  }
  return false;
}

}  // namespace sluice::sql
