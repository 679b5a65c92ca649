#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"

namespace sluice::sql {

/// Tags the token kinds.
enum class TokenKind : uint8_t {
  kWord,              // Unquoted identifier or keyword; text is folded to lower case.
  kQuotedIdentifier,  // "Name"; text is the name with "" unescaped.
  kString,            // 'text' or E'text'; text is the value with escapes resolved.
  kNumber,            // 42, 1.5, .5, 1e-3; text is the spelling.
  kParameter,         // $1; text is the digits.
  kSymbol,            // Operators and punctuation; text is the symbol ("(", "::", "<=").
  kEnd,               // End of input.
};

/// Is one lexical token; `raw` views the source text as written.
struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  std::string_view raw;
  SourceLocation location;
  size_t begin = 0;  // Byte offsets of the token in the source.
  size_t end = 0;
};

/// Splits SQL text into tokens, skipping whitespace and comments (`--`, nested `/* */`).
/// Throws ParseError for unterminated strings, identifiers and comments, malformed numbers and
/// parameters, and characters that start no token. The source must outlive the tokens.
class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  /// Returns the next token; returns kEnd tokens forever once the input is consumed.
  Token Next();

 private:
  char Peek(size_t ahead = 0) const;
  void Advance();
  void SkipSpaceAndComments();
  void SkipBlockComment();
  Token Start(TokenKind kind) const;
  void Finish(Token& token) const;
  Token LexWord();
  Token LexQuotedIdentifier();
  Token LexString(bool escapes);
  Token LexNumber();
  Token LexParameter();
  Token LexSymbol();
  [[noreturn]] void Fail(SourceLocation location, std::string detail) const;

  std::string_view sql_;
  size_t position_ = 0;
  SourceLocation location_{1, 1};
};

/// Returns all tokens of `sql`, ending with one kEnd token.
std::vector<Token> Tokenize(std::string_view sql);

/// Returns how a token is named in error messages: 'FROM', 'x', end of input.
std::string DescribeToken(const Token& token);

}  // namespace sluice::sql
