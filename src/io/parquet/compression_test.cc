#include "io/parquet/compression.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/error.h"

namespace sluice::io::parquet {
namespace {

using Codec = format::CompressionCodec;

std::string Sample() {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "row " + std::to_string(i % 97) + ";";
  return text;
}

class CompressionRoundTrip : public testing::TestWithParam<Codec::type> {};

TEST_P(CompressionRoundTrip, DecompressesWhatItCompresses) {
  std::string input = Sample();
  std::string packed;
  Compress(GetParam(), reinterpret_cast<const uint8_t*>(input.data()), input.size(), &packed);
  if (GetParam() != Codec::UNCOMPRESSED) {
    EXPECT_LT(packed.size(), input.size());
  }
  std::vector<uint8_t> output(input.size());
  Decompress(GetParam(), reinterpret_cast<const uint8_t*>(packed.data()), packed.size(),
             output.data(), output.size(), "test");
  EXPECT_EQ(std::string(output.begin(), output.end()), input);
}

TEST_P(CompressionRoundTrip, RejectsTruncatedInput) {
  std::string input = Sample();
  std::string packed;
  Compress(GetParam(), reinterpret_cast<const uint8_t*>(input.data()), input.size(), &packed);
  std::vector<uint8_t> output(input.size());
  EXPECT_THROW(Decompress(GetParam(), reinterpret_cast<const uint8_t*>(packed.data()),
                          packed.size() / 2, output.data(), output.size(), "test"),
               DataError);
}

TEST_P(CompressionRoundTrip, RejectsAWrongDecompressedSize) {
  std::string input = Sample();
  std::string packed;
  Compress(GetParam(), reinterpret_cast<const uint8_t*>(input.data()), input.size(), &packed);
  std::vector<uint8_t> output(input.size() - 1);
  EXPECT_THROW(Decompress(GetParam(), reinterpret_cast<const uint8_t*>(packed.data()),
                          packed.size(), output.data(), output.size(), "test"),
               DataError);
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressionRoundTrip,
                         testing::Values(Codec::UNCOMPRESSED, Codec::SNAPPY, Codec::GZIP,
                                         Codec::ZSTD, Codec::LZ4_RAW));

TEST(Compression, NamesTheCodecItCannotRead) {
  uint8_t byte = 0;
  try {
    Decompress(Codec::BROTLI, &byte, 1, &byte, 1, "'f.parquet' column 'a'");
    FAIL();
  } catch (const DataError& error) {
    EXPECT_EQ(std::string(error.what()),
              "'f.parquet' column 'a': compression codec BROTLI is not supported");
  }
}

TEST(Compression, AppendsToTheOutput) {
  std::string out = "head";
  uint8_t bytes[] = {1, 2, 3};
  Compress(Codec::UNCOMPRESSED, bytes, 3, &out);
  EXPECT_EQ(out, std::string("head\1\2\3"));
}

}  // namespace
}  // namespace sluice::io::parquet
