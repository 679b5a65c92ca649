#include "io/parquet/compression.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>
#include <cstring>
#include <memory>
#include <new>

#include "base/error.h"

namespace sluice::io::parquet {
namespace {

using Codec = format::CompressionCodec;

void CompressGzip(const uint8_t* data, size_t size, std::string* out) {
  z_stream stream{};
  // 15 + 16: a gzip header and trailer, as Parquet's GZIP codec requires.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    Throw<UserError>("gzip: cannot initialize the compressor");
  }
  size_t start = out->size();
  out->resize(start + deflateBound(&stream, size) + 32);
  stream.next_in = const_cast<uint8_t*>(data);
  stream.avail_in = static_cast<uInt>(size);
  stream.next_out = reinterpret_cast<Bytef*>(out->data() + start);
  stream.avail_out = static_cast<uInt>(out->size() - start);
  int result = deflate(&stream, Z_FINISH);
  size_t written = stream.total_out;
  deflateEnd(&stream);
  if (result != Z_STREAM_END) Throw<UserError>("gzip: compression failed");
  out->resize(start + written);
}

void DecompressGzip(const uint8_t* data, size_t size, uint8_t* out, size_t out_size,
                    std::string_view what) {
  z_stream stream{};
  // 15 + 32: accept a gzip or a zlib header.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) {
    Throw<DataError>("{}: cannot initialize gzip decompression", what);
  }
  stream.next_in = const_cast<uint8_t*>(data);
  stream.avail_in = static_cast<uInt>(size);
  stream.next_out = out;
  stream.avail_out = static_cast<uInt>(out_size);
  int result = inflate(&stream, Z_FINISH);
  size_t written = stream.total_out;
  inflateEnd(&stream);
  if (result != Z_STREAM_END || written != out_size) {
    Throw<DataError>("{}: corrupt GZIP page (expected {} bytes, got {})", what, out_size, written);
  }
}

void DecompressSnappy(const uint8_t* data, size_t size, uint8_t* out, size_t out_size,
                      std::string_view what) {
  size_t length = 0;
  const char* input = reinterpret_cast<const char*>(data);
  if (!snappy::GetUncompressedLength(input, size, &length) || length != out_size ||
      !snappy::RawUncompress(input, size, reinterpret_cast<char*>(out))) {
    Throw<DataError>("{}: corrupt SNAPPY page (expected {} bytes)", what, out_size);
  }
}

void DecompressZstd(const uint8_t* data, size_t size, uint8_t* out, size_t out_size,
                    std::string_view what) {
  // One context per thread: creating one per page costs as much as a small page's decoding.
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(),
                                                                          ZSTD_freeDCtx);
  if (context == nullptr) throw std::bad_alloc();
  size_t written = ZSTD_decompressDCtx(context.get(), out, out_size, data, size);
  if (ZSTD_isError(written) || written != out_size) {
    Throw<DataError>("{}: corrupt ZSTD page (expected {} bytes)", what, out_size);
  }
}

bool DecompressLz4Block(const uint8_t* data, size_t size, uint8_t* out, size_t out_size) {
  if (size > INT_MAX || out_size > INT_MAX) return false;
  int written =
      LZ4_decompress_safe(reinterpret_cast<const char*>(data), reinterpret_cast<char*>(out),
                          static_cast<int>(size), static_cast<int>(out_size));
  return written >= 0 && static_cast<size_t>(written) == out_size;
}

uint32_t ReadBigEndian32(const uint8_t* data) {
  return (uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) | (uint32_t{data[2]} << 8) |
         uint32_t{data[3]};
}

