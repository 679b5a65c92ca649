// Expressions by precedence climbing. Binding powers follow PostgreSQL, lowest first:
// OR, AND, NOT, IS, comparison, BETWEEN/IN/LIKE, other operators (||), + -, * / %, ^,
// unary minus, ::. Unary minus binds tighter than ^ as in PostgreSQL: -2 ^ 2 = 4.

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "base/strings.h"
#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace sluice::sql {
namespace {

struct SymbolOperator {
  std::string_view symbol;
  BinaryOp op;
  int power;
};

constexpr SymbolOperator kSymbolOperators[] = {
    {"+", BinaryOp::kAdd, kAddPower},           {"-", BinaryOp::kSubtract, kAddPower},
    {"*", BinaryOp::kMultiply, kMultiplyPower}, {"/", BinaryOp::kDivide, kMultiplyPower},
    {"%", BinaryOp::kModulo, kMultiplyPower},   {"^", BinaryOp::kPower, kPowerPower},
    {"||", BinaryOp::kConcat, kOtherPower},     {"=", BinaryOp::kEqual, kComparePower},
    {"<>", BinaryOp::kNotEqual, kComparePower}, {"!=", BinaryOp::kNotEqual, kComparePower},
    {"<", BinaryOp::kLess, kComparePower},      {"<=", BinaryOp::kLessEqual, kComparePower},
    {">", BinaryOp::kGreater, kComparePower},   {">=", BinaryOp::kGreaterEqual, kComparePower},
};

const SymbolOperator* FindSymbolOperator(const Token& token) {
  if (token.kind != TokenKind::kSymbol) return nullptr;
  for (const SymbolOperator& entry : kSymbolOperators) {
    if (entry.symbol == token.text) return &entry;
  }
  return nullptr;
}

template <typename T>
std::unique_ptr<T> MakeNode(SourceLocation location) {
  auto node = std::make_unique<T>();
  node->location = location;
  return node;
}

ExprPtr MakeBinary(BinaryOp op, ExprPtr left, ExprPtr right) {
  auto node = MakeNode<BinaryExpr>(left->location);
  node->op = op;
  node->left = std::move(left);
  node->right = std::move(right);
  return node;
}

ExprPtr MakeStringLiteral(std::string value, SourceLocation location) {
  auto literal = MakeNode<LiteralExpr>(location);
  literal->literal_kind = LiteralKind::kString;
  literal->text = std::move(value);
  return literal;
}

std::string ToUpper(std::string_view word) {
  std::string upper = AsciiUpper(std::string(word));
  return upper;
}

bool IsNegatableWord(const Token& token) {
  return token.kind == TokenKind::kWord && (token.text == "between" || token.text == "in" ||
                                            token.text == "like" || token.text == "ilike");
}

}  // namespace

ExprPtr Parser::ParseExpr(int min_power) { return ParseInfixLoop(ParsePrefix(), min_power); }

ExprPtr Parser::ParseInfixLoop(ExprPtr left, int min_power) {
  while (true) {
    int power = InfixPower();
    if (power <= min_power) return left;
    left = ParseInfix(std::move(left), power);
  }
}

int Parser::InfixPower() const {
  const Token& token = Peek();
  if (const SymbolOperator* entry = FindSymbolOperator(token)) return entry->power;
  if (IsSymbol("::")) return kCastPower;
  if (token.kind != TokenKind::kWord) return 0;
  if (token.text == "or") return kOrPower;
  if (token.text == "and") return kAndPower;
  if (token.text == "is") return kIsPower;
  if (IsNegatableWord(token)) return kBetweenPower;
  if (token.text == "not" && IsNegatableWord(Peek(1))) return kBetweenPower;
  return 0;
}

ExprPtr Parser::ParseInfix(ExprPtr left, int power) {
  if (const SymbolOperator* entry = FindSymbolOperator(Peek())) {
    Advance();
    return MakeBinary(entry->op, std::move(left), ParseExpr(power));
  }
  if (AcceptSymbol("::")) {
    auto cast = MakeNode<CastExpr>(left->location);
    cast->operand = std::move(left);
    cast->type = ParseTypeName();
    return cast;
  }
  if (AcceptWord("or")) return MakeBinary(BinaryOp::kOr, std::move(left), ParseExpr(power));
  if (AcceptWord("and")) return MakeBinary(BinaryOp::kAnd, std::move(left), ParseExpr(power));
  if (IsWord("is")) return ParseIs(std::move(left));
  return ParseNegatable(std::move(left), power);
}

