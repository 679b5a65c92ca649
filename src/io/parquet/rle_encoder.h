#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace sluice::io::parquet {

/// Returns the bits needed to store every value in [0, max_value] (0 for 0).
int BitWidthFor(uint32_t max_value);

/// Appends `value` as an unsigned LEB128 varint to `out`.
void AppendUleb128(uint64_t value, std::string* out);

/// Appends `values` in Parquet's RLE / bit-packing hybrid encoding with `bit_width` bits per
/// value (0..32), without the 4-byte length prefix that definition levels carry. Runs of 8 or
/// more equal values become RLE runs; the rest is bit-packed in groups of 8, the last group
/// padded with zeros. REQUIRES: every value fits in `bit_width` bits.
void EncodeRleHybrid(std::span<const uint32_t> values, int bit_width, std::string* out);

/// Appends one RLE run of `count` copies of `value` (a shortcut for constant levels).
void AppendRleRun(uint32_t value, size_t count, int bit_width, std::string* out);

/// Appends `values` bit-packed LSB first with `bit_width` bits each, padded to whole bytes.
void AppendBitPacked(std::span<const uint32_t> values, int bit_width, std::string* out);

}  // namespace sluice::io::parquet
