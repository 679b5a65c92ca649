#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace sluice::io::parquet {

/// Appends fixed-width values (int32, int64, double) in Parquet's PLAIN encoding: little-endian,
/// back to back. Sluice only builds on little-endian machines, so this is a copy.
template <typename T>
void AppendPlain(std::span<const T> values, std::string* out) {
  static_assert(std::endian::native == std::endian::little);
  out->append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

/// Appends byte arrays in PLAIN encoding: each a 4-byte little-endian length, then its bytes.
inline void AppendPlain(std::span<const std::string_view> values, std::string* out) {
  size_t bytes = 0;
  for (std::string_view value : values) bytes += 4 + value.size();
  size_t position = out->size();
  out->resize(position + bytes);
  char* cursor = out->data() + position;
  for (std::string_view value : values) {
    uint32_t length = static_cast<uint32_t>(value.size());
    std::memcpy(cursor, &length, 4);
    if (length > 0) std::memcpy(cursor + 4, value.data(), length);
    cursor += 4 + length;
  }
}

/// Appends booleans (one byte each, 0 or 1) in PLAIN encoding: bit-packed, LSB first.
inline void AppendPlainBooleans(std::span<const uint8_t> values, std::string* out) {
  size_t position = out->size();
  out->resize(position + (values.size() + 7) / 8, '\0');
  char* bytes = out->data() + position;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i]) bytes[i / 8] = static_cast<char>(bytes[i / 8] | (1 << (i % 8)));
  }
}

}  // namespace sluice::io::parquet
