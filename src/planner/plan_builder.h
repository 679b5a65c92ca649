#pragma once

// The state of one query being planned; shared by the planner's source files only.

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "exec/collect_operators.h"
#include "exec/pipeline.h"
#include "exec/scalar_function.h"
#include "exec/source_operators.h"
#include "planner/expression_binder.h"
#include "planner/query_planner.h"
#include "planner/scope.h"
#include "planner/table_functions.h"

namespace sluice::planner {

struct QueryPlanner::Builder {
  std::vector<exec::Pipeline> done;
  exec::Pipeline open;
  Scope scope;
  std::vector<std::string> names;  // the query's output column names
  size_t visible = 0;
  std::vector<bool> untyped_null;             // per output column: a bare NULL, whose type is open
  ExpressionBinder::Replacement replacement;  // set after aggregation
  std::vector<exec::SortKey> order_keys;      // ORDER BY, resolved by the select list
  bool order_planned = false;
  // WHERE conjuncts not yet applied; joins take equality conditions between their sides as
  // keys and null them out here.
  std::vector<const sql::Expr*> pending;
  // The names the query mentions, for reading only those columns of files (see MentionedIn).
  MentionedNames mentioned;
  // About how many rows the open pipeline produces, to choose join build sides; -1: unknown.
  double estimated_rows = -1;
  // Views whose syntax trees the plan's operators may still read (correlated subqueries).
  std::vector<std::shared_ptr<const ViewEntry>> views;
  // The sink whose output the open pipeline scans, when Break() made it.
  exec::SinkOperator* last_break = nullptr;
  // In a run of several ranks: each rank holds only its share of the open pipeline's rows
  // (false: every rank holds them all, or there is one rank).
  bool partitioned = false;

  core::SchemaPtr Schema() const {
    std::vector<core::Field> fields;
    for (const auto& column : scope.columns()) fields.push_back({column.name, column.type});
    return std::make_shared<core::Schema>(std::move(fields));
  }
  /// Returns the schema of the open pipeline's output (its last operator's).
  core::SchemaPtr OutputSchema() const {
    return open.transforms.empty() ? open.source->schema() : open.transforms.back()->schema();
  }
  /// Ends the open pipeline with `sink`; the next pipeline scans the sink's output.
  void Break(std::unique_ptr<exec::SinkOperator> sink, const std::string& label) {
    exec::SinkOperator* raw = sink.get();
    last_break = raw;
    open.sink = std::move(sink);
    done.push_back(std::move(open));
    open = exec::Pipeline{};
    open.source = std::make_unique<exec::BatchScan>(
        raw->schema(),
        [raw] { return std::make_shared<const std::vector<core::Batch>>(raw->TakeOutput()); },
        label);
  }
};

/// Returns a call of built-in scalar function `name`. REQUIRES: an overload fits `arguments`.
inline std::unique_ptr<exec::Expression> CallFunction(
    std::string_view name, std::vector<std::unique_ptr<exec::Expression>> arguments) {
  std::vector<std::optional<core::TypeId>> types;
  for (const auto& argument : arguments) types.push_back(argument->type);
  const auto* function = exec::ScalarFunctionRegistry::BuiltIn().Resolve(name, types);
  SLUICE_CHECK(function != nullptr);
  return exec::Expression::Call(*function, std::move(arguments));
}

/// Returns the column indices 0 to `count` - 1.
inline std::vector<size_t> FirstColumns(size_t count) {
  std::vector<size_t> columns(count);
  for (size_t i = 0; i < count; ++i) columns[i] = i;
  return columns;
}

}  // namespace sluice::planner
