// BigQuery ML syntax: CREATE MODEL and the ML.* table functions (DROP MODEL is in
// statement_parser.cc).

#include <set>

#include "sql/parse_error.h"
#include "sql/parser_impl.h"

namespace sluice::sql {

StatementPtr Parser::ParseCreateModel(bool or_replace) {
  auto statement = std::make_unique<CreateModelStatement>();
  statement->or_replace = or_replace;
  if (AcceptWord("if")) {
    ExpectWord("not");
    ExpectWord("exists");
    statement->if_not_exists = true;
  }
  statement->name = ParseQualifiedName();
  if (AcceptWord("transform")) {
    ExpectSymbol("(");
    do {
      statement->transform.push_back(ParseSelectItem());
    } while (AcceptSymbol(","));
    ExpectSymbol(")");
  }
  if (AcceptWord("options")) statement->options = ParseNamedOptions();
  ExpectWord("as");
  bool parenthesized = IsSymbol("(") && AtQueryStart(1) && AcceptSymbol("(");
  if (!AtQueryStart()) FailExpected("a query");
  statement->query = ParseQuery();
  if (parenthesized) ExpectSymbol(")");
  return statement;
}

// `(name = value, ...)` with distinct names.
std::vector<OptionItem> Parser::ParseNamedOptions() {
  std::vector<OptionItem> options;
  std::set<std::string> names;
  ExpectSymbol("(");
  do {
    OptionItem option;
    option.location = Peek().location;
    option.name = ParseLabel();
    if (!names.insert(option.name).second) {
      throw ParseError(option.location, "option " + option.name + " is given twice");
    }
    ExpectSymbol("=");
    option.value = ParseExpr();
    options.push_back(std::move(option));
  } while (AcceptSymbol(","));
  ExpectSymbol(")");
  return options;
}

// After `ML.name(`: MODEL m [, TABLE t | , (query)] [, STRUCT(value AS name, ...)] ).
TableRefPtr Parser::ParseModelFunction(QualifiedName name, SourceLocation location) {
  auto ref = std::make_unique<ModelFunctionRef>();
  ref->location = location;
  ref->function = name.back();
  ExpectSymbol("(");
  ExpectWord("model");
  ref->model = ParseQualifiedName();
  if (AcceptSymbol(",")) {
    if (AcceptWord("table")) {
      ref->table = ParseQualifiedName();
    } else if (IsSymbol("(") && AtQueryStart(1)) {
      Advance();
      ref->query = ParseQuery();
      ExpectSymbol(")");
    }
    if ((!ref->table.empty() || ref->query) && IsSymbol(",")) Advance();
    if (AcceptWord("struct")) ref->settings = ParseStructFields();
  }
  ExpectSymbol(")");
  return ref;
}

// `(value AS name, ...)` of STRUCT(...), as options.
std::vector<OptionItem> Parser::ParseStructFields() {
  std::vector<OptionItem> fields;
  ExpectSymbol("(");
  do {
    OptionItem field;
    field.value = ParseExpr();
    ExpectWord("as");
    field.location = Peek().location;
    field.name = ParseLabel();
    fields.push_back(std::move(field));
  } while (AcceptSymbol(","));
  ExpectSymbol(")");
  return fields;
}

}  // namespace sluice::sql
