#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sluice::io::parquet {

/// Returns the 8 bytes at `data` as a little-endian word, zero-filled past `size` bytes.
inline uint64_t LoadWord(const uint8_t* data, size_t size) {
  uint64_t word = 0;
  std::memcpy(&word, data, size >= 8 ? 8 : size);
  return word;
}

/// Returns the `width`-bit value (width <= 64) starting at bit `bit_offset` of the
/// least-significant-bit-first packed run of `size` bytes at `data`; bits past the end read as 0.
inline uint64_t ReadPacked(const uint8_t* data, size_t size, uint64_t bit_offset, int width) {
  size_t byte = bit_offset >> 3;
  if (byte >= size) return 0;
  int shift = static_cast<int>(bit_offset & 7);
  uint64_t value = LoadWord(data + byte, size - byte) >> shift;
  if (shift + width > 64 && byte + 8 < size) value |= uint64_t{data[byte + 8]} << (64 - shift);
  return width >= 64 ? value : value & ((uint64_t{1} << width) - 1);
}

/// Reads an unsigned LEB128 varint at `*data` (before `end`) into `*value`; returns false when
/// the input ends first or the varint is longer than 10 bytes.
inline bool ReadUleb(const uint8_t** data, const uint8_t* end, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70 && *data < end; shift += 7) {
    uint8_t byte = *(*data)++;
    result |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

/// Reads a zigzag-encoded LEB128 varint; returns false on malformed input.
inline bool ReadZigZag(const uint8_t** data, const uint8_t* end, int64_t* value) {
  uint64_t raw = 0;
  if (!ReadUleb(data, end, &raw)) return false;
  *value = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  return true;
}

}  // namespace sluice::io::parquet
