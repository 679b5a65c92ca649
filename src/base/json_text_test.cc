#include "base/json_text.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(JsonTextTest, EscapesSpecialCharacters) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(JsonString(std::string_view("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(JsonString("Zürich"), "\"Zürich\"");
}

}  // namespace
}  // namespace sluice
