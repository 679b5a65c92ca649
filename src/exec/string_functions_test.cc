#include <gtest/gtest.h>

#include "base/error.h"
#include "exec/like_matcher.h"
#include "exec/testing/test_expressions.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;
using testing::Call;

Value B(int64_t v) { return Value::Bigint(v); }
Value S(std::string v) { return Value::Varchar(std::move(v)); }
Value Bool(bool v) { return Value::Boolean(v); }
const Value kNullText = Value::Null(TypeId::kVarchar);

TEST(StringFunctionsTest, CaseAndLength) {
  EXPECT_EQ(Call("lower", {S("HeLLo World, Longer Text")}), S("hello world, longer text"));
  EXPECT_EQ(Call("upper", {S("abc")}), S("ABC"));
  EXPECT_EQ(Call("length", {S("héllo wörld")}), B(11));
  EXPECT_EQ(Call("char_length", {S("日本語")}), B(3));
  EXPECT_EQ(Call("octet_length", {S("日本語")}), B(9));
}

TEST(StringFunctionsTest, SubstrFollowsPostgres) {
  EXPECT_EQ(Call("substr", {S("hello"), B(2), B(3)}), S("ell"));
  EXPECT_EQ(Call("substr", {S("hello"), B(0), B(3)}), S("he"));
  EXPECT_EQ(Call("substr", {S("hello"), B(-5), B(3)}), S(""));
  EXPECT_EQ(Call("substring", {S("hello"), B(3)}), S("llo"));
  EXPECT_EQ(Call("substr", {S("hello"), B(9)}), S(""));
  EXPECT_EQ(Call("substr", {S("日本語テキスト"), B(2), B(2)}), S("本語"));
  EXPECT_THROW(Call("substr", {S("hello"), B(1), B(-1)}), DataError);
  EXPECT_EQ(Call("left", {S("héllo"), B(2)}), S("hé"));
  EXPECT_EQ(Call("left", {S("hello"), B(-2)}), S("hel"));
  EXPECT_EQ(Call("right", {S("héllo"), B(4)}), S("éllo"));
  EXPECT_EQ(Call("right", {S("hello"), B(-1)}), S("ello"));
}

TEST(StringFunctionsTest, TrimPadRepeatReverse) {
  EXPECT_EQ(Call("trim", {S("  a b  ")}), S("a b"));
  EXPECT_EQ(Call("ltrim", {S("  a  ")}), S("a  "));
  EXPECT_EQ(Call("rtrim", {S("  a  ")}), S("  a"));
  EXPECT_EQ(Call("trim", {S("xxaxyx"), S("xy")}), S("a"));
  EXPECT_EQ(Call("trim", {S("ééaé"), S("é")}), S("a"));
  EXPECT_EQ(Call("lpad", {S("hi"), B(5), S("xy")}), S("xyxhi"));
  EXPECT_EQ(Call("rpad", {S("hi"), B(5)}), S("hi   "));
  EXPECT_EQ(Call("lpad", {S("hello"), B(3)}), S("hel"));
  EXPECT_EQ(Call("repeat", {S("ab"), B(3)}), S("ababab"));
  EXPECT_EQ(Call("repeat", {S("ab"), B(-1)}), S(""));
  EXPECT_EQ(Call("reverse", {S("añb")}), S("bña"));
}

TEST(StringFunctionsTest, SearchAndSplit) {
  EXPECT_EQ(Call("replace", {S("abcabc"), S("b"), S("XYZ")}), S("aXYZcaXYZc"));
  EXPECT_EQ(Call("split_part", {S("a,b,,c"), S(","), B(2)}), S("b"));
  EXPECT_EQ(Call("split_part", {S("a,b,,c"), S(","), B(3)}), S(""));
  EXPECT_EQ(Call("split_part", {S("a,b,,c"), S(","), B(-1)}), S("c"));
  EXPECT_EQ(Call("split_part", {S("a,b"), S(","), B(5)}), S(""));
  EXPECT_THROW(Call("split_part", {S("a"), S(","), B(0)}), DataError);
  EXPECT_EQ(Call("strpos", {S("héllo"), S("llo")}), B(3));
  EXPECT_EQ(Call("position", {S("hello"), S("z")}), B(0));
  EXPECT_EQ(Call("starts_with", {S("hello"), S("he")}), Bool(true));
  EXPECT_EQ(Call("ends_with", {S("hello"), S("he")}), Bool(false));
  EXPECT_EQ(Call("contains", {S("hello"), S("ell")}), Bool(true));
  EXPECT_EQ(Call("md5", {S("")}), S("d41d8cd98f00b204e9800998ecf8427e"));
  EXPECT_EQ(Call("md5", {S("The quick brown fox jumps over the lazy dog")}),
            S("9e107d9d372bb6826bd81d3542a419d6"));
}

