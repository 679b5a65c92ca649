#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/parse_error.h"

namespace sluice::sql {

/// Returns the statements of `sql`, separated by `;` (empty statements are skipped).
/// Throws ParseError with the line and column of the first problem.
std::vector<StatementPtr> ParseSql(std::string_view sql);

/// Returns the one statement of `sql` (a trailing `;` is allowed). Throws ParseError when there
/// is not exactly one.
StatementPtr ParseStatement(std::string_view sql);

/// Returns the expression that makes up all of `sql`. Throws ParseError.
ExprPtr ParseExpression(std::string_view sql);

/// Is the text of one statement of a script and where it starts.
struct StatementText {
  std::string text;  // From its first token to its last, without the `;`.
  SourceLocation location;
};

/// Splits a script into statements at top-level `;` without parsing them: for sqllogictest
/// files and notebook cells. Statements holding only comments are dropped. Throws ParseError
/// for text that does not lex (an unterminated string or comment).
std::vector<StatementText> SplitStatements(std::string_view sql);

}  // namespace sluice::sql
