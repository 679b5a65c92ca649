#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "base/error.h"
#include "io/parquet/delta_decoder.h"
#include "io/parquet/page_reader.h"
#include "io/parquet/rle_decoder.h"

namespace sluice::io::parquet {
namespace {

TEST(RleDecoder, DecodesRepeatedAndBitPackedRuns) {
  // RLE run: header 5 << 1 = 10, value 3 (1 byte at width 2); then one bit-packed group of 8
  // values 0..3,0..3 at width 2: header (1 << 1) | 1 = 3, bytes 0b11100100 twice.
  std::vector<uint8_t> bytes = {10, 3, 3, 0xE4, 0xE4};
  RleDecoder decoder(bytes.data(), bytes.size(), 2);
  std::vector<uint32_t> values(13);
  ASSERT_EQ(decoder.Get(values.data(), values.size()), 13u);
  EXPECT_EQ(values, (std::vector<uint32_t>{3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(decoder.Get(values.data(), 1), 0u);
}

TEST(RleDecoder, SkipsAcrossRuns) {
  std::vector<uint8_t> bytes = {10, 3, 3, 0xE4, 0xE4};
  RleDecoder decoder(bytes.data(), bytes.size(), 2);
  EXPECT_EQ(decoder.Skip(7), 7u);
  uint32_t value = 0;
  ASSERT_EQ(decoder.Get(&value, 1), 1u);
  EXPECT_EQ(value, 2u);
}

TEST(RleDecoder, StopsAtTruncatedInput) {
  // A bit-packed run announcing 2 groups (16 values of 8 bits) with only 3 bytes present.
  std::vector<uint8_t> bytes = {5, 7, 8, 9};
  RleDecoder decoder(bytes.data(), bytes.size(), 8);
  std::vector<uint8_t> values(16);
  EXPECT_EQ(decoder.Get(values.data(), values.size()), 3u);
  EXPECT_EQ(values[2], 9);
}

TEST(RleDecoder, HandlesWideValuesAndWidthZero) {
  std::vector<uint8_t> wide = {2, 0x78, 0x56, 0x34, 0x12};  // one 0x12345678 at width 32
  RleDecoder decoder(wide.data(), wide.size(), 32);
  uint32_t value = 0;
  ASSERT_EQ(decoder.Get(&value, 1), 1u);
  EXPECT_EQ(value, 0x12345678u);
  std::vector<uint8_t> zero = {8};  // four zeros at width 0
  RleDecoder zeros(zero.data(), zero.size(), 0);
  std::vector<uint32_t> values(4, 9);
  EXPECT_EQ(zeros.Get(values.data(), 4), 4u);
  EXPECT_EQ(values, (std::vector<uint32_t>{0, 0, 0, 0}));
}

// Packs `values` as one bit-packed run of `width` bits, bit by bit (the reference encoding).
std::vector<uint8_t> PackedRun(const std::vector<uint32_t>& values, int width) {
  size_t groups = (values.size() + 7) / 8;
  std::vector<uint8_t> bytes;
  for (uint64_t header = (groups << 1) | 1; true; header >>= 7) {  // ULEB128
    bytes.push_back(static_cast<uint8_t>((header & 0x7f) | (header >= 0x80 ? 0x80 : 0)));
    if (header < 0x80) break;
  }
  size_t start = bytes.size();
  bytes.resize(start + groups * static_cast<size_t>(width), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    for (int b = 0; b < width; ++b) {
      size_t bit = i * static_cast<size_t>(width) + static_cast<size_t>(b);
      if ((values[i] >> b) & 1) bytes[start + bit / 8] |= static_cast<uint8_t>(1 << (bit % 8));
    }
  }
  return bytes;
}

TEST(RleDecoder, UnpacksEveryWidthInAnyChunks) {
  uint64_t state = 42;
  for (int width = 1; width <= 32; ++width) {
    std::vector<uint32_t> values(8 * 100);
    for (auto& value : values) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      value =
          static_cast<uint32_t>(state >> 32) & static_cast<uint32_t>((uint64_t{1} << width) - 1);
    }
    std::vector<uint8_t> bytes = PackedRun(values, width);
    RleDecoder decoder(bytes.data(), bytes.size(), width);
    std::vector<uint32_t> decoded(values.size());
    size_t done = 0;
    for (size_t chunk = 1; done < values.size(); chunk = chunk * 3 % 97 + 1) {
      size_t n = std::min(chunk, values.size() - done);
      ASSERT_EQ(decoder.Get(decoded.data() + done, n), n) << "width " << width;
      done += n;
    }
    EXPECT_EQ(decoded, values) << "width " << width;
    // Cut short by 3 bytes, the run yields exactly the whole values that are present.
    RleDecoder cut(bytes.data(), bytes.size() - 3, width);
    std::vector<uint32_t> partial(values.size());
    size_t got = cut.Get(partial.data(), partial.size());
    size_t header_bytes = 2;  // 100 groups
    EXPECT_EQ(got, ((bytes.size() - 3 - header_bytes) * 8) / static_cast<size_t>(width)) << width;
    partial.resize(got);
    EXPECT_TRUE(std::equal(partial.begin(), partial.end(), values.begin())) << width;
  }
}

// Builds a DELTA_BINARY_PACKED stream: block 128, 4 miniblocks of 32.
std::vector<uint8_t> DeltaStream() {
  // Values 7, 5, 6, 7, 8 (deltas -2, 1, 1, 1): min delta -2, so packed deltas 0, 3, 3, 3 at
  // width 2 in the first miniblock (8 bytes for 32 values), widths 2, 0, 0, 0.
  std::vector<uint8_t> bytes = {0x80, 0x01, 4, 5, 14 /* zigzag 7 */, 3 /* zigzag -2 */, 2, 0, 0, 0};
  std::vector<uint8_t> packed(8, 0);
  packed[0] = 0 | (3 << 2) | (3 << 4) | (3 << 6);
  bytes.insert(bytes.end(), packed.begin(), packed.end());
  return bytes;
}

TEST(DeltaBinaryPacked, DecodesValuesAndReportsItsLength) {
  auto bytes = DeltaStream();
  bytes.push_back(0xAA);  // what follows the stream
  std::vector<int64_t> values;
  size_t used = DecodeDeltaBinaryPacked(bytes.data(), bytes.size(), 100, &values, "t");
  EXPECT_EQ(values, (std::vector<int64_t>{7, 5, 6, 7, 8}));
  EXPECT_EQ(used, bytes.size() - 1);
}

TEST(DeltaBinaryPacked, RejectsMalformedStreams) {
  auto bytes = DeltaStream();
  std::vector<int64_t> values;
  EXPECT_THROW(DecodeDeltaBinaryPacked(bytes.data(), bytes.size(), 4, &values, "t"), DataError);
  EXPECT_THROW(DecodeDeltaBinaryPacked(bytes.data(), 7, 100, &values, "t"), DataError);
  std::vector<uint8_t> bad_block = {0x81, 0x01, 4, 5, 14};  // block size 129
  EXPECT_THROW(DecodeDeltaBinaryPacked(bad_block.data(), bad_block.size(), 100, &values, "t"),
               DataError);
}

TEST(DeltaBinaryPacked, WrapsLikeTwosComplement) {
  // Two values: INT64 max, then min (delta 1 wraps). Block 128/1 miniblock of 128? Use 4.
  std::vector<uint8_t> bytes = {0x80, 0x01, 4, 2};
  // zigzag(INT64_MAX) = 0xFFFFFFFFFFFFFFFE as ULEB: 9 bytes of 0xFE/0xFF then 0x01.
  std::vector<uint8_t> first = {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  bytes.insert(bytes.end(), first.begin(), first.end());
  bytes.push_back(2);                       // min delta 1
  bytes.insert(bytes.end(), {0, 0, 0, 0});  // widths 0
  std::vector<int64_t> values;
  DecodeDeltaBinaryPacked(bytes.data(), bytes.size(), 10, &values, "t");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0], INT64_MAX);
  EXPECT_EQ(values[1], INT64_MIN);
}

TEST(DeltaLengthByteArray, SplitsTheBytesByLength) {
  // Lengths 3, 2 (first 3, delta -1: min -1, packed 0, width 0), then "abcde".
  std::vector<uint8_t> bytes = {0x80, 0x01, 4, 2, 6 /* 3 */, 1 /* -1 */, 0, 0, 0, 0};
  std::string text = "abcde";
  bytes.insert(bytes.end(), text.begin(), text.end());
  std::vector<core::StringRef> values;
  size_t used = DecodeDeltaLengthByteArray(bytes.data(), bytes.size(), 10, &values, "t");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].view(), "abc");
  EXPECT_EQ(values[1].view(), "de");
  EXPECT_EQ(used, bytes.size());
  bytes.pop_back();
  EXPECT_THROW(DecodeDeltaLengthByteArray(bytes.data(), bytes.size(), 10, &values, "t"), DataError);
}

TEST(DeltaByteArray, RebuildsValuesFromPrefixes) {
  // "apple", "apply", "ape": prefixes 0, 4, 2; suffixes "apple", "y", "e".
  std::vector<uint8_t> bytes = {0x80, 0x01, 4, 3, 0 /* 0 */, 3 /* min -2 */, 3, 0, 0, 0};
  // Prefix deltas 4, -2 minus min -2 → 6, 0 at width 3: bits 110 000 → 0x06.
  std::vector<uint8_t> prefix_block(12, 0);
  prefix_block[0] = 0x06;
  bytes.insert(bytes.end(), prefix_block.begin(), prefix_block.end());
  // Suffix lengths 5, 1, 1: first 5, deltas -4, 0 → min -4, packed 0, 4 at width 3 → 0x20.
  std::vector<uint8_t> lengths = {0x80, 0x01, 4, 3, 10, 7, 3, 0, 0, 0};
  std::vector<uint8_t> length_block(12, 0);
  length_block[0] = 0x20;
  bytes.insert(bytes.end(), lengths.begin(), lengths.end());
  bytes.insert(bytes.end(), length_block.begin(), length_block.end());
  std::string suffixes = "appleye";
  bytes.insert(bytes.end(), suffixes.begin(), suffixes.end());
  core::StringHeap heap;
  std::vector<core::StringRef> values;
  DecodeDeltaByteArray(bytes.data(), bytes.size(), 10, &heap, &values, "t");
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].view(), "apple");
  EXPECT_EQ(values[1].view(), "apply");
  EXPECT_EQ(values[2].view(), "ape");
}

