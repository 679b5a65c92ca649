// Function calls (with their special SQL-standard forms), window specifications and type names.

#include <cctype>

#include "base/strings.h"
#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace sluice::sql {
namespace {

std::unique_ptr<FunctionExpr> MakeCall(std::string name, SourceLocation location) {
  auto call = std::make_unique<FunctionExpr>();
  call->location = location;
  call->name = {std::move(name)};
  return call;
}

ExprPtr MakeLiteral(LiteralKind kind, std::string text, SourceLocation location) {
  auto literal = std::make_unique<LiteralExpr>();
  literal->location = location;
  literal->literal_kind = kind;
  literal->text = std::move(text);
  if (kind == LiteralKind::kInteger) literal->integer_value = std::stoll(literal->text);
  return literal;
}

void AddArgument(FunctionExpr& call, ExprPtr arg) {
  call.args.push_back(std::move(arg));
  call.arg_names.emplace_back();
}

bool IsFrameUnit(const Token& token) {
  return token.kind == TokenKind::kWord &&
         (token.text == "rows" || token.text == "range" || token.text == "groups");
}

}  // namespace

std::unique_ptr<FunctionExpr> Parser::ParseCall(QualifiedName name, SourceLocation location) {
  auto call = std::make_unique<FunctionExpr>();
  call->location = location;
  call->name = std::move(name);
  ExpectSymbol("(");
  if (IsSymbol("*") && IsSymbol(")", 1)) {
    Advance();
    call->star = true;
  } else if (!IsSymbol(")")) {
    if (AcceptWord("distinct")) {
      call->distinct = true;
    } else {
      AcceptWord("all");
    }
    ParseCallArguments(*call);
  }
  ExpectSymbol(")");
  ParseCallSuffix(*call);
  return call;
}

void Parser::ParseCallArguments(FunctionExpr& call) {
  do {
    std::string arg_name;
    bool named = Peek().kind == TokenKind::kWord || Peek().kind == TokenKind::kQuotedIdentifier;
    if (named && IsSymbol("=>", 1)) {
      arg_name = Advance().text;
      Advance();
    }
    call.args.push_back(ParseExpr());
    call.arg_names.push_back(std::move(arg_name));
  } while (AcceptSymbol(","));
  if (AcceptWord("order")) {
    ExpectWord("by");
    call.order_by = ParseOrderByList();
  }
}

void Parser::ParseCallSuffix(FunctionExpr& call) {
  if (IsWord("filter") && IsSymbol("(", 1)) {
    Advance();
    Advance();
    ExpectWord("where");
    call.filter = ParseExpr();
    ExpectSymbol(")");
  }
  if (!IsWord("over")) return;
  SourceLocation location = Advance().location;
  if (IsSymbol("(")) {
    call.over = ParseWindowSpec();
  } else {
    call.over = std::make_unique<WindowSpec>();
    call.over->base_name = ParseIdentifier();
  }
  call.over->location = location;
}

ExprPtr Parser::ParseSpecialCall(const std::string& name) {
  SourceLocation location = Advance().location;
  ExpectSymbol("(");
  std::unique_ptr<FunctionExpr> call;
  if (name == "extract" && IsWord("from", 1)) {
    call = ParseExtract(location);
  } else if (name == "trim") {
    call = ParseTrim(location);
  } else {
    call = ParseSubstringOrPosition(name, location);
  }
  ExpectSymbol(")");
  ParseCallSuffix(*call);
  return call;
}

std::unique_ptr<FunctionExpr> Parser::ParseExtract(SourceLocation location) {
  // EXTRACT(field FROM x) → date_part('field', x).
  auto call = MakeCall("date_part", location);
  const Token& field = Advance();
  AddArgument(*call, MakeLiteral(LiteralKind::kString, field.text, field.location));
  ExpectWord("from");
  AddArgument(*call, ParseExpr());
  return call;
}

std::unique_ptr<FunctionExpr> Parser::ParseTrim(SourceLocation location) {
  std::string function = "trim";
  if (AcceptWord("leading")) {
    function = "ltrim";
  } else if (AcceptWord("trailing")) {
    function = "rtrim";
  } else {
    AcceptWord("both");
  }
  auto call = MakeCall(function, location);
  if (AcceptWord("from")) {  // TRIM(LEADING FROM x)
    AddArgument(*call, ParseExpr());
    return call;
  }
  ExprPtr first = ParseExpr();
  if (AcceptWord("from")) {  // TRIM([mode] characters FROM x) → trim(x, characters)
    AddArgument(*call, ParseExpr());
    AddArgument(*call, std::move(first));
    return call;
  }
  AddArgument(*call, std::move(first));
  if (AcceptSymbol(",")) ParseCallArguments(*call);
  return call;
}

