#include "base/reserved_words.h"

#include <algorithm>
#include <array>

namespace sluice {
namespace {

// Close to PostgreSQL's fully reserved list, minus words that are common column names.
constexpr std::array<std::string_view, 56> kReserved = {
    "all",       "and",        "any",    "as",         "asc",     "between",  "both",
    "case",      "cast",       "check",  "constraint", "create",  "default",  "desc",
    "distinct",  "else",       "end",    "except",     "exists",  "false",    "fetch",
    "for",       "foreign",    "from",   "group",      "having",  "ilike",    "in",
    "intersect", "into",       "is",     "lateral",    "leading", "like",     "limit",
    "not",       "null",       "offset", "on",         "or",      "order",    "primary",
    "qualify",   "references", "select", "then",       "to",      "trailing", "true",
    "union",     "unique",     "using",  "when",       "where",   "window",   "with"};

}  // namespace

bool IsReservedWord(std::string_view word) {
  return std::find(kReserved.begin(), kReserved.end(), word) != kReserved.end();
}

}  // namespace sluice
