#pragma once

#include <string>
#include <string_view>

#include "sql/ast.h"

namespace sluice::sql {

/// Returns canonical SQL for a node: keywords upper case, names quoted only when needed,
/// every binary operator parenthesized, casts as CAST(x AS T), special forms as plain calls.
/// Parsing the result gives the same tree (parse → ToSql → parse → ToSql is stable).
std::string ToSql(const Expr& expr);
std::string ToSql(const QualifiedName& name);
std::string ToSql(const TypeName& type);
std::string ToSql(const OrderByItem& item);
std::string ToSql(const WindowSpec& window);
std::string ToSql(const TableRef& ref);
std::string ToSql(const QueryNode& query);
std::string ToSql(const Statement& statement);

/// Returns the output name of an unaliased select item (DuckDB style): a column's name, else
/// the expression's SQL with lower-case function names, e.g. sum(v1), (a + b), count_star().
std::string DefaultColumnName(const Expr& expr);

/// Returns `name`, double-quoted (with "" escapes) when it would not read back unquoted.
std::string QuoteIdentifier(std::string_view name);

/// Returns `value` as a single-quoted SQL string literal ('' escapes).
std::string QuoteString(std::string_view value);

}  // namespace sluice::sql
