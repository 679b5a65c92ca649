#include "sql/lexer.h"

#include <gtest/gtest.h>

#include "sql/parse_error.h"

namespace sluice::sql {
namespace {

std::vector<std::string> Texts(std::string_view sql) {
  std::vector<std::string> texts;
  for (const Token& token : Tokenize(sql)) {
    if (token.kind != TokenKind::kEnd) texts.push_back(token.text);
  }
  return texts;
}

ParseError LexError(std::string_view sql) {
  try {
    Tokenize(sql);
  } catch (const ParseError& error) {
    return error;
  }
  ADD_FAILURE() << "no error for: " << sql;
  return ParseError({0, 0}, "");
}

TEST(LexerTest, FoldsUnquotedWordsAndKeepsQuotedOnes) {
  std::vector<Token> tokens = Tokenize(R"(SELECT MyCol, "MyCol", "a""b" FROM T)");
  ASSERT_EQ(tokens.size(), 9u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kWord);
  EXPECT_EQ(tokens[1].text, "mycol");
  EXPECT_EQ(tokens[1].raw, "MyCol");
  EXPECT_EQ(tokens[3].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(tokens[3].text, "MyCol");
  EXPECT_EQ(tokens[5].text, "a\"b");
  EXPECT_EQ(tokens[8].kind, TokenKind::kEnd);
}

TEST(LexerTest, ReadsStringsWithEscapes) {
  EXPECT_EQ(Texts("'it''s'"), std::vector<std::string>{"it's"});
  EXPECT_EQ(Texts(R"(E'a\nb\\c\'d')"), std::vector<std::string>{"a\nb\\c'd"});
  EXPECT_EQ(Texts("''"), std::vector<std::string>{""});
  EXPECT_EQ(Tokenize("'x'")[0].kind, TokenKind::kString);
}

TEST(LexerTest, ReadsNumbersAndParameters) {
  EXPECT_EQ(Texts("1 2.5 .5 1e10 1.5E-3 $12"),
            (std::vector<std::string>{"1", "2.5", ".5", "1e10", "1.5E-3", "12"}));
  EXPECT_EQ(Tokenize("$3")[0].kind, TokenKind::kParameter);
}

TEST(LexerTest, ReadsMultiCharacterSymbols) {
  EXPECT_EQ(Texts("a::int<=b>=c<>d!=e||f=>g"),
            (std::vector<std::string>{"a", "::", "int", "<=", "b", ">=", "c", "<>", "d", "!=", "e",
                                      "||", "f", "=>", "g"}));
}

TEST(LexerTest, SkipsCommentsIncludingNestedBlocks) {
  EXPECT_EQ(Texts("a -- comment\n b /* x /* nested */ y */ c"),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Texts("a - -1"), (std::vector<std::string>{"a", "-", "-", "1"}));
}

TEST(LexerTest, TracksLinesAndColumns) {
  std::vector<Token> tokens = Tokenize("SELECT\n  a,\n\tb");
  EXPECT_EQ(tokens[1].location, (SourceLocation{2, 3}));
  EXPECT_EQ(tokens[2].location, (SourceLocation{2, 4}));
  EXPECT_EQ(tokens[3].location, (SourceLocation{3, 2}));
  // Columns count characters, not bytes.
  EXPECT_EQ(Tokenize("'é' x")[1].location, (SourceLocation{1, 5}));
}

TEST(LexerTest, ReportsUnterminatedTokensWithTheirStart) {
  EXPECT_STREQ(LexError("SELECT 'abc").what(),
               "syntax error at line 1, column 8: unterminated string literal");
  EXPECT_STREQ(LexError("SELECT\n \"abc").what(),
               "syntax error at line 2, column 2: unterminated quoted identifier");
  EXPECT_STREQ(LexError("a /* /* */").what(),
               "syntax error at line 1, column 3: unterminated /* comment");
}

TEST(LexerTest, ReportsMalformedNumbersAndCharacters) {
  EXPECT_EQ(LexError("SELECT 1e+").detail(), "malformed number: exponent has no digits");
  EXPECT_EQ(LexError("SELECT 12abc").detail(),
            "malformed number: trailing junk after numeric literal");
  EXPECT_EQ(LexError("SELECT $x").detail(), "expected a parameter number after '$'");
  ParseError error = LexError("SELECT a # b");
  EXPECT_EQ(error.detail(), "unexpected character '#'");
  EXPECT_EQ(error.location(), (SourceLocation{1, 10}));
  EXPECT_EQ(LexError("SELECT \"\"").detail(), "zero-length quoted identifier");
}

}  // namespace
}  // namespace sluice::sql