std::unique_ptr<FunctionExpr> Parser::ParseSubstringOrPosition(const std::string& name,
                                                               SourceLocation location) {
  auto call = MakeCall(name, location);
  // The needle of POSITION stops before IN; otherwise the argument is a whole expression.
  ExprPtr first = ParseExpr(name == "position" ? kBetweenPower : 0);
  if (name == "position" && AcceptWord("in")) {  // POSITION(a IN b) → strpos(b, a)
    call->name = {"strpos"};
    AddArgument(*call, ParseExpr());
    AddArgument(*call, std::move(first));
    return call;
  }
  if (name == "substring" && (IsWord("from") || IsWord("for"))) {
    AddArgument(*call, std::move(first));
    bool has_start = AcceptWord("from");
    AddArgument(*call, has_start ? ParseExpr() : MakeLiteral(LiteralKind::kInteger, "1", location));
    if (AcceptWord("for")) AddArgument(*call, ParseExpr());
    return call;
  }
  AddArgument(*call, ParseInfixLoop(std::move(first), 0));
  if (AcceptSymbol(",")) ParseCallArguments(*call);
  return call;
}

std::unique_ptr<WindowSpec> Parser::ParseWindowSpec() {
  auto spec = std::make_unique<WindowSpec>();
  spec->location = Peek().location;
  ExpectSymbol("(");
  bool clause_word = IsWord("partition") || IsWord("order") || IsFrameUnit(Peek());
  if (AtIdentifier() && !clause_word) spec->base_name = ParseIdentifier();
  if (AcceptWord("partition")) {
    ExpectWord("by");
    spec->partition_by = ParseExprList();
  }
  if (AcceptWord("order")) {
    ExpectWord("by");
    spec->order_by = ParseOrderByList();
  }
  if (IsFrameUnit(Peek())) spec->frame = ParseWindowFrame();
  ExpectSymbol(")");
  return spec;
}

std::unique_ptr<WindowFrame> Parser::ParseWindowFrame() {
  auto frame = std::make_unique<WindowFrame>();
  std::string unit = Advance().text;
  frame->unit = unit == "rows"    ? FrameUnit::kRows
                : unit == "range" ? FrameUnit::kRange
                                  : FrameUnit::kGroups;
  if (AcceptWord("between")) {
    frame->start = ParseFrameBound();
    ExpectWord("and");
    frame->end = ParseFrameBound();
  } else {
    frame->start = ParseFrameBound();
    frame->end.kind = FrameBoundKind::kCurrentRow;
  }
  return frame;
}

FrameBound Parser::ParseFrameBound() {
  FrameBound bound;
  if (AcceptWord("unbounded")) {
    if (AcceptWord("preceding")) {
      bound.kind = FrameBoundKind::kUnboundedPreceding;
      return bound;
    }
    ExpectWord("following");
    bound.kind = FrameBoundKind::kUnboundedFollowing;
    return bound;
  }
  if (AcceptWord("current")) {
    ExpectWord("row");
    bound.kind = FrameBoundKind::kCurrentRow;
    return bound;
  }
  // The offset stops before AND so that BETWEEN 1 PRECEDING AND ... reads right.
  bound.offset = ParseExpr(kBetweenPower);
  if (AcceptWord("preceding")) {
    bound.kind = FrameBoundKind::kPreceding;
    return bound;
  }
  ExpectWord("following");
  bound.kind = FrameBoundKind::kFollowing;
  return bound;
}

std::vector<OrderByItem> Parser::ParseOrderByList() {
  std::vector<OrderByItem> items;
  do {
    OrderByItem item;
    item.expr = ParseExpr();
    if (AcceptWord("desc")) {
      item.direction = OrderDirection::kDescending;
    } else {
      AcceptWord("asc");
    }
    if (AcceptWord("nulls")) {
      if (AcceptWord("first")) {
        item.nulls = NullsOrder::kFirst;
      } else {
        ExpectWord("last");
        item.nulls = NullsOrder::kLast;
      }
    }
    items.push_back(std::move(item));
  } while (AcceptSymbol(","));
  return items;
}

TypeName Parser::ParseTypeName() {
  TypeName type;
  type.location = Peek().location;
  std::string name = ParseLabel();
  if (name == "double" && AcceptWord("precision")) name = "double precision";
  if (name == "character" && AcceptWord("varying")) name = "character varying";
  if (AcceptSymbol("(")) {
    do {
      type.parameters.push_back(ParseInteger());
    } while (AcceptSymbol(","));
    ExpectSymbol(")");
  }
  if ((name == "timestamp" || name == "time") && (IsWord("with") || IsWord("without")) &&
      IsWord("time", 1) && IsWord("zone", 2)) {
    name += " " + Advance().text + " time zone";
    Advance();
    Advance();
  }
  name = AsciiUpper(std::move(name));
  type.name = std::move(name);
  return type;
}

}  // namespace sluice::sql
