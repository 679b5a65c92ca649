#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/lexer.h"

namespace sluice::sql {

// Binding powers of the expression operators, lowest first (PostgreSQL's order).
constexpr int kOrPower = 1;
constexpr int kAndPower = 2;
constexpr int kNotPower = 3;
constexpr int kIsPower = 4;
constexpr int kComparePower = 5;
constexpr int kBetweenPower = 6;
constexpr int kOtherPower = 7;
constexpr int kAddPower = 8;
constexpr int kMultiplyPower = 9;
constexpr int kPowerPower = 10;
constexpr int kUnaryPower = 11;
constexpr int kCastPower = 12;

/// Parses one SQL text: recursive descent for statements and queries, precedence climbing
/// (Pratt) for expressions. Internal to the module; use the functions in parser.h.
/// Definitions are split by area: parser.cc (tokens, statements), query_parser.cc,
/// expression_parser.cc.
class Parser {
 public:
  explicit Parser(std::string_view sql);

  /// Returns all statements up to the end of input.
  std::vector<StatementPtr> ParseStatements();
  /// Returns the single expression that makes up the whole input.
  ExprPtr ParseWholeExpression();

 private:
  // Tokens (parser.cc).
  const Token& Peek(size_t ahead = 0) const;
  const Token& Advance();
  bool IsWord(std::string_view word, size_t ahead = 0) const;
  bool IsSymbol(std::string_view symbol, size_t ahead = 0) const;
  bool AcceptWord(std::string_view word);
  bool AcceptSymbol(std::string_view symbol);
  void ExpectWord(std::string_view word);
  void ExpectSymbol(std::string_view symbol);
  [[noreturn]] void FailExpected(std::string_view what) const;
  [[noreturn]] void FailAt(const Token& token, std::string detail) const;
  bool AtIdentifier(size_t ahead = 0) const;
  bool AtImplicitAlias() const;
  std::string ParseIdentifier();
  std::string ParseLabel();
  QualifiedName ParseQualifiedName();
  std::vector<std::string> ParseIdentifierList();
  int64_t ParseInteger();

  // Statements (statement_parser.cc).
  StatementPtr ParseStatement();
  StatementPtr ParseCreate();
  StatementPtr ParseCreateTable(bool or_replace, bool temporary);
  StatementPtr ParseCreateView(bool or_replace, bool temporary);
  StatementPtr ParseCreateIndex(bool unique);
  ColumnDefinition ParseColumnDefinition();
  Expectation ParseExpectation();
  static void CheckExpectationNames(const std::vector<Expectation>& expectations);
  std::vector<TableOption> ParseTableOptions();
  StatementPtr ParseInsert();
  StatementPtr ParseDrop();
  StatementPtr ParseExplain();
  StatementPtr ParseSet();
  StatementPtr ParseShow();
  StatementPtr ParseDescribe();
  StatementPtr ParseCopy();
  std::vector<OptionItem> ParseOptionList();
  // Sources and sinks (source_statement_parser.cc).
  StatementPtr ParseCreateSource(bool or_replace);
  StatementPtr ParseCreateSink(bool or_replace);
  // BigQuery ML (model_statement_parser.cc).
  StatementPtr ParseCreateModel(bool or_replace);
  std::vector<OptionItem> ParseNamedOptions();
  TableRefPtr ParseModelFunction(QualifiedName name, SourceLocation location);
  std::vector<OptionItem> ParseStructFields();
  std::string ParseLocation();

  // Queries and FROM (query_parser.cc).
  bool AtQueryStart(size_t ahead = 0) const;
  QueryPtr ParseQuery();
  void ParseWith(QueryNode& query);
  QueryPtr ParseSetOperations(bool intersect_level);
  QueryPtr ParseQueryPrimary();
  void ParseQueryModifiers(QueryNode& query);
  void ParseLimitOffset(QueryNode& query);
  std::unique_ptr<SelectNode> ParseSelect();
  void ParseDistinct(SelectNode& select);
  SelectItem ParseSelectItem();
  void ParseGroupBy(SelectNode& select);
  void ParseWindowClause(SelectNode& select);
  QueryPtr ParseValues();
  TableRefPtr ParseFrom();
  TableRefPtr ParseJoinedTable();
  bool ParseJoinType(JoinType& type, bool& natural);
  TableRefPtr ParseTablePrimary();
  void ParseTableAlias(TableRef& ref);

  // Expressions (expression_parser.cc).
  ExprPtr ParseExpr(int min_power = 0);
  ExprPtr ParseInfixLoop(ExprPtr left, int min_power);
  int InfixPower() const;
  ExprPtr ParseInfix(ExprPtr left, int power);
  ExprPtr ParseIs(ExprPtr left);
  ExprPtr ParseNegatable(ExprPtr left, int power);
  ExprPtr ParsePrefix();
  ExprPtr ParseNumber(const Token& token, bool negative);
  ExprPtr ParseWordPrefix();
  ExprPtr ParseParenthesized();
  ExprPtr ParseList();
  ExprPtr ParseCase();
  ExprPtr ParseCast(bool try_cast);
  ExprPtr ParseTypedLiteral();
  ExprPtr ParseNameOrCall();
  ExprPtr ParseSpecialCall(const std::string& name);
  std::unique_ptr<FunctionExpr> ParseExtract(SourceLocation location);
  std::unique_ptr<FunctionExpr> ParseTrim(SourceLocation location);
  std::unique_ptr<FunctionExpr> ParseSubstringOrPosition(const std::string& name,
                                                         SourceLocation location);
  std::unique_ptr<FunctionExpr> ParseCall(QualifiedName name, SourceLocation location);
  void ParseCallArguments(FunctionExpr& call);
  void ParseCallSuffix(FunctionExpr& call);
  std::unique_ptr<WindowSpec> ParseWindowSpec();
  std::unique_ptr<WindowFrame> ParseWindowFrame();
  FrameBound ParseFrameBound();
  std::vector<OrderByItem> ParseOrderByList();
  std::vector<ExprPtr> ParseExprList();
  TypeName ParseTypeName();

  std::vector<Token> tokens_;
  size_t position_ = 0;
};

}  // namespace sluice::sql
