#pragma once

// The PostgREST-style query string of `GET /v1/results/{name}` and the query it becomes: a
// syntax tree built node by node (values typed by the result's columns), never SQL text.
//
//   select=a,b   a=eq.SFO   b=gt.10   c=in.(x,y,"z,w")   d=is.null   e=not.like.A*
//   e=ilike.*x*   order=a.desc.nullslast,b   limit=100   offset=200   cursor=<opaque>
//   version=3   format=json|ndjson|csv|parquet
//
// Rows are always returned in a total order (the requested order, then every other column as
// a tie breaker), so that pages by `offset` or by keyset `cursor` never skip or repeat a row.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "core/value.h"
#include "serve/http.h"
#include "sql/ast.h"

namespace sluice::serve {

/// Is one filter `column=[not.]op.value`.
struct RowFilter {
  std::string column;
  std::string op;  // eq neq gt gte lt lte like ilike in is
  bool negated = false;
  std::vector<std::string> values;  // one value; `in`: the list; `is`: null|true|false
};

/// Is one `order` item.
struct RowOrder {
  std::string column;
  bool descending = false;
  std::optional<bool> nulls_first;  // nullsfirst / nullslast; default as PostgreSQL
};

/// Is a parsed rows request.
struct RowsQuery {
  std::vector<std::string> select;  // empty: every column
  std::vector<RowFilter> filters;
  std::vector<RowOrder> order;
  std::optional<int64_t> limit;
  int64_t offset = 0;
  std::optional<std::string> cursor;
  std::optional<int64_t> version;
  std::string format;  // "" when not given (then Accept decides)
};

/// Parses the query parameters of a rows request. Throws HttpError 400 naming the parameter
/// for an unknown operator, a bad number, an unterminated list, a repeated reserved parameter.
RowsQuery ParseRowsQuery(const Fields& parameters);

/// Is the query of a rows request and how to read what it returns.
struct RowsPlan {
  /// Is SELECT the requested columns [, the paging columns not requested] FROM table
  /// [FOR VERSION AS OF v] WHERE the filters AND the cursor's keyset condition ORDER BY the
  /// paging order LIMIT/OFFSET.
  sql::QueryPtr query;
  /// Is how many leading output columns were requested: only these are sent (see
  /// core::Batch::Share); the columns after them carry paging values for NextCursor.
  size_t num_columns = 0;
  /// Is the LIMIT of `query`, or nothing when it has none.
  std::optional<int64_t> limit;
  /// Are the output columns holding the paging order's values, in paging order.
  std::vector<size_t> paging_columns;
};

/// Returns the query `rows` asks of result `table` whose columns are `schema`. The ORDER BY
/// is the requested order followed by every other column (ascending) as tie breakers; a
/// `cursor` continues after the row it was made from in that order. `max_limit` caps LIMIT
/// (no cap when <= 0). Throws HttpError 400 naming the parameter for an unknown column
/// (suggesting the nearest), a value that is not of its column's type, an operator the
/// column's type lacks (like on a number, is.true on a text), or a cursor that is malformed
/// or made for another order or schema.
RowsPlan BuildRowsQuery(const RowsQuery& rows, const std::string& table, const core::Schema& schema,
                        int64_t max_limit);

/// Returns the cursor that continues after `last_row` (the values of the paging order's
/// columns of the last row sent: the requested order, then the tie breakers), to be passed
/// back as `cursor=`. Throws HttpError 400 for an unknown order column.
std::string MakeCursor(const RowsQuery& rows, const core::Schema& schema,
                       const std::vector<core::Value>& last_row);

/// Returns the cursor that continues after the last row of `batches` (what `plan.query`
/// returned), or "" when they hold fewer rows than the plan's limit (the last page).
std::string NextCursor(const RowsQuery& rows, const core::Schema& schema, const RowsPlan& plan,
                       const std::vector<core::Batch>& batches);

/// Returns the index of the column `name` names in `schema` (exact name first, then any
/// case). Throws HttpError 400 naming `parameter` and suggesting the nearest column.
size_t ResolveColumn(const core::Schema& schema, const std::string& name,
                     const std::string& parameter);

}  // namespace sluice::serve