ExprPtr Parser::ParseIs(ExprPtr left) {
  ExpectWord("is");
  bool negated = AcceptWord("not");
  if (AcceptWord("null")) {
    auto node = MakeNode<IsNullExpr>(left->location);
    node->negated = negated;
    node->operand = std::move(left);
    return node;
  }
  BinaryOp op = negated ? BinaryOp::kIsNotDistinctFrom : BinaryOp::kIsDistinctFrom;
  if (AcceptWord("distinct")) {
    ExpectWord("from");
    return MakeBinary(op, std::move(left), ParseExpr(kIsPower));
  }
  // x IS [NOT] TRUE means x IS [NOT] DISTINCT FROM TRUE, with the negation flipped.
  if (IsWord("true") || IsWord("false")) {
    op = negated ? BinaryOp::kIsDistinctFrom : BinaryOp::kIsNotDistinctFrom;
    return MakeBinary(op, std::move(left), ParsePrefix());
  }
  FailExpected("NULL, TRUE, FALSE or DISTINCT FROM after IS");
}

ExprPtr Parser::ParseNegatable(ExprPtr left, int power) {
  bool negated = AcceptWord("not");
  SourceLocation location = left->location;
  if (AcceptWord("between")) {
    auto node = MakeNode<BetweenExpr>(location);
    node->negated = negated;
    node->value = std::move(left);
    node->low = ParseExpr(power);
    ExpectWord("and");
    node->high = ParseExpr(power);
    return node;
  }
  if (AcceptWord("in")) {
    ExpectSymbol("(");
    if (AtQueryStart()) {
      auto node = MakeNode<InSubqueryExpr>(location);
      node->negated = negated;
      node->value = std::move(left);
      node->subquery = ParseQuery();
      ExpectSymbol(")");
      return node;
    }
    auto node = MakeNode<InListExpr>(location);
    node->negated = negated;
    node->value = std::move(left);
    node->list = ParseExprList();
    ExpectSymbol(")");
    return node;
  }
  bool ilike = AcceptWord("ilike");
  if (!ilike) ExpectWord("like");
  BinaryOp op = ilike ? (negated ? BinaryOp::kNotILike : BinaryOp::kILike)
                      : (negated ? BinaryOp::kNotLike : BinaryOp::kLike);
  return MakeBinary(op, std::move(left), ParseExpr(power));
}

ExprPtr Parser::ParsePrefix() {
  const Token& token = Peek();
  SourceLocation location = token.location;
  switch (token.kind) {
    case TokenKind::kNumber:
      return ParseNumber(Advance(), false);
    case TokenKind::kString:
      return MakeStringLiteral(Advance().text, location);
    case TokenKind::kParameter: {
      auto node = MakeNode<ParameterExpr>(location);
      node->index = std::atoi(Advance().text.c_str());
      return node;
    }
    case TokenKind::kQuotedIdentifier:
      return ParseNameOrCall();
    case TokenKind::kWord:
      return ParseWordPrefix();
    case TokenKind::kEnd:
      FailExpected("an expression");
    case TokenKind::kSymbol:
      break;
  }
  if (IsSymbol("(")) return ParseParenthesized();
  if (IsSymbol("[")) return ParseList();
  if (AcceptSymbol("*")) return MakeNode<StarExpr>(location);
  if (IsSymbol("-") && Peek(1).kind == TokenKind::kNumber) {
    Advance();
    ExprPtr literal = ParseNumber(Advance(), true);
    literal->location = location;
    return literal;
  }
  if (IsSymbol("-") || IsSymbol("+")) {
    auto node = MakeNode<UnaryExpr>(location);
    node->op = Advance().text == "-" ? UnaryOp::kNegate : UnaryOp::kPlus;
    node->operand = ParseExpr(kUnaryPower);
    return node;
  }
  FailExpected("an expression");
}

ExprPtr Parser::ParseNumber(const Token& token, bool negative) {
  auto literal = MakeNode<LiteralExpr>(token.location);
  literal->text = (negative ? "-" : "") + token.text;
  const char* begin = literal->text.data();
  const char* end = begin + literal->text.size();
  bool is_integer = token.text.find_first_of(".eE") == std::string::npos;
  if (is_integer) {
    auto [stop, error] = std::from_chars(begin, end, literal->integer_value);
    if (error == std::errc() && stop == end) {
      literal->literal_kind = LiteralKind::kInteger;
      return literal;
    }
  }
  // Too-big integers become doubles, as in DuckDB without DECIMAL/HUGEINT.
  literal->literal_kind = LiteralKind::kDouble;
  literal->double_value = std::strtod(literal->text.c_str(), nullptr);
  return literal;
}

