#pragma once

#include <string>
#include <vector>

#include "catalog/dataset_record.h"
#include "planner/catalog.h"
#include "sql/ast.h"

namespace sluice::session {

/// Is what the expectations of one CREATE TABLE ... AS found: a result per expectation, in the
/// statement's order (what the catalog records with the version).
struct ExpectationReport {
  std::vector<catalog::ExpectationResult> results;

  /// Returns the note a status line ends with, e.g. " (expectation known_origin: 12 rows
  /// dropped)" or " (2 expectations met)"; "" when the statement has no expectations.
  std::string Summary() const;
};

/// Checks the expectations of `statement` against `table`, the rows its query made, and applies
/// them: rows for which a DROP ROW condition is false or NULL are removed from `table`, WARN
/// violations are logged, and FAIL violations throw UserError naming the table, the
/// expectation, the count and the statement's line. Every expectation counts its violations
/// over all input rows. Conditions are bound against the table's columns (subqueries against
/// `catalog`); one that does not bind (an unknown column) or is not boolean throws UserError
/// naming the expectation and its line and column. REQUIRES: `table` holds batches.
ExpectationReport ApplyExpectations(const sql::CreateTableStatement& statement,
                                    planner::TableEntry& table, const planner::Catalog& catalog);

}  // namespace sluice::session
