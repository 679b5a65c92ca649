#include "io/csv/csv_field.h"

#include <gtest/gtest.h>

namespace sluice::io::csv {
namespace {

TEST(CsvFieldTest, ParsesIntegersWithoutLeadingZeros) {
  int64_t value;
  EXPECT_TRUE(ParseBigint("0", &value));
  EXPECT_EQ(value, 0);
  EXPECT_TRUE(ParseBigint("-42", &value));
  EXPECT_EQ(value, -42);
  EXPECT_TRUE(ParseBigint("+7", &value));
  EXPECT_EQ(value, 7);
  EXPECT_TRUE(ParseBigint("9223372036854775807", &value));
  EXPECT_EQ(value, INT64_MAX);
  EXPECT_TRUE(ParseBigint("-9223372036854775808", &value));
  EXPECT_EQ(value, INT64_MIN);
  EXPECT_FALSE(ParseBigint("9223372036854775808", &value));
  EXPECT_FALSE(ParseBigint("99999999999999999999", &value));
  EXPECT_FALSE(ParseBigint("00501", &value));
  EXPECT_FALSE(ParseBigint("", &value));
  EXPECT_FALSE(ParseBigint("-", &value));
  EXPECT_FALSE(ParseBigint("1.0", &value));
  EXPECT_FALSE(ParseBigint(" 1", &value));
}

TEST(CsvFieldTest, ParsesDoubles) {
  double value;
  EXPECT_TRUE(ParseDouble("3.25", &value));
  EXPECT_EQ(value, 3.25);
  EXPECT_TRUE(ParseDouble("-1.5e3", &value));
  EXPECT_EQ(value, -1500);
  EXPECT_TRUE(ParseDouble(".5", &value));
  EXPECT_EQ(value, 0.5);
  EXPECT_TRUE(ParseDouble("0.001", &value));
  EXPECT_TRUE(ParseDouble("99999999999999999999", &value));
  EXPECT_FALSE(ParseDouble("007.5", &value));
  EXPECT_FALSE(ParseDouble("nan", &value));
  EXPECT_FALSE(ParseDouble("inf", &value));
  EXPECT_FALSE(ParseDouble("1.5x", &value));
  EXPECT_FALSE(ParseDouble(".", &value));
  EXPECT_FALSE(ParseDouble("", &value));
}

TEST(CsvFieldTest, ParsesBooleansInAnyCase) {
  uint8_t value;
  EXPECT_TRUE(ParseBoolean("TRUE", &value));
  EXPECT_EQ(value, 1);
  EXPECT_TRUE(ParseBoolean("False", &value));
  EXPECT_EQ(value, 0);
  EXPECT_FALSE(ParseBoolean("yes", &value));
  EXPECT_FALSE(ParseBoolean("1", &value));
}

TEST(CsvFieldTest, ChoosesTheNarrowestFittingType) {
  EXPECT_EQ(TypeFromMask(FitMask("12", kFitsAll)), core::TypeId::kBigint);
  EXPECT_EQ(TypeFromMask(FitMask("1.5", kFitsAll)), core::TypeId::kDouble);
  EXPECT_EQ(TypeFromMask(FitMask("00501", kFitsAll)), core::TypeId::kVarchar);
  EXPECT_EQ(TypeFromMask(FitMask("2012-01-01", kFitsAll)), core::TypeId::kDate);
  EXPECT_EQ(TypeFromMask(FitMask("2001/01/01 06:55", kFitsAll)), core::TypeId::kTimestamp);
  EXPECT_EQ(TypeFromMask(FitMask("true", kFitsAll)), core::TypeId::kBoolean);
  EXPECT_EQ(TypeFromMask(FitMask("x", kFitsAll)), core::TypeId::kVarchar);
  EXPECT_EQ(TypeFromMask(FitMask("99999999999999999999", kFitsAll)), core::TypeId::kDouble);
  EXPECT_EQ(WideningMask(core::TypeId::kBigint), kFitsBigint | kFitsDouble);
}

TEST(CsvFieldTest, UnquotesDoubledAndBackslashEscapes) {
  std::string out;
  Unquote(R"("say ""hi""")", '"', '"', &out);
  EXPECT_EQ(out, R"(say "hi")");
  Unquote(R"("a\"b\\c")", '"', '\\', &out);
  EXPECT_EQ(out, R"(a"b\c)");
  Unquote(R"("")", '"', '"', &out);
  EXPECT_EQ(out, "");
}

TEST(CsvFieldTest, MatchesNullStringsOnlyUnquoted) {
  NullMatcher nulls({"", "NA"}, '"');
  EXPECT_TRUE(nulls.IsNull(""));
  EXPECT_TRUE(nulls.IsNull("NA"));
  EXPECT_FALSE(nulls.IsNull("\"NA\""));
  EXPECT_FALSE(nulls.IsNull("\"\""));
  EXPECT_FALSE(NullMatcher({"NA"}, '"').IsNull(""));
}

TEST(CsvFieldTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Zürich 東京 🙂"));
  EXPECT_FALSE(IsValidUtf8("\xff\xfe"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
}

}  // namespace
}  // namespace sluice::io::csv