TEST(StringFunctionsTest, ConcatSkipsNullsAndOperatorPropagates) {
  EXPECT_EQ(Call("||", {S("ab"), S("cd, and some more text")}), S("abcd, and some more text"));
  EXPECT_TRUE(Call("||", {S("ab"), kNullText}).is_null());
  EXPECT_EQ(Call("concat", {S("a"), kNullText, S("b")}), S("ab"));
  EXPECT_EQ(Call("concat", {kNullText}), S(""));
  EXPECT_EQ(Call("coalesce", {kNullText, S("second, a long string"), S("third")}),
            S("second, a long string"));
  EXPECT_TRUE(Call("coalesce", {kNullText, kNullText}).is_null());
  EXPECT_EQ(Call("ifnull", {Value::Null(TypeId::kBigint), B(3)}), B(3));
  EXPECT_TRUE(Call("nullif", {B(3), B(3)}).is_null());
  EXPECT_EQ(Call("nullif", {B(3), B(4)}), B(3));
}

bool Like(std::string text, std::string pattern) {
  return Call("like", {S(text), S(pattern)}).GetBoolean();
}

TEST(LikeTest, Wildcards) {
  EXPECT_TRUE(Like("hello", "hello"));
  EXPECT_FALSE(Like("hello", "hell"));
  EXPECT_TRUE(Like("hello", "h%"));
  EXPECT_TRUE(Like("hello", "%llo"));
  EXPECT_TRUE(Like("hello", "%l%"));
  EXPECT_TRUE(Like("hello", "h_l_o"));
  EXPECT_TRUE(Like("héllo", "h_llo"));
  EXPECT_FALSE(Like("hello", "h_llo_"));
  EXPECT_TRUE(Like("", "%"));
  EXPECT_FALSE(Like("", "_"));
  EXPECT_TRUE(Like("abcabc", "%abc"));
  EXPECT_TRUE(Like("aXbXc", "a%b%c"));
  EXPECT_FALSE(Like("aXbXc", "a%c%b"));
  EXPECT_TRUE(Like("ab", "a%%b"));
  EXPECT_TRUE(Like("mississippi", "%iss%ppi"));
  EXPECT_TRUE(Like("mississippi", "m%_ss_%i"));
  EXPECT_TRUE(Like("50%", "50\\%"));
  EXPECT_FALSE(Like("500", "50\\%"));
  EXPECT_TRUE(Like("a_b", "a\\_b"));
  EXPECT_FALSE(Like("axb", "a\\_b"));
  EXPECT_TRUE(Call("like", {S("a%b"), S("a#%b"), S("#")}).GetBoolean());
  EXPECT_THROW(Like("a", "a\\"), DataError);
  EXPECT_TRUE(Call("ilike", {S("HeLLo"), S("%ell%")}).GetBoolean());
  EXPECT_TRUE(Call("like", {kNullText, S("%")}).is_null());
}

TEST(LikeTest, MatcherOnManyRowsWithOnePattern) {
  LikeMatcher matcher("%needle%", '\\', false);
  EXPECT_TRUE(matcher.Matches("a haystack with a needle in it"));
  EXPECT_FALSE(matcher.Matches("a haystack with a needl in it"));
}

TEST(RegexTest, MatchesReplaceExtract) {
  EXPECT_EQ(Call("regexp_matches", {S("abc123"), S("[0-9]+")}), Bool(true));
  EXPECT_EQ(Call("regexp_matches", {S("ABC"), S("^abc$")}), Bool(false));
  EXPECT_EQ(Call("regexp_matches", {S("ABC"), S("^abc$"), S("i")}), Bool(true));
  EXPECT_EQ(Call("regexp_replace", {S("a1b2c3"), S("[0-9]"), S("#")}), S("a#b2c3"));
  EXPECT_EQ(Call("regexp_replace", {S("a1b2c3"), S("[0-9]"), S("#"), S("g")}), S("a#b#c#"));
  EXPECT_EQ(Call("regexp_replace", {S("john smith"), S("(\\w+) (\\w+)"), S("\\2, \\1")}),
            S("smith, john"));
  EXPECT_EQ(Call("regexp_extract", {S("order 1234 shipped"), S("[0-9]+")}), S("1234"));
  EXPECT_EQ(Call("regexp_extract", {S("key=value"), S("(\\w+)=(\\w+)"), B(2)}), S("value"));
  EXPECT_EQ(Call("regexp_extract", {S("nothing"), S("[0-9]+")}), S(""));
  EXPECT_THROW(Call("regexp_extract", {S("x"), S("(x)"), B(2)}), DataError);
  try {
    Call("regexp_matches", {S("x"), S("(unclosed")});
    FAIL();
  } catch (const DataError& error) {
    EXPECT_NE(std::string(error.what()).find("(unclosed"), std::string::npos);
  }
  EXPECT_THROW(Call("regexp_replace", {S("x"), S("x"), S("y"), S("q")}), DataError);
}

}  // namespace
}  // namespace sluice::exec
