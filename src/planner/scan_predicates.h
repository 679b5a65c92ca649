#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "io/scan_predicate.h"
#include "sql/ast.h"

namespace sluice::planner {

/// Returns the conjuncts among `conjuncts` (a query's WHERE split at AND; null entries are
/// ignored) that a scan of `schema`, known in the query as `table`, can use to skip data:
/// `column op constant` or `constant op column` with op one of = < <= > >=, `column BETWEEN
/// constant AND constant` (two predicates), and `column IS [NOT] NULL`. The column may be
/// qualified by `table`; predicates name it as `schema` does. Constants are folded expressions
/// without columns (`DATE '2001-01-01'`, `-5`, `10 * 60`). The engine still evaluates every
/// conjunct: these only prune.
std::vector<io::ScanPredicate> ExtractScanPredicates(const std::vector<const sql::Expr*>& conjuncts,
                                                     const core::Schema& schema,
                                                     std::string_view table);

}  // namespace sluice::planner
