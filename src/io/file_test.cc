#include "io/file.h"

#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "base/error.h"
#include "io/open_file.h"

namespace sluice::io {
namespace {

std::string ReadStream(InputStream& stream) {
  std::string text;
  char buffer[7];  // small on purpose: many reads
  while (size_t count = stream.Read(buffer, sizeof(buffer))) text.append(buffer, count);
  return text;
}

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("sluice_file_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(Path(name), std::ios::binary) << bytes;
  }

  std::filesystem::path dir_;
  const std::string text_ = "a,b\n1,2\n3,4\n";
};

TEST_F(FileTest, ReadsPlainFiles) {
  Write("plain.csv", text_);
  EXPECT_EQ(FileBytes::Open(Path("plain.csv"))->view(), text_);
  EXPECT_EQ(ReadStream(*InputStream::Open(Path("plain.csv"))), text_);
  Write("empty.csv", "");
  EXPECT_EQ(FileBytes::Open(Path("empty.csv"))->size(), 0u);
}

TEST_F(FileTest, ReadsGzip) {
  gzFile file = gzopen(Path("x.csv.gz").c_str(), "wb");
  gzwrite(file, text_.data(), static_cast<unsigned>(text_.size()));
  gzclose(file);
  EXPECT_EQ(FileBytes::Open(Path("x.csv.gz"))->view(), text_);
}

TEST_F(FileTest, ReadsZstd) {
  std::string compressed(ZSTD_compressBound(text_.size()), '\0');
  compressed.resize(
      ZSTD_compress(compressed.data(), compressed.size(), text_.data(), text_.size(), 3));
  Write("x.csv.zst", compressed);
  EXPECT_EQ(ReadStream(*InputStream::Open(Path("x.csv.zst"))), text_);
  Write("bad.csv.zst", compressed.substr(0, compressed.size() / 2));
  EXPECT_THROW(FileBytes::Open(Path("bad.csv.zst")), IoError);
}

TEST_F(FileTest, MissingFilesNameThePath) {
  try {
    FileBytes::Open(Path("missing.csv"));
    FAIL();
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find("missing.csv"), std::string::npos);
  }
  EXPECT_THROW(FileBytes::Open(dir_.string()), IoError);
}

TEST_F(FileTest, GlobsReadSeveralFilesAsOne) {
  Write("part-1.csv", "a,b\n1,x\n2,y\n");
  Write("part-2.csv", "a,b\n3,z\n");
  Write("other.csv", "c\n1\n");
  auto reader = OpenFile(Path("part-*.csv"));
  size_t rows = 0;
  for (const auto& batch : ReadAll(*reader)) rows += batch.num_rows();
  EXPECT_EQ(rows, 3u);
  EXPECT_THROW(OpenFile(Path("none-*.csv")), IoError);
  auto mixed = OpenFile(Path("*.csv"));
  EXPECT_THROW(ReadAll(*mixed), DataError);
}

TEST(CompressionTest, ByExtension) {
  EXPECT_EQ(CompressionOf("a.csv.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionOf("a.json.zst"), Compression::kZstd);
  EXPECT_EQ(CompressionOf("a.csv"), Compression::kNone);
  EXPECT_EQ(StripCompressionExtension("a.csv.gz"), "a.csv");
}

}  // namespace
}  // namespace sluice::io
