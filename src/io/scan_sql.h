#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "io/scan_predicate.h"

namespace sluice::io {

/// Names the SQL dialects Sluice sends scan queries in.
enum class SqlDialect { kPostgres, kSqlite };

/// Returns `name` double-quoted ("" escapes), as both PostgreSQL and SQLite read it.
std::string QuoteSqlIdentifier(std::string_view name);

/// Returns the parts of "schema.table": split at dots outside double quotes, quotes removed,
/// case kept.
std::vector<std::string> SplitTableName(std::string_view table);

/// Returns a table name as quoted SQL: "schema.table" splits at the dot, each part taken
/// exactly (case kept) unless already double-quoted.
std::string QuoteTableName(std::string_view table);

/// Returns `text` as a single-quoted SQL string literal ('' escapes).
std::string QuoteSqlString(std::string_view text);

/// Returns the conjuncts of `predicates` that `dialect` evaluates exactly as Sluice does, as
/// one WHERE condition ("a > 1 AND b IS NULL"); empty when none translates. `schema` gives
/// the columns' Sluice types; predicates on other columns are left out. The caller still
/// filters every row: a predicate left out only costs transfer.
std::string PredicatesToSql(const std::vector<ScanPredicate>& predicates,
                            const core::Schema& schema, SqlDialect dialect);

}  // namespace sluice::io
