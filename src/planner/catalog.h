#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "core/schema.h"
#include "exec/source_operators.h"
#include "io/scan_predicate.h"
#include "sql/ast.h"

namespace sluice::planner {

struct QueryLineage;

/// Opens a scan of a table whose rows live outside memory, reading only `columns` (every column
/// when empty), in the table's column order. `predicates` are conjuncts of the query's filter the
/// scan may use to skip data (or push to a database); the planner still filters the rows.
using ScanOpener = std::function<std::unique_ptr<exec::SourceOperator>(
    const std::vector<std::string>& columns, const std::vector<io::ScanPredicate>& predicates)>;

/// Is a table the planner can scan: its schema and either its batches (shared and immutable) or,
/// for a table stored elsewhere (a committed result version, a database source), a scan opener.
struct TableEntry {
  core::SchemaPtr schema;
  exec::BatchList batches;
  ScanOpener open_scan;                          // set for stored tables; `batches` is then unused
  size_t estimated_rows = 0;                     // rows of a stored table, for join ordering
  std::vector<bool> not_null;                    // per column (empty: no NOT NULL columns)
  std::vector<std::vector<size_t>> unique_keys;  // PRIMARY KEY / UNIQUE column sets
  int64_t version = 0;                           // the stored version the entry reads (0: none)
  /// What a temporary table's rows were made from; lineage reads through such a table to the
  /// datasets behind it. Null: the table is a dataset of its own (results, sources).
  std::shared_ptr<const QueryLineage> lineage;
};

/// Is a view: its query, parsed once and kept alive as long as the entry, and the column names
/// it was given (empty: the query's own).
struct ViewEntry {
  std::shared_ptr<const sql::Statement> statement;  // the CREATE VIEW statement
  const sql::QueryNode* query;
  std::vector<std::string> column_names;
};

/// Names the tables and views queries can use. Thread-safe to read.
class Catalog {
 public:
  virtual ~Catalog() = default;
  /// Returns the table named `name` (lower case), or nullptr.
  virtual std::shared_ptr<const TableEntry> FindTable(std::string_view name) const = 0;
  /// Returns the view named `name` (lower case), or nullptr.
  virtual std::shared_ptr<const ViewEntry> FindView(std::string_view name) const = 0;
  /// Returns every table and view name, for suggestions.
  virtual std::vector<std::string> TableNames() const = 0;
  /// Returns version `version` of stored table `name` (FOR VERSION AS OF), or nullptr when
  /// there is no table `name`. Throws UserError when the table keeps no such version.
  virtual std::shared_ptr<const TableEntry> FindTableVersion(std::string_view name,
                                                             int64_t version) const;
  /// Returns the rows of a BigQuery ML table function (ML.PREDICT, ML.EVALUATE, ...); `input`
  /// holds the rows of its TABLE or query argument (null when it has none). Throws UserError
  /// for an unknown model or function.
  virtual std::shared_ptr<const TableEntry> RunModelFunction(const sql::ModelFunctionRef& ref,
                                                             const TableEntry* input) const;
};

inline std::shared_ptr<const TableEntry> Catalog::RunModelFunction(const sql::ModelFunctionRef& ref,
                                                                   const TableEntry*) const {
  Throw<UserError>("model \"{}\" does not exist (line {}, column {})", ref.model.back(),
                   ref.location.line, ref.location.column);
}

inline std::shared_ptr<const TableEntry> Catalog::FindTableVersion(std::string_view name,
                                                                   int64_t) const {
  if (FindTable(name) == nullptr) return nullptr;
  Throw<UserError>(
      "table \"{}\" has no versions: FOR VERSION AS OF reads results stored in a workspace", name);
}

}  // namespace sluice::planner