ExprPtr Parser::ParseWordPrefix() {
  const Token& token = Peek();
  const std::string& word = token.text;
  SourceLocation location = token.location;
  if (word == "null" || word == "true" || word == "false") {
    auto literal = MakeNode<LiteralExpr>(location);
    literal->literal_kind = word == "null" ? LiteralKind::kNull : LiteralKind::kBoolean;
    literal->boolean_value = word == "true";
    Advance();
    return literal;
  }
  if (word == "not") {
    Advance();
    auto node = MakeNode<UnaryExpr>(location);
    node->op = UnaryOp::kNot;
    node->operand = ParseExpr(kNotPower);
    return node;
  }
  if (word == "case") return ParseCase();
  bool call = IsSymbol("(", 1);
  if (call && (word == "cast" || word == "try_cast")) return ParseCast(word == "try_cast");
  if (call && word == "exists") {
    Advance();
    auto node = MakeNode<ExistsExpr>(location);
    ExpectSymbol("(");
    node->subquery = ParseQuery();
    ExpectSymbol(")");
    return node;
  }
  if (call && (word == "extract" || word == "substring" || word == "trim" || word == "position")) {
    return ParseSpecialCall(word);
  }
  bool typed = word == "date" || word == "time" || word == "timestamp" || word == "timestamptz" ||
               word == "interval";
  if (typed && Peek(1).kind == TokenKind::kString) return ParseTypedLiteral();
  if (IsReservedWord(word)) FailExpected("an expression");
  return ParseNameOrCall();
}

ExprPtr Parser::ParseParenthesized() {
  SourceLocation location = Peek().location;
  ExpectSymbol("(");
  if (AtQueryStart()) {
    auto node = MakeNode<SubqueryExpr>(location);
    node->subquery = ParseQuery();
    ExpectSymbol(")");
    return node;
  }
  ExprPtr inner = ParseExpr();
  ExpectSymbol(")");
  return inner;
}

ExprPtr Parser::ParseList() {
  auto node = MakeNode<ListExpr>(Peek().location);
  ExpectSymbol("[");
  if (!AcceptSymbol("]")) {
    node->elements = ParseExprList();
    ExpectSymbol("]");
  }
  return node;
}

ExprPtr Parser::ParseCase() {
  auto node = MakeNode<CaseExpr>(Peek().location);
  ExpectWord("case");
  if (!IsWord("when") && !IsWord("end")) node->operand = ParseExpr();
  while (AcceptWord("when")) {
    WhenClause when;
    when.condition = ParseExpr();
    ExpectWord("then");
    when.result = ParseExpr();
    node->whens.push_back(std::move(when));
  }
  if (node->whens.empty()) FailExpected("WHEN");
  if (AcceptWord("else")) node->else_result = ParseExpr();
  ExpectWord("end");
  return node;
}

ExprPtr Parser::ParseCast(bool try_cast) {
  auto node = MakeNode<CastExpr>(Advance().location);
  node->try_cast = try_cast;
  ExpectSymbol("(");
  node->operand = ParseExpr();
  ExpectWord("as");
  node->type = ParseTypeName();
  ExpectSymbol(")");
  return node;
}

ExprPtr Parser::ParseTypedLiteral() {
  auto node = MakeNode<TypedLiteralExpr>(Peek().location);
  node->type.location = Peek().location;
  std::string word = Advance().text;
  node->type.name = word == "timestamptz" ? "TIMESTAMP WITH TIME ZONE" : ToUpper(word);
  node->value = Advance().text;
  static constexpr std::string_view kUnits[] = {"year", "month", "day", "hour", "minute", "second"};
  if (word == "interval" && Peek().kind == TokenKind::kWord) {
    for (std::string_view unit : kUnits) {
      if (Peek().text == unit) node->unit = Advance().text;
    }
  }
  return node;
}

ExprPtr Parser::ParseNameOrCall() {
  SourceLocation location = Peek().location;
  QualifiedName names{Advance().text};
  while (AcceptSymbol(".")) {
    if (AcceptSymbol("*")) {
      auto star = MakeNode<StarExpr>(location);
      star->qualifier = std::move(names);
      return star;
    }
    names.push_back(ParseLabel());
  }
  if (IsSymbol("(")) return ParseCall(std::move(names), location);
  auto column = MakeNode<ColumnRefExpr>(location);
  column->names = std::move(names);
  return column;
}

std::vector<ExprPtr> Parser::ParseExprList() {
  std::vector<ExprPtr> exprs;
  do {
    exprs.push_back(ParseExpr());
  } while (AcceptSymbol(","));
  return exprs;
}

}  // namespace sluice::sql
