#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/string_heap.h"
#include "core/string_ref.h"

namespace sluice::io::parquet {

/// Decodes a DELTA_BINARY_PACKED stream of at most `max_values` values from the `size` bytes at
/// `data` into `out` (replacing its contents) and returns the number of bytes the stream took.
/// Values wrap as 64-bit integers (INT32 columns narrow them). Throws DataError naming `what`
/// when the stream is malformed, truncated, or announces more than `max_values` values.
size_t DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, size_t max_values,
                               std::vector<int64_t>* out, std::string_view what);

/// Decodes DELTA_LENGTH_BYTE_ARRAY values (lengths, then the bytes) into `out`; the views point
/// into `data`, which must outlive them. Returns the number of bytes used. Throws DataError.
size_t DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t max_values,
                                  std::vector<core::StringRef>* out, std::string_view what);

/// Decodes DELTA_BYTE_ARRAY values (prefix lengths, then suffixes as DELTA_LENGTH_BYTE_ARRAY)
/// into `out`; the values are assembled in `heap`. Throws DataError.
void DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t max_values,
                          core::StringHeap* heap, std::vector<core::StringRef>* out,
                          std::string_view what);

/// Reassembles `count` values of `width` bytes from BYTE_STREAM_SPLIT data (byte k of every
/// value in stream k) of `size` bytes into `out`. Throws DataError when `size` is too small.
void DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t count, size_t width,
                           uint8_t* out, std::string_view what);

}  // namespace sluice::io::parquet
