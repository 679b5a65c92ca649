#include "io/parquet/dictionary_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::io::parquet {
namespace {

TEST(DictionaryEncoderTest, StringsGetIndicesInOrderOfFirstAppearance) {
  std::vector<std::string_view> values = {"b", "a", "b", "", "a", "héllo"};
  DictionaryEncoder<std::string_view> encoder(1 << 20);
  std::vector<uint32_t> indices;
  ASSERT_TRUE(encoder.Encode(values, &indices));
  EXPECT_EQ(encoder.entries(), (std::vector<std::string_view>{"b", "a", "", "héllo"}));
  EXPECT_EQ(indices, (std::vector<uint32_t>{0, 1, 0, 2, 1, 3}));
  EXPECT_EQ(encoder.bytes(), 4 * 4 + 1 + 1 + 0 + std::string_view("héllo").size());
}

TEST(DictionaryEncoderTest, GrowsPastItsFirstTable) {
  std::vector<int64_t> values;
  for (int round = 0; round < 3; ++round) {
    for (int64_t v = 0; v < 1000; ++v) values.push_back(v * 7919);
  }
  DictionaryEncoder<int64_t> encoder(1 << 20);
  std::vector<uint32_t> indices;
  ASSERT_TRUE(encoder.Encode(values, &indices));
  ASSERT_EQ(encoder.entries().size(), 1000u);
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(encoder.entries()[indices[i]], values[i]);
}

TEST(DictionaryEncoderTest, KeepsNegativeZeroApartFromZero) {
  std::vector<double> values = {0.0, -0.0, 0.0, 1.5};
  DictionaryEncoder<double> encoder(1 << 20);
  std::vector<uint32_t> indices;
  ASSERT_TRUE(encoder.Encode(values, &indices));
  EXPECT_EQ(indices, (std::vector<uint32_t>{0, 1, 0, 2}));
  EXPECT_TRUE(std::signbit(encoder.entries()[1]));
}

TEST(DictionaryEncoderTest, GivesUpWhenTooBig) {
  std::vector<std::string> texts;
  for (int i = 0; i < 100; ++i)
    texts.push_back(std::string(100, static_cast<char>('A' + i % 50)) + std::to_string(i));
  std::vector<std::string_view> values(texts.begin(), texts.end());
  DictionaryEncoder<std::string_view> encoder(1000);
  std::vector<uint32_t> indices;
  EXPECT_FALSE(encoder.Encode(values, &indices));
}

TEST(DictionaryEncoderTest, GivesUpWhenMostValuesAreDistinct) {
  std::vector<int32_t> values;
  for (int32_t v = 0; v < 200000; ++v) values.push_back(v);
  DictionaryEncoder<int32_t> encoder(1 << 30);
  std::vector<uint32_t> indices;
  EXPECT_FALSE(encoder.Encode(values, &indices));
}

}  // namespace
}  // namespace sluice::io::parquet
