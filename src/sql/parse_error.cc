#include "sql/parse_error.h"

#include <fmt/format.h>

namespace sluice::sql {

ParseError::ParseError(SourceLocation location, std::string detail)
    : UserError(fmt::format("syntax error at line {}, column {}: {}", location.line,
                            location.column, detail)),
      location_(location),
      detail_(std::move(detail)) {}

std::string RenderErrorContext(std::string_view sql, SourceLocation location) {
  if (location.line < 1) return "";
  size_t begin = 0;
  for (int line = 1; line < location.line; ++line) {
    size_t newline = sql.find('\n', begin);
    if (newline == std::string_view::npos) return "";
    begin = newline + 1;
  }
  size_t end = sql.find('\n', begin);
  std::string_view text = sql.substr(begin, end == std::string_view::npos ? end : end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  std::string prefix = fmt::format("LINE {}: ", location.line);
  // Columns count characters, so the caret sits under the right one for UTF-8 text too; tabs
  // are copied so that terminals expand them the same way on both lines.
  std::string pad(prefix.size(), ' ');
  int column = 1;
  for (size_t i = 0; i < text.size() && column < location.column; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;
    pad += c == '\t' ? '\t' : ' ';
    ++column;
  }
  pad.append(std::max(0, location.column - column), ' ');
  return fmt::format("{}{}\n{}^", prefix, text, pad);
}

}  // namespace sluice::sql
