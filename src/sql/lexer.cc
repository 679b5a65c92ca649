#include "sql/lexer.h"

#include <array>
#include <cctype>

#include "sql/parse_error.h"

namespace sluice::sql {
namespace {

bool IsWordStart(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}

bool IsWordPart(char c) {
  return IsWordStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

char ToLower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

char Lexer::Peek(size_t ahead) const {
  size_t at = position_ + ahead;
  return at < sql_.size() ? sql_[at] : '\0';
}

void Lexer::Advance() {
  char c = sql_[position_++];
  if (c == '\n') {
    ++location_.line;
    location_.column = 1;
  } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
    ++location_.column;  // UTF-8 continuation bytes do not start a character.
  }
}

void Lexer::Fail(SourceLocation location, std::string detail) const {
  throw ParseError(location, std::move(detail));
}

void Lexer::SkipBlockComment() {
  SourceLocation start = location_;
  int depth = 0;
  while (position_ < sql_.size()) {
    if (Peek() == '/' && Peek(1) == '*') {
      ++depth;
      Advance();
    } else if (Peek() == '*' && Peek(1) == '/') {
      --depth;
      Advance();
      if (depth == 0) {
        Advance();
        return;
      }
    }
    Advance();
  }
  Fail(start, "unterminated /* comment");
}

void Lexer::SkipSpaceAndComments() {
  while (position_ < sql_.size()) {
    char c = Peek();
    if (std::isspace(static_cast<unsigned char>(c))) {
      Advance();
    } else if (c == '-' && Peek(1) == '-') {
      while (position_ < sql_.size() && Peek() != '\n') Advance();
    } else if (c == '/' && Peek(1) == '*') {
      SkipBlockComment();
    } else {
      return;
    }
  }
}

Token Lexer::Start(TokenKind kind) const {
  Token token;
  token.kind = kind;
  token.location = location_;
  token.begin = position_;
  return token;
}

void Lexer::Finish(Token& token) const {
  token.end = position_;
  token.raw = sql_.substr(token.begin, token.end - token.begin);
}

Token Lexer::Next() {
  SkipSpaceAndComments();
  if (position_ >= sql_.size()) {
    Token token = Start(TokenKind::kEnd);
    Finish(token);
    return token;
  }
  char c = Peek();
  if ((c == 'e' || c == 'E') && Peek(1) == '\'') return LexString(true);
  if (IsWordStart(c)) return LexWord();
  if (c == '"') return LexQuotedIdentifier();
  if (c == '\'') return LexString(false);
  if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return LexNumber();
  if (c == '$') return LexParameter();
  return LexSymbol();
}

Token Lexer::LexWord() {
  Token token = Start(TokenKind::kWord);
  while (position_ < sql_.size() && IsWordPart(Peek())) {
    token.text += ToLower(Peek());
    Advance();
  }
  Finish(token);
  return token;
}

Token Lexer::LexQuotedIdentifier() {
  Token token = Start(TokenKind::kQuotedIdentifier);
  Advance();
  while (true) {
    if (position_ >= sql_.size()) Fail(token.location, "unterminated quoted identifier");
    if (Peek() == '"') {
      Advance();
      if (Peek() != '"') break;
    }
    token.text += Peek();
    Advance();
  }
  if (token.text.empty()) Fail(token.location, "zero-length quoted identifier");
  Finish(token);
  return token;
}

Token Lexer::LexString(bool escapes) {
  Token token = Start(TokenKind::kString);
  if (escapes) Advance();
  Advance();
  while (true) {
    if (position_ >= sql_.size()) Fail(token.location, "unterminated string literal");
    char c = Peek();
    if (c == '\'') {
      Advance();
      if (Peek() != '\'') break;
    } else if (escapes && c == '\\' && position_ + 1 < sql_.size()) {
      Advance();
      c = Peek();
      static constexpr std::string_view kFrom = "ntrb0";
      static constexpr std::string_view kTo("\n\t\r\b\0", 5);
      size_t at = kFrom.find(c);
      if (at != std::string_view::npos) c = kTo[at];
    }
    token.text += c;
    Advance();
  }
  Finish(token);
  return token;
}

Token Lexer::LexNumber() {
  Token token = Start(TokenKind::kNumber);
  while (IsDigit(Peek())) Advance();
  if (Peek() == '.') {
    Advance();
    while (IsDigit(Peek())) Advance();
  }
  if (Peek() == 'e' || Peek() == 'E') {
    Advance();
    if (Peek() == '+' || Peek() == '-') Advance();
    if (!IsDigit(Peek())) Fail(token.location, "malformed number: exponent has no digits");
    while (IsDigit(Peek())) Advance();
  }
  if (IsWordPart(Peek()) || Peek() == '.') {
    Fail(token.location, "malformed number: trailing junk after numeric literal");
  }
  Finish(token);
  token.text = std::string(token.raw);
  return token;
}

Token Lexer::LexParameter() {
  Token token = Start(TokenKind::kParameter);
  Advance();
  if (!IsDigit(Peek())) Fail(token.location, "expected a parameter number after '$'");
  while (IsDigit(Peek())) {
    token.text += Peek();
    Advance();
  }
  if (token.text.size() > 6) Fail(token.location, "parameter number too large");
  Finish(token);
  return token;
}

Token Lexer::LexSymbol() {
  static constexpr std::array<std::string_view, 7> kTwoChar = {
      "::", "=>", "<=", ">=", "<>", "!=", "||"};
  static constexpr std::string_view kOneChar = "()[],;.+-*/%^=<>:";
  Token token = Start(TokenKind::kSymbol);
  std::string_view rest = sql_.substr(position_);
  for (std::string_view symbol : kTwoChar) {
    if (rest.starts_with(symbol)) {
      Advance();
      Advance();
      token.text = symbol;
      Finish(token);
      return token;
    }
  }
  if (kOneChar.find(rest[0]) == std::string_view::npos) {
    size_t length = 1;
    while (length < rest.size() && (static_cast<unsigned char>(rest[length]) & 0xC0) == 0x80) {
      ++length;
    }
    Fail(token.location, "unexpected character '" + std::string(rest.substr(0, length)) + "'");
  }
  Advance();
  token.text = rest.substr(0, 1);
  Finish(token);
  return token;
}

std::vector<Token> Tokenize(std::string_view sql) {
  Lexer lexer(sql);
  std::vector<Token> tokens;
  do {
    tokens.push_back(lexer.Next());
  } while (tokens.back().kind != TokenKind::kEnd);
  return tokens;
}

std::string DescribeToken(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of input";
  return "'" + std::string(token.raw) + "'";
}

}  // namespace sluice::sql
