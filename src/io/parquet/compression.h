#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "io/parquet/format/parquet_types.h"

namespace sluice::io::parquet {

/// Returns the Parquet name of `codec` ("SNAPPY", "ZSTD", ...), for messages.
std::string_view CodecName(format::CompressionCodec::type codec);

/// Appends `size` bytes at `data` compressed with `codec` to `out`. Supports UNCOMPRESSED,
/// SNAPPY, GZIP, ZSTD and LZ4_RAW; throws UserError for any other codec.
void Compress(format::CompressionCodec::type codec, const uint8_t* data, size_t size,
              std::string* out);

/// Decompresses `size` bytes at `data` with `codec` into exactly `out_size` bytes at `out`.
/// Throws DataError naming `what` (e.g. "'x.parquet' row group 0 column 'a'") when the input
/// is corrupt or does not decompress to exactly `out_size` bytes, and for codecs Sluice cannot
/// read (LZO, BROTLI, the deprecated Hadoop LZ4). Never writes beyond `out + out_size`.
void Decompress(format::CompressionCodec::type codec, const uint8_t* data, size_t size,
                uint8_t* out, size_t out_size, std::string_view what);

}  // namespace sluice::io::parquet
