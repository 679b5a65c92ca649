#include "sql/parser.h"

#include <charconv>

#include "base/strings.h"
#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace sluice::sql {

Parser::Parser(std::string_view sql) : tokens_(Tokenize(sql)) {}

const Token& Parser::Peek(size_t ahead) const {
  size_t at = std::min(position_ + ahead, tokens_.size() - 1);
  return tokens_[at];
}

const Token& Parser::Advance() {
  const Token& token = tokens_[position_];
  if (position_ + 1 < tokens_.size()) ++position_;
  return token;
}

bool Parser::IsWord(std::string_view word, size_t ahead) const {
  const Token& token = Peek(ahead);
  return token.kind == TokenKind::kWord && token.text == word;
}

bool Parser::IsSymbol(std::string_view symbol, size_t ahead) const {
  const Token& token = Peek(ahead);
  return token.kind == TokenKind::kSymbol && token.text == symbol;
}

bool Parser::AcceptWord(std::string_view word) {
  if (!IsWord(word)) return false;
  Advance();
  return true;
}

bool Parser::AcceptSymbol(std::string_view symbol) {
  if (!IsSymbol(symbol)) return false;
  Advance();
  return true;
}

void Parser::ExpectWord(std::string_view word) {
  if (!AcceptWord(word)) {
    std::string upper = AsciiUpper(std::string(word));
    FailExpected(upper);
  }
}

void Parser::ExpectSymbol(std::string_view symbol) {
  if (!AcceptSymbol(symbol)) FailExpected("'" + std::string(symbol) + "'");
}

void Parser::FailExpected(std::string_view what) const {
  FailAt(Peek(), "expected " + std::string(what) + ", found " + DescribeToken(Peek()));
}

void Parser::FailAt(const Token& token, std::string detail) const {
  throw ParseError(token.location, std::move(detail));
}

bool Parser::AtIdentifier(size_t ahead) const {
  const Token& token = Peek(ahead);
  if (token.kind == TokenKind::kQuotedIdentifier) return true;
  return token.kind == TokenKind::kWord && !IsReservedWord(token.text);
}

bool Parser::AtImplicitAlias() const {
  const Token& token = Peek();
  if (token.kind == TokenKind::kQuotedIdentifier) return true;
  return token.kind == TokenKind::kWord && CanBeImplicitAlias(token.text);
}

std::string Parser::ParseIdentifier() {
  if (!AtIdentifier()) FailExpected("an identifier");
  return Advance().text;
}

std::string Parser::ParseLabel() {
  TokenKind kind = Peek().kind;
  if (kind != TokenKind::kWord && kind != TokenKind::kQuotedIdentifier) {
    FailExpected("an identifier");
  }
  return Advance().text;
}

QualifiedName Parser::ParseQualifiedName() {
  QualifiedName name{ParseIdentifier()};
  while (AcceptSymbol(".")) name.push_back(ParseLabel());
  return name;
}

std::vector<std::string> Parser::ParseIdentifierList() {
  ExpectSymbol("(");
  std::vector<std::string> names;
  do {
    names.push_back(ParseIdentifier());
  } while (AcceptSymbol(","));
  ExpectSymbol(")");
  return names;
}

int64_t Parser::ParseInteger() {
  const Token& token = Peek();
  int64_t value = 0;
  auto [end, error] =
      std::from_chars(token.text.data(), token.text.data() + token.text.size(), value);
  if (token.kind != TokenKind::kNumber || error != std::errc() ||
      end != token.text.data() + token.text.size()) {
    FailExpected("an integer");
  }
  Advance();
  return value;
}

std::vector<StatementPtr> Parser::ParseStatements() {
  std::vector<StatementPtr> statements;
  while (true) {
    while (AcceptSymbol(";")) {
    }
    if (Peek().kind == TokenKind::kEnd) return statements;
    statements.push_back(ParseStatement());
    if (Peek().kind != TokenKind::kEnd && !IsSymbol(";")) FailExpected("end of statement");
  }
}

ExprPtr Parser::ParseWholeExpression() {
  ExprPtr expr = ParseExpr();
  if (Peek().kind != TokenKind::kEnd) FailExpected("end of expression");
  return expr;
}

std::vector<StatementPtr> ParseSql(std::string_view sql) { return Parser(sql).ParseStatements(); }

StatementPtr ParseStatement(std::string_view sql) {
  std::vector<StatementPtr> statements = ParseSql(sql);
  if (statements.size() != 1) {
    SourceLocation location =
        statements.size() > 1 ? statements[1]->location : SourceLocation{1, 1};
    throw ParseError(location,
                     "expected exactly one statement, found " + std::to_string(statements.size()));
  }
  return std::move(statements[0]);
}

ExprPtr ParseExpression(std::string_view sql) { return Parser(sql).ParseWholeExpression(); }

std::vector<StatementText> SplitStatements(std::string_view sql) {
  std::vector<StatementText> statements;
  Lexer lexer(sql);
  Token first;
  Token last;
  bool open = false;
  while (true) {
    Token token = lexer.Next();
    bool boundary =
        token.kind == TokenKind::kEnd || (token.kind == TokenKind::kSymbol && token.text == ";");
    if (boundary && open) {
      statements.push_back(
          {std::string(sql.substr(first.begin, last.end - first.begin)), first.location});
      open = false;
    }
    if (token.kind == TokenKind::kEnd) return statements;
    if (boundary) continue;
    if (!open) first = token;
    last = token;
    open = true;
  }
}

}  // namespace sluice::sql
