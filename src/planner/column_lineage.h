#pragma once

// Column-level lineage from the syntax tree: which base columns each output column of a query
// is made from, and which datasets the query reads. Names resolve as the binder resolves them.

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "core/schema.h"
#include "planner/catalog.h"
#include "sql/ast.h"

namespace sluice::planner {

/// Is a place values come from: column `column` of dataset `dataset` as of `version` (0 when the
/// dataset has no versions: sources, files), or the whole dataset when `column` is empty.
/// Datasets are named as the catalog names them: a table's name, a file's normalized path.
struct ColumnOrigin {
  std::string dataset;
  std::string column;
  int64_t version = 0;
  friend auto operator<=>(const ColumnOrigin&, const ColumnOrigin&) = default;
};

/// Is what a query's result is made from.
struct QueryLineage {
  /// Names the output columns as the binder names them.
  std::vector<std::string> names;
  /// Holds, per output column, the base columns its values derive from; sorted, unique.
  std::vector<std::vector<ColumnOrigin>> columns;
  /// Holds every dataset the query reads anywhere (also only in WHERE, JOIN or GROUP BY), with
  /// `column` empty; sorted, unique.
  std::vector<ColumnOrigin> datasets;
};

/// Returns the lineage of `query` against `catalog`: FROM items are walked with scopes as the
/// binder walks them (tables, views, CTEs, subqueries, joins with USING/NATURAL, files); a
/// temporary table whose entry carries lineage is read through, so origins name persisted
/// datasets. An expression derives from every column it references (aggregates, windows,
/// CASE, casts; a scalar subquery from its output column). What cannot be resolved (a file that
/// no longer opens, a view nested too deep) contributes nothing; never throws for a query that
/// binds.
QueryLineage DeriveLineage(const sql::QueryNode& query, const Catalog& catalog);

/// Returns the lineage of a table with columns `table` after rows whose lineage is `inserted` went
/// into it, inserted column i into table column targets[i]; `previous` is the table's lineage
/// before the insert (null: none).
QueryLineage AppendLineage(const QueryLineage* previous, const QueryLineage& inserted,
                           const std::vector<size_t>& targets, const core::Schema& table);

}  // namespace sluice::planner
