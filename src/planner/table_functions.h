#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "exec/operator.h"
#include "io/scan_predicate.h"
#include "sql/ast.h"

namespace sluice::planner {

/// Is the set of names a query mentions, when known: a file scan then reads only the columns
/// among them (projection pushdown). Nothing means every column may be read.
using MentionedNames = std::optional<std::set<std::string>>;

/// Returns the columns of `schema` that `mentioned` names, in schema order; empty when every
/// column is needed (or nothing is known).
std::vector<std::string> ReadColumns(const core::Schema& schema, const MentionedNames& mentioned);

/// Chooses, once a scan's schema is known, the predicates it may use to skip data.
using PredicatesFor = std::function<std::vector<io::ScanPredicate>(const core::Schema&)>;

/// Opens the file (or glob, or folder) at `path` as a scan, its reader chosen by extension.
std::unique_ptr<exec::SourceOperator> OpenTableFile(const std::string& path,
                                                    const MentionedNames& mentioned,
                                                    const PredicatesFor& predicates = nullptr);

/// Opens a table function call: read_csv('path', delim => ';', header => true, ...) or
/// read_json('path', format => 'lines') or read_parquet('path'). Throws UserError naming line
/// and column.
std::unique_ptr<exec::SourceOperator> OpenTableFunction(const sql::FunctionExpr& call,
                                                        const MentionedNames& mentioned,
                                                        const PredicatesFor& predicates = nullptr);

}  // namespace sluice::planner
