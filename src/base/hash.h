#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace sluice {

/// Returns a 64-bit hash of `size` bytes at `data` (XXH3).
inline uint64_t HashBytes(const void* data, size_t size, uint64_t seed = 0) {
  return XXH3_64bits_withSeed(data, size, seed);
}

/// Returns a 64-bit hash of a string's bytes.
inline uint64_t HashString(std::string_view text, uint64_t seed = 0) {
  return HashBytes(text.data(), text.size(), seed);
}

/// Returns a well-mixed 64-bit hash of an integer (the murmur3 finalizer).
inline uint64_t HashInteger(uint64_t value) {
  value ^= value >> 33;
  value *= 0xff51afd7ed558ccdULL;
  value ^= value >> 33;
  value *= 0xc4ceb9fe1a85ec53ULL;
  value ^= value >> 33;
  return value;
}

/// Combines two hashes into one; not commutative.
inline uint64_t CombineHashes(uint64_t left, uint64_t right) {
  return HashInteger(left ^ (right + 0x9e3779b97f4a7c15ULL + (left << 6) + (left >> 2)));
}

}  // namespace sluice
