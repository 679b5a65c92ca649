// Queries: WITH, set operations, SELECT and its clauses, VALUES, and the FROM clause.

#include "sql/parser_impl.h"

namespace sluice::sql {
namespace {

template <typename T>
std::unique_ptr<T> MakeNode(SourceLocation location) {
  auto node = std::make_unique<T>();
  node->location = location;
  return node;
}

TableRefPtr MakeJoin(JoinType type, TableRefPtr left, TableRefPtr right) {
  auto join = MakeNode<JoinRef>(left->location);
  join->type = type;
  join->left = std::move(left);
  join->right = std::move(right);
  return join;
}

}  // namespace

bool Parser::AtQueryStart(size_t ahead) const {
  while (IsSymbol("(", ahead)) ++ahead;
  return IsWord("select", ahead) || IsWord("with", ahead) || IsWord("values", ahead);
}

QueryPtr Parser::ParseQuery() {
  SourceLocation location = Peek().location;
  auto with = MakeNode<SelectNode>(location);
  if (IsWord("with")) ParseWith(*with);
  QueryPtr query = ParseSetOperations(false);
  if (!with->ctes.empty()) {
    if (!query->ctes.empty()) FailAt(Peek(), "multiple WITH clauses are not allowed");
    query->ctes = std::move(with->ctes);
    query->recursive = with->recursive;
    query->location = location;
  }
  ParseQueryModifiers(*query);
  return query;
}

void Parser::ParseWith(QueryNode& query) {
  ExpectWord("with");
  query.recursive = AcceptWord("recursive");
  do {
    CommonTableExpr cte;
    cte.location = Peek().location;
    cte.name = ParseIdentifier();
    if (IsSymbol("(")) cte.column_names = ParseIdentifierList();
    ExpectWord("as");
    if (!AcceptWord("materialized")) {
      if (AcceptWord("not")) ExpectWord("materialized");
    }
    ExpectSymbol("(");
    cte.query = ParseQuery();
    ExpectSymbol(")");
    query.ctes.push_back(std::move(cte));
  } while (AcceptSymbol(","));
}

QueryPtr Parser::ParseSetOperations(bool intersect_level) {
  QueryPtr left = intersect_level ? ParseQueryPrimary() : ParseSetOperations(true);
  while (true) {
    SetOperationKind op;
    if (intersect_level && IsWord("intersect")) {
      op = SetOperationKind::kIntersect;
    } else if (!intersect_level && IsWord("union")) {
      op = SetOperationKind::kUnion;
    } else if (!intersect_level && IsWord("except")) {
      op = SetOperationKind::kExcept;
    } else {
      return left;
    }
    Advance();
    auto node = MakeNode<SetOperationNode>(left->location);
    node->op = op;
    node->all = AcceptWord("all");
    if (!node->all) AcceptWord("distinct");
    node->left = std::move(left);
    node->right = intersect_level ? ParseQueryPrimary() : ParseSetOperations(true);
    left = std::move(node);
  }
}

QueryPtr Parser::ParseQueryPrimary() {
  if (IsWord("select")) return ParseSelect();
  if (IsWord("values")) return ParseValues();
  if (AcceptSymbol("(")) {
    QueryPtr query = ParseQuery();
    ExpectSymbol(")");
    return query;
  }
  FailExpected("SELECT, VALUES or '('");
}

void Parser::ParseQueryModifiers(QueryNode& query) {
  if (IsWord("order") && IsWord("by", 1)) {
    if (!query.order_by.empty()) FailAt(Peek(), "multiple ORDER BY clauses are not allowed");
    Advance();
    Advance();
    query.order_by = ParseOrderByList();
  }
  ParseLimitOffset(query);
}

void Parser::ParseLimitOffset(QueryNode& query) {
  bool seen_limit = false;
  bool seen_offset = false;
  while (true) {
    const Token& token = Peek();
    bool fetch = IsWord("fetch");
    if ((IsWord("limit") || fetch) && !seen_limit) {
      if (query.limit) FailAt(token, "multiple LIMIT clauses are not allowed");
      seen_limit = true;
      Advance();
      if (fetch) {
        if (!AcceptWord("first")) ExpectWord("next");
        query.limit = ParseExpr();
        if (!AcceptWord("rows")) ExpectWord("row");
        ExpectWord("only");
      } else if (!AcceptWord("all")) {
        query.limit = ParseExpr();
      }
    } else if (IsWord("offset") && !seen_offset) {
      if (query.offset) FailAt(token, "multiple OFFSET clauses are not allowed");
      seen_offset = true;
      Advance();
      query.offset = ParseExpr();
      if (!AcceptWord("rows")) AcceptWord("row");
    } else {
      return;
    }
  }
}

std::unique_ptr<SelectNode> Parser::ParseSelect() {
  auto select = MakeNode<SelectNode>(Peek().location);
  ExpectWord("select");
  ParseDistinct(*select);
  do {
    select->select_list.push_back(ParseSelectItem());
  } while (AcceptSymbol(","));
  if (AcceptWord("from")) select->from = ParseFrom();
  if (AcceptWord("where")) select->where = ParseExpr();
  if (IsWord("group")) ParseGroupBy(*select);
  if (AcceptWord("having")) select->having = ParseExpr();
  if (IsWord("window")) ParseWindowClause(*select);
  if (AcceptWord("qualify")) select->qualify = ParseExpr();
  return select;
}

void Parser::ParseDistinct(SelectNode& select) {
  if (AcceptWord("all")) return;
  if (!AcceptWord("distinct")) return;
  select.distinct = DistinctKind::kDistinct;
  if (!AcceptWord("on")) return;
  select.distinct = DistinctKind::kDistinctOn;
  ExpectSymbol("(");
  select.distinct_on = ParseExprList();
  ExpectSymbol(")");
}

SelectItem Parser::ParseSelectItem() {
  SelectItem item;
  item.expr = ParseExpr();
  // A star takes no alias, which also makes `SELECT * FORM t` fail at FORM.
  if (item.expr->kind == ExprKind::kStar) return item;
  if (AcceptWord("as")) {
    item.alias = ParseLabel();
  } else if (AtImplicitAlias()) {
    item.alias = Advance().text;
  }
  return item;
}

void Parser::ParseGroupBy(SelectNode& select) {
  ExpectWord("group");
  ExpectWord("by");
  if (AcceptWord("all")) {
    select.group_by_all = true;
    return;
  }
  select.group_by = ParseExprList();
}

void Parser::ParseWindowClause(SelectNode& select) {
  ExpectWord("window");
  do {
    NamedWindow window;
    window.name = ParseIdentifier();
    ExpectWord("as");
    window.spec = ParseWindowSpec();
    select.windows.push_back(std::move(window));
  } while (AcceptSymbol(","));
}

QueryPtr Parser::ParseValues() {
  auto values = MakeNode<ValuesNode>(Peek().location);
  ExpectWord("values");
  do {
    const Token& start = Peek();
    ExpectSymbol("(");
    values->rows.push_back(ParseExprList());
    ExpectSymbol(")");
    if (values->rows.back().size() != values->rows.front().size()) {
      FailAt(start, "VALUES lists must all be the same length");
    }
  } while (AcceptSymbol(","));
  return values;
}

TableRefPtr Parser::ParseFrom() {
  TableRefPtr left = ParseJoinedTable();
  while (AcceptSymbol(",")) left = MakeJoin(JoinType::kCross, std::move(left), ParseJoinedTable());
  return left;
}

TableRefPtr Parser::ParseJoinedTable() {
  TableRefPtr left = ParseTablePrimary();
  while (true) {
    JoinType type = JoinType::kInner;
    bool natural = false;
    if (!ParseJoinType(type, natural)) return left;
    auto join = MakeJoin(type, std::move(left), ParseTablePrimary());
    auto& node = join->As<JoinRef>();
    node.natural = natural;
    if (type != JoinType::kCross && !natural) {
      if (AcceptWord("on")) {
        node.condition = ParseExpr();
      } else if (AcceptWord("using")) {
        node.using_columns = ParseIdentifierList();
      } else {
        FailExpected("ON or USING");
      }
    }
    left = std::move(join);
  }
}

bool Parser::ParseJoinType(JoinType& type, bool& natural) {
  natural = AcceptWord("natural");
  if (AcceptWord("cross")) {
    type = JoinType::kCross;
  } else if (AcceptWord("left")) {
    type = JoinType::kLeft;
  } else if (AcceptWord("right")) {
    type = JoinType::kRight;
  } else if (AcceptWord("full")) {
    type = JoinType::kFull;
  } else {
    type = JoinType::kInner;
    if (AcceptWord("inner")) {
      ExpectWord("join");
      return true;
    }
    if (natural) {
      ExpectWord("join");
      return true;
    }
    return AcceptWord("join");
  }
  if (type != JoinType::kCross) AcceptWord("outer");
  ExpectWord("join");
  return true;
}

TableRefPtr Parser::ParseTablePrimary() {
  SourceLocation location = Peek().location;
  TableRefPtr ref;
  if (IsSymbol("(") && AtQueryStart(1)) {
    Advance();
    auto subquery = MakeNode<SubqueryRef>(location);
    subquery->query = ParseQuery();
    ExpectSymbol(")");
    ref = std::move(subquery);
  } else if (AcceptSymbol("(")) {
    TableRefPtr inner = ParseFrom();
    ExpectSymbol(")");
    return inner;
  } else if (Peek().kind == TokenKind::kString) {
    auto file = MakeNode<FileRef>(location);
    file->path = Advance().text;
    ref = std::move(file);
  } else {
    QualifiedName name = ParseQualifiedName();
    if (name.size() == 2 && name[0] == "ml" && IsSymbol("(") && IsWord("model", 1)) {
      ref = ParseModelFunction(std::move(name), location);
    } else if (IsSymbol("(")) {
      auto function = MakeNode<TableFunctionRef>(location);
      function->call = ParseCall(std::move(name), location);
      if (function->call->filter || function->call->over) {
        FailAt(Peek(), "a table function takes no FILTER or OVER clause");
      }
      ref = std::move(function);
    } else {
      auto table = MakeNode<BaseTableRef>(location);
      table->name = std::move(name);
      // Time travel, Iceberg/Spark syntax: FOR VERSION AS OF n.
      if (IsWord("for") && IsWord("version", 1)) {
        Advance();
        Advance();
        ExpectWord("as");
        ExpectWord("of");
        table->version = ParseInteger();
      }
      ref = std::move(table);
    }
  }
  ParseTableAlias(*ref);
  return ref;
}

void Parser::ParseTableAlias(TableRef& ref) {
  if (AcceptWord("as")) {
    ref.alias = ParseIdentifier();
  } else if (AtImplicitAlias()) {
    ref.alias = Advance().text;
  } else {
    return;
  }
  if (IsSymbol("(")) ref.column_aliases = ParseIdentifierList();
}

}  // namespace sluice::sql