TEST(ByteStreamSplit, InterleavesTheStreams) {
  float input[2] = {1.5f, -2.25f};
  uint8_t raw[8];
  std::memcpy(raw, input, 8);
  std::vector<uint8_t> split(8);
  for (size_t i = 0; i < 2; ++i) {
    for (size_t k = 0; k < 4; ++k) split[k * 2 + i] = raw[i * 4 + k];
  }
  float output[2];
  DecodeByteStreamSplit(split.data(), split.size(), 2, 4, reinterpret_cast<uint8_t*>(output), "t");
  EXPECT_EQ(output[0], 1.5f);
  EXPECT_EQ(output[1], -2.25f);
  EXPECT_THROW(
      DecodeByteStreamSplit(split.data(), 7, 2, 4, reinterpret_cast<uint8_t*>(output), "t"),
      DataError);
}

TEST(SharedPages, FillsEachPageOnceForEveryReader) {
  SharedPages pages;
  std::atomic<int> fills = 0;
  auto fill = [&](uint8_t* bytes) {
    ++fills;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the others ask meanwhile
    std::memcpy(bytes, "page", 4);
  };
  std::vector<const uint8_t*> seen(4);
  std::vector<std::thread> readers;
  for (size_t i = 0; i < seen.size(); ++i) {
    readers.emplace_back([&, i] { seen[i] = pages.Get(100, 4, fill).data; });
  }
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(fills, 1);
  for (const uint8_t* bytes : seen) {
    ASSERT_EQ(bytes, seen[0]);
    EXPECT_EQ(std::memcmp(bytes, "page", 4), 0);
  }
  SharedPages::Bytes other = pages.Get(200, 4, fill);
  EXPECT_EQ(fills, 2);
  EXPECT_NE(other.data, seen[0]);
}

TEST(SharedPages, GivesEveryReaderTheFailure) {
  SharedPages pages;
  int fills = 0;
  auto fail = [&](uint8_t*) {
    ++fills;
    Throw<DataError>("corrupt page");
  };
  EXPECT_THROW(pages.Get(0, 8, fail), DataError);
  EXPECT_THROW(pages.Get(0, 8, fail), DataError);
  EXPECT_EQ(fills, 1);
}

}  // namespace
}  // namespace sluice::io::parquet
