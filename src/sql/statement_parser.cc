// Statements other than queries: CREATE, INSERT, DROP, EXPLAIN, SET, SHOW, DESCRIBE, COPY.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sql/parse_error.h"
#include "sql/parser_impl.h"

namespace sluice::sql {
namespace {

template <typename T>
std::unique_ptr<T> MakeNode(SourceLocation location) {
  auto node = std::make_unique<T>();
  node->location = location;
  return node;
}

}  // namespace

StatementPtr Parser::ParseStatement() {
  SourceLocation location = Peek().location;
  if (AtQueryStart()) {
    auto statement = MakeNode<SelectStatement>(location);
    statement->query = ParseQuery();
    return statement;
  }
  StatementPtr statement;
  if (IsWord("create")) {
    statement = ParseCreate();
  } else if (IsWord("insert")) {
    statement = ParseInsert();
  } else if (IsWord("drop")) {
    statement = ParseDrop();
  } else if (IsWord("explain")) {
    statement = ParseExplain();
  } else if (IsWord("set")) {
    statement = ParseSet();
  } else if (IsWord("show")) {
    statement = ParseShow();
  } else if (IsWord("describe")) {
    statement = ParseDescribe();
  } else if (IsWord("copy")) {
    statement = ParseCopy();
  } else {
    FailExpected("a statement");
  }
  statement->location = location;
  return statement;
}

StatementPtr Parser::ParseCreate() {
  ExpectWord("create");
  bool or_replace = false;
  if (AcceptWord("or")) {
    ExpectWord("replace");
    or_replace = true;
  }
  if (AcceptWord("source")) return ParseCreateSource(or_replace);
  if (AcceptWord("sink")) return ParseCreateSink(or_replace);
  if (AcceptWord("model")) return ParseCreateModel(or_replace);
  bool temporary = AcceptWord("temp") || AcceptWord("temporary");
  if (AcceptWord("table")) return ParseCreateTable(or_replace, temporary);
  if (AcceptWord("view")) return ParseCreateView(or_replace, temporary);
  bool unique = AcceptWord("unique");
  if (AcceptWord("index")) return ParseCreateIndex(unique);
  FailExpected("TABLE, VIEW, INDEX, SOURCE, SINK or MODEL");
}

StatementPtr Parser::ParseCreateIndex(bool unique) {
  auto statement = std::make_unique<CreateIndexStatement>();
  statement->unique = unique;
  if (AcceptWord("if")) {
    ExpectWord("not");
    ExpectWord("exists");
    statement->if_not_exists = true;
  }
  statement->name = ParseIdentifier();
  ExpectWord("on");
  statement->table = ParseQualifiedName();
  ExpectSymbol("(");
  do {
    statement->columns.push_back(ParseIdentifier());
    if (!AcceptWord("asc")) AcceptWord("desc");
  } while (AcceptSymbol(","));
  ExpectSymbol(")");
  return statement;
}

StatementPtr Parser::ParseCreateTable(bool or_replace, bool temporary) {
  auto statement = std::make_unique<CreateTableStatement>();
  statement->or_replace = or_replace;
  statement->temporary = temporary;
  if (AcceptWord("if")) {
    ExpectWord("not");
    ExpectWord("exists");
    statement->if_not_exists = true;
  }
  statement->name = ParseQualifiedName();
  bool has_list = AcceptSymbol("(");
  if (has_list) {
    do {
      if (IsWord("constraint")) {
        statement->expectations.push_back(ParseExpectation());
      } else {
        statement->columns.push_back(ParseColumnDefinition());
      }
    } while (AcceptSymbol(","));
    ExpectSymbol(")");
  }
  // The columns of a table with expectations come from its query.
  if (!statement->columns.empty() && !statement->expectations.empty()) {
    throw ParseError(statement->columns[0].location,
                     "column definitions cannot be combined with expectations; a table with "
                     "expectations takes its columns from AS query");
  }
  if (AcceptWord("with")) statement->options = ParseTableOptions();
  if (!statement->columns.empty()) return statement;
  if (!AcceptWord("as")) FailExpected(has_list || !statement->options.empty() ? "AS" : "AS or (");
  statement->query = ParseQuery();
  CheckExpectationNames(statement->expectations);
  return statement;
}

std::vector<TableOption> Parser::ParseTableOptions() {
  std::vector<TableOption> options;
  ExpectSymbol("(");
  do {
    TableOption option;
    option.location = Peek().location;
    option.name = ParseLabel();
    std::transform(option.name.begin(), option.name.end(), option.name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (option.name != "key") {
      throw ParseError(
          option.location,
          fmt::format("CREATE TABLE has no option \"{}\" (the only one is key)", option.name));
    }
    for (const TableOption& previous : options) {
      if (previous.name != option.name) continue;
      throw ParseError(option.location,
                       fmt::format("option \"{}\" is given twice (first at line {}, column {})",
                                   option.name, previous.location.line, previous.location.column));
    }
    ExpectSymbol("=");
    if (Peek().kind != TokenKind::kString) FailExpected("a string such as 'a, b'");
    option.value = Advance().text;
    options.push_back(std::move(option));
  } while (AcceptSymbol(","));
  ExpectSymbol(")");
  return options;
}

Expectation Parser::ParseExpectation() {
  Expectation expectation;
  expectation.location = Peek().location;
  ExpectWord("constraint");
  expectation.name = ParseIdentifier();
  ExpectWord("expect");
  ExpectSymbol("(");
  expectation.condition = ParseExpr();
  ExpectSymbol(")");
  if (!AcceptWord("on")) return expectation;
  ExpectWord("violation");
  if (AcceptWord("warn")) {
    expectation.action = ViolationAction::kWarn;
  } else if (AcceptWord("drop")) {
    ExpectWord("row");
    expectation.action = ViolationAction::kDropRow;
  } else if (AcceptWord("fail")) {
    AcceptWord("update");  // Databricks writes FAIL UPDATE
    expectation.action = ViolationAction::kFail;
  } else {
    FailExpected("WARN, DROP ROW or FAIL");
  }
  return expectation;
}

void Parser::CheckExpectationNames(const std::vector<Expectation>& expectations) {
  for (size_t i = 1; i < expectations.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (expectations[j].name != expectations[i].name) continue;
      throw ParseError(expectations[i].location,
                       fmt::format("expectation \"{}\" is defined twice (first at line {}, "
                                   "column {})",
                                   expectations[i].name, expectations[j].location.line,
                                   expectations[j].location.column));
    }
  }
}

ColumnDefinition Parser::ParseColumnDefinition() {
  ColumnDefinition column;
  column.location = Peek().location;
  column.name = ParseIdentifier();
  column.type = ParseTypeName();
  while (true) {
    if (AcceptWord("not")) {
      ExpectWord("null");
      column.not_null = true;
    } else if (AcceptWord("primary")) {
      ExpectWord("key");
      column.primary_key = true;
    } else if (AcceptWord("unique")) {
      column.unique = true;
    } else if (!AcceptWord("null")) {
      return column;
    }
  }
}

StatementPtr Parser::ParseCreateView(bool or_replace, bool temporary) {
  auto statement = std::make_unique<CreateViewStatement>();
  statement->or_replace = or_replace;
  statement->temporary = temporary;
  statement->name = ParseQualifiedName();
  if (IsSymbol("(")) statement->column_names = ParseIdentifierList();
  ExpectWord("as");
  statement->query = ParseQuery();
  return statement;
}

StatementPtr Parser::ParseInsert() {
  auto statement = std::make_unique<InsertStatement>();
  ExpectWord("insert");
  ExpectWord("into");
  statement->table = ParseQualifiedName();
  if (IsSymbol("(") && !AtQueryStart(1)) statement->columns = ParseIdentifierList();
  if (!AtQueryStart()) FailExpected("VALUES or a query");
  statement->source = ParseQuery();
  return statement;
}

StatementPtr Parser::ParseDrop() {
  auto statement = std::make_unique<DropStatement>();
  ExpectWord("drop");
  if (AcceptWord("view")) {
    statement->object_type = ObjectType::kView;
  } else if (AcceptWord("source")) {
    statement->object_type = ObjectType::kSource;
  } else if (AcceptWord("sink")) {
    statement->object_type = ObjectType::kSink;
  } else if (AcceptWord("model")) {
    statement->object_type = ObjectType::kModel;
  } else {
    ExpectWord("table");
  }
  if (AcceptWord("if")) {
    ExpectWord("exists");
    statement->if_exists = true;
  }
  statement->name = ParseQualifiedName();
  return statement;
}

StatementPtr Parser::ParseExplain() {
  auto statement = std::make_unique<ExplainStatement>();
  ExpectWord("explain");
  statement->analyze = AcceptWord("analyze") || AcceptWord("analyse");
  statement->statement = ParseStatement();
  return statement;
}

StatementPtr Parser::ParseSet() {
  auto statement = std::make_unique<SetStatement>();
  ExpectWord("set");
  statement->name = ParseIdentifier();
  if (!AcceptWord("to")) ExpectSymbol("=");
  statement->value = ParseExpr();
  return statement;
}

StatementPtr Parser::ParseShow() {
  auto statement = std::make_unique<ShowStatement>();
  ExpectWord("show");
  statement->name = ParseLabel();
  return statement;
}

StatementPtr Parser::ParseDescribe() {
  auto statement = std::make_unique<DescribeStatement>();
  ExpectWord("describe");
  statement->name = ParseQualifiedName();
  return statement;
}

StatementPtr Parser::ParseCopy() {
  auto statement = std::make_unique<CopyStatement>();
  ExpectWord("copy");
  if (AcceptSymbol("(")) {
    statement->query = ParseQuery();
    ExpectSymbol(")");
  } else {
    statement->table = ParseQualifiedName();
  }
  if (!AcceptWord("to")) {
    ExpectWord("from");
    statement->to = false;
  }
  if (Peek().kind != TokenKind::kString) FailExpected("a file path string");
  statement->path = Advance().text;
  AcceptWord("with");
  if (IsSymbol("(")) statement->options = ParseOptionList();
  return statement;
}

std::vector<OptionItem> Parser::ParseOptionList() {
  std::vector<OptionItem> options;
  ExpectSymbol("(");
  do {
    OptionItem option;
    option.location = Peek().location;
    option.name = ParseLabel();
    if (!IsSymbol(",") && !IsSymbol(")")) {
      AcceptSymbol("=");
      option.value = ParseExpr();
    }
    options.push_back(std::move(option));
  } while (AcceptSymbol(","));
  ExpectSymbol(")");
  return options;
}

}  // namespace sluice::sql
