#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "sql/ast.h"

namespace sluice::sql {

/// Reports SQL that does not lex or parse. what() reads
/// "syntax error at line L, column C: <detail>"; detail() is the part after the colon.
class ParseError : public UserError {
 public:
  ParseError(SourceLocation location, std::string detail);

  SourceLocation location() const { return location_; }
  const std::string& detail() const { return detail_; }

 private:
  SourceLocation location_;
  std::string detail_;
};

/// Returns PostgreSQL-style context for a location in `sql`: the line prefixed with
/// "LINE n: " and, below it, a caret under the column. Returns "" if the line does not exist.
std::string RenderErrorContext(std::string_view sql, SourceLocation location);

}  // namespace sluice::sql
