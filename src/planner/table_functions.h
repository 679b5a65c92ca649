#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exec/operator.h"
#include "sql/ast.h"

namespace sluice::planner {

/// Opens the file at `path` as a scan, its reader chosen by extension. `at` locates errors.
std::unique_ptr<exec::SourceOperator> OpenTableFile(const std::string& path,
                                                    const std::vector<std::string>& columns,
                                                    const sql::TableRef& at);

/// Opens a table function call: read_csv('path', delim => ';', header => true, ...) or
/// read_json('path', format => 'lines'). Throws UserError naming line and column.
std::unique_ptr<exec::SourceOperator> OpenTableFunction(const sql::FunctionExpr& call);

}  // namespace sluice::planner