/// Decodes the deprecated LZ4 codec: Hadoop's framing (big-endian decompressed and compressed
/// sizes before each block), or a raw block as some old writers produced.
void DecompressHadoopLz4(const uint8_t* data, size_t size, uint8_t* out, size_t out_size,
                         std::string_view what) {
  const uint8_t* input = data;
  size_t remaining = size;
  size_t written = 0;
  while (remaining >= 8) {
    uint32_t block_out = ReadBigEndian32(input);
    uint32_t block_in = ReadBigEndian32(input + 4);
    if (block_in > remaining - 8 || block_out > out_size - written ||
        !DecompressLz4Block(input + 8, block_in, out + written, block_out)) {
      break;
    }
    input += 8 + block_in;
    remaining -= 8 + block_in;
    written += block_out;
  }
  if (remaining == 0 && written == out_size) return;
  if (!DecompressLz4Block(data, size, out, out_size)) {
    Throw<DataError>("{}: corrupt LZ4 page (expected {} bytes)", what, out_size);
  }
}

}  // namespace

std::string_view CodecName(format::CompressionCodec::type codec) {
  switch (codec) {
    case Codec::UNCOMPRESSED:
      return "UNCOMPRESSED";
    case Codec::SNAPPY:
      return "SNAPPY";
    case Codec::GZIP:
      return "GZIP";
    case Codec::LZO:
      return "LZO";
    case Codec::BROTLI:
      return "BROTLI";
    case Codec::LZ4:
      return "LZ4";
    case Codec::ZSTD:
      return "ZSTD";
    case Codec::LZ4_RAW:
      return "LZ4_RAW";
  }
  return "unknown codec";
}

void Compress(format::CompressionCodec::type codec, const uint8_t* data, size_t size,
              std::string* out) {
  size_t start = out->size();
  switch (codec) {
    case Codec::UNCOMPRESSED:
      out->append(reinterpret_cast<const char*>(data), size);
      return;
    case Codec::SNAPPY: {
      out->resize(start + snappy::MaxCompressedLength(size));
      size_t written = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(data), size, out->data() + start, &written);
      out->resize(start + written);
      return;
    }
    case Codec::GZIP:
      CompressGzip(data, size, out);
      return;
    case Codec::ZSTD: {
      out->resize(start + ZSTD_compressBound(size));
      size_t written = ZSTD_compress(out->data() + start, out->size() - start, data, size, 3);
      if (ZSTD_isError(written)) Throw<UserError>("zstd: {}", ZSTD_getErrorName(written));
      out->resize(start + written);
      return;
    }
    case Codec::LZ4_RAW: {
      if (size > LZ4_MAX_INPUT_SIZE) Throw<UserError>("lz4: a page of {} bytes is too big", size);
      out->resize(start + LZ4_compressBound(static_cast<int>(size)));
      int written =
          LZ4_compress_default(reinterpret_cast<const char*>(data), out->data() + start,
                               static_cast<int>(size), static_cast<int>(out->size() - start));
      if (written <= 0) Throw<UserError>("lz4: compression failed");
      out->resize(start + static_cast<size_t>(written));
      return;
    }
    default:
      Throw<UserError>("Parquet codec {} is not supported for writing", CodecName(codec));
  }
}

void Decompress(format::CompressionCodec::type codec, const uint8_t* data, size_t size,
                uint8_t* out, size_t out_size, std::string_view what) {
  switch (codec) {
    case Codec::UNCOMPRESSED:
      if (size != out_size) {
        Throw<DataError>("{}: page holds {} bytes, its header says {}", what, size, out_size);
      }
      if (size > 0) std::memcpy(out, data, size);
      return;
    case Codec::SNAPPY:
      return DecompressSnappy(data, size, out, out_size, what);
    case Codec::GZIP:
      return DecompressGzip(data, size, out, out_size, what);
    case Codec::ZSTD:
      return DecompressZstd(data, size, out, out_size, what);
    case Codec::LZ4_RAW:
      if (!DecompressLz4Block(data, size, out, out_size)) {
        Throw<DataError>("{}: corrupt LZ4_RAW page (expected {} bytes)", what, out_size);
      }
      return;
    case Codec::LZ4:
      return DecompressHadoopLz4(data, size, out, out_size, what);
    default:
      Throw<DataError>("{}: compression codec {} is not supported", what, CodecName(codec));
  }
}

}  // namespace sluice::io::parquet
