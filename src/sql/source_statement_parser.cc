// Statements for sources and sinks: CREATE SOURCE, CREATE SINK (DROP is in statement_parser.cc).

#include "sql/parser_impl.h"

namespace sluice::sql {

StatementPtr Parser::ParseCreateSource(bool or_replace) {
  auto statement = std::make_unique<CreateSourceStatement>();
  statement->or_replace = or_replace;
  if (AcceptWord("if")) {
    ExpectWord("not");
    ExpectWord("exists");
    statement->if_not_exists = true;
  }
  statement->name = ParseIdentifier();
  ExpectWord("from");
  statement->uri = ParseLocation();
  AcceptWord("with");
  if (IsSymbol("(")) statement->options = ParseOptionList();
  return statement;
}

StatementPtr Parser::ParseCreateSink(bool or_replace) {
  auto statement = std::make_unique<CreateSinkStatement>();
  statement->or_replace = or_replace;
  statement->name = ParseIdentifier();
  ExpectWord("from");
  if (AcceptSymbol("(")) {
    statement->query = ParseQuery();
    ExpectSymbol(")");
  } else {
    statement->table = ParseQualifiedName();
  }
  ExpectWord("into");
  statement->uri = ParseLocation();
  AcceptWord("with");
  if (IsSymbol("(")) statement->options = ParseOptionList();
  return statement;
}

std::string Parser::ParseLocation() {
  if (Peek().kind != TokenKind::kString) FailExpected("a location string ('postgresql://…')");
  return Advance().text;
}

}  // namespace sluice::sql
