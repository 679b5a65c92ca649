#include "io/parquet/rle_encoder.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sluice::io::parquet {
namespace {

uint64_t ReadUleb128(const std::string& bytes, size_t* position) {
  uint64_t value = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t byte = static_cast<uint8_t>(bytes.at((*position)++));
    value |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return value;
  }
}

// Decodes `count` values of the RLE / bit-packing hybrid, as a reader following the spec does.
std::vector<uint32_t> DecodeHybrid(const std::string& bytes, int bit_width, size_t count) {
  std::vector<uint32_t> values;
  size_t position = 0;
  while (values.size() < count) {
    uint64_t header = ReadUleb128(bytes, &position);
    if (header & 1) {
      size_t n = (header >> 1) * 8;
      uint64_t buffer = 0;
      int bits = 0;
      for (size_t i = 0; i < n; ++i) {
        while (bits < bit_width) {
          buffer |= uint64_t{static_cast<uint8_t>(bytes.at(position++))} << bits;
          bits += 8;
        }
        uint32_t value = static_cast<uint32_t>(buffer & ((uint64_t{1} << bit_width) - 1));
        buffer >>= bit_width;
        bits -= bit_width;
        if (values.size() < count) values.push_back(value);
      }
    } else {
      uint32_t value = 0;
      for (int b = 0; b < (bit_width + 7) / 8; ++b) {
        value |= uint32_t{static_cast<uint8_t>(bytes.at(position++))} << (8 * b);
      }
      values.insert(values.end(), header >> 1, value);
    }
  }
  EXPECT_EQ(position, bytes.size());
  return values;
}

TEST(RleEncoderTest, BitWidths) {
  EXPECT_EQ(BitWidthFor(0), 0);
  EXPECT_EQ(BitWidthFor(1), 1);
  EXPECT_EQ(BitWidthFor(7), 3);
  EXPECT_EQ(BitWidthFor(8), 4);
  EXPECT_EQ(BitWidthFor(0xffffffffu), 32);
}

TEST(RleEncoderTest, Uleb128) {
  std::string out;
  AppendUleb128(1, &out);
  AppendUleb128(300, &out);
  EXPECT_EQ(out, std::string("\x01\xac\x02", 3));
}

TEST(RleEncoderTest, LongRunIsOneRleRun) {
  std::vector<uint32_t> values(100, 3);
  std::string out;
  EncodeRleHybrid(values, 2, &out);
  EXPECT_EQ(out, std::string("\xc8\x01\x03", 3));  // 100 << 1, then the value in one byte
}

TEST(RleEncoderTest, BitPackingMatchesTheSpecExample) {
  std::vector<uint32_t> values = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  EncodeRleHybrid(values, 3, &out);
  EXPECT_EQ(out, std::string("\x03\x88\xc6\xfa", 4));  // one group of 8, then the packed bits
}

TEST(RleEncoderTest, PartialGroupIsPaddedToWholeGroup) {
  std::vector<uint32_t> values = {1, 0, 1};
  std::string out;
  EncodeRleHybrid(values, 1, &out);
  EXPECT_EQ(out, std::string("\x03\x05", 2));
}

TEST(RleEncoderTest, LiteralsBeforeARunAreFilledToAGroup) {
  std::vector<uint32_t> values = {1, 2, 3};
  values.insert(values.end(), 20, 5);
  std::string out;
  EncodeRleHybrid(values, 3, &out);
  // 8 literals (1 2 3 and five 5s), then a run of fifteen 5s.
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 3);
  EXPECT_EQ(out.substr(4), std::string("\x1e\x05", 2));
  EXPECT_EQ(DecodeHybrid(out, 3, values.size()), values);
}

TEST(RleEncoderTest, RoundTripsMixedRunsAtEveryWidth) {
  std::mt19937 random(42);
  for (int bit_width : {1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32}) {
    uint32_t mask = bit_width == 32 ? 0xffffffffu : (1u << bit_width) - 1;
    std::vector<uint32_t> values;
    while (values.size() < 5000) {
      uint32_t value = static_cast<uint32_t>(random()) & mask;
      size_t run = random() % 4 == 0 ? random() % 40 : 1;
      values.insert(values.end(), run, value);
    }
    std::string out;
    EncodeRleHybrid(values, bit_width, &out);
    EXPECT_EQ(DecodeHybrid(out, bit_width, values.size()), values) << "bit width " << bit_width;
  }
}

TEST(RleEncoderTest, EmptyInputWritesNothing) {
  std::string out;
  EncodeRleHybrid({}, 4, &out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace sluice::io::parquet
