#pragma once

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "base/hash.h"
#include "core/string_ref.h"
#include "core/types.h"
#include "io/csv/csv_field.h"

// How the column profiler reads single values: their text hash, their length in code points,
// their order, the types their text parses as, and their printed text. Hot helpers are inline.

namespace sluice::catalog {

/// Is the bits a NaN is keyed by, whatever its payload.
inline constexpr uint64_t kNanBits = 0x7ff8000000000000ULL;

/// Returns the hash of `text`: HashString(text), which for seed 0 is XXH3_64bits. Texts of up
/// to 16 bytes take XXH3's own short-input path inline (the same bits as XXH3_64bits), without
/// its call and seed handling.
inline uint64_t TextHash(std::string_view text) {
  if (text.size() <= 16) {
    return XXH3_len_0to16_64b(reinterpret_cast<const xxh_u8*>(text.data()), text.size(),
                              XXH3_kSecret, 0);
  }
  return XXH3_64bits(text.data(), text.size());
}

/// Returns the 8 decimal digits of `value` < 10^8 as ASCII bytes in memory order, most
/// significant first, without a branch or a division instruction: the value splits into
/// 4-digit, then 2-digit, then 1-digit halves held side by side in one word.
inline uint64_t EightDigits(uint64_t value) {
  uint64_t quads = (value / 10000) | ((value % 10000) << 32);
  uint64_t pairs_high = ((quads * 10486) >> 20) & ((uint64_t{0x7F} << 32) | 0x7F);  // / 100
  uint64_t pairs = ((quads - 100 * pairs_high) << 16) | pairs_high;
  constexpr uint64_t kNibbles = (uint64_t{0xF} << 48) | (uint64_t{0xF} << 32) | (0xF << 16) | 0xF;
  uint64_t tens = ((pairs * 103) >> 10) & kNibbles;  // / 10
  uint64_t digits = tens | ((pairs - 10 * tens) << 8);
  return digits | 0x3030303030303030ULL;
}

/// Returns the number of decimal digits of `value` < 10^8: from its bit length (log10(2) is
/// about 1233 / 4096), corrected by one comparison.
inline size_t DigitCount(uint64_t value) {
  static constexpr uint64_t kPowers[] = {1,      10,      100,      1000,     10000,
                                         100000, 1000000, 10000000, 100000000};
  uint64_t nonzero = value | 1;
  auto bits = static_cast<uint64_t>(64 - __builtin_clzll(nonzero));
  uint64_t guess = (bits * 1233) >> 12;
  return guess + 1 - (nonzero < kPowers[guess]);
}

/// Returns TextHash of the `size` bytes (at most 16) held little-endian in `low` (bytes 0-7)
/// and `high` (bytes 8-15), the unused bytes zero: XXH3's short-input paths, computed from
/// registers (a text just written to memory and read back in other pieces waits for the
/// store).
[[gnu::always_inline]] inline uint64_t ShortTextHash(uint64_t low, uint64_t high, size_t size) {
  const xxh_u8* secret = XXH3_kSecret;
  if (size > 8) {
    uint64_t last = size == 16 ? high : (low >> (8 * (size - 8))) | (high << (8 * (16 - size)));
    uint64_t input_low = low ^ (XXH_readLE64(secret + 24) ^ XXH_readLE64(secret + 32));
    uint64_t input_high = last ^ (XXH_readLE64(secret + 40) ^ XXH_readLE64(secret + 48));
    uint64_t mixed =
        size + XXH_swap64(input_low) + input_high + XXH3_mul128_fold64(input_low, input_high);
    return XXH3_avalanche(mixed);
  }
  if (size >= 4) {
    uint64_t first = low & 0xFFFFFFFFu;
    uint64_t second = (low >> (8 * (size - 4))) & 0xFFFFFFFFu;
    uint64_t flip = XXH_readLE64(secret + 8) ^ XXH_readLE64(secret + 16);
    return XXH3_rrmxmx((second + (first << 32)) ^ flip, size);
  }
  if (size > 0) {
    uint64_t first = low & 0xFF;
    uint64_t middle = (low >> (8 * (size >> 1))) & 0xFF;
    uint64_t end = (low >> (8 * (size - 1))) & 0xFF;
    uint64_t combined = (first << 16) | (middle << 24) | end | (uint64_t{size} << 8);
    return XXH64_avalanche(combined ^ (XXH_readLE32(secret) ^ XXH_readLE32(secret + 4)));
  }
  return XXH64_avalanche(XXH_readLE64(secret + 56) ^ XXH_readLE64(secret + 64));
}

/// Returns the hash of an integer's decimal text, so that 42 and "42" hash alike. Values
/// below 10^8 in magnitude, the common case, are hashed from registers (ShortTextHash).
[[gnu::always_inline]] inline uint64_t IntegerTextHash(int64_t value) {
  uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  if (magnitude >= 100'000'000) {
    char text[24];
    char* end = std::to_chars(text, text + sizeof text, value).ptr;
    return TextHash({text, static_cast<size_t>(end - text)});
  }
  // The digits' last `length` bytes, moved to the front; after a '-' for negative values.
  uint64_t digits = EightDigits(magnitude);
  size_t length = DigitCount(magnitude);
  uint64_t tail = digits >> (8 * (8 - length));
  if (value >= 0) return ShortTextHash(tail, 0, length);
  return ShortTextHash((tail << 8) | '-', length == 8 ? digits >> 56 : 0, length + 1);
}

/// Returns the double whose bits are `key`.
inline double KeyToDouble(uint64_t key) { return std::bit_cast<double>(key); }

/// Returns the bits of `value`, the same for every NaN.
inline uint64_t DoubleKey(double value) {
  return std::isnan(value) ? kNanBits : std::bit_cast<uint64_t>(value);
}

/// Returns how many bytes of `word` are UTF-8 continuation bytes (10xxxxxx), without a popcount
/// instruction (not in the baseline x86-64 the build targets).
inline int64_t Continuations(uint64_t word) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  uint64_t marks = (word & ~(word << 1) & kHighBits) >> 7;
  return static_cast<int64_t>((marks * 0x0101010101010101ULL) >> 56);
}

/// Returns the number of UTF-8 code points in `text`, 8 bytes at a time.
inline int64_t CodePoints(std::string_view text) {
  int64_t continuations = 0;
  for (size_t i = 0; i < text.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, text.data() + i, std::min<size_t>(8, text.size() - i));
    continuations += Continuations(word);
  }
  return static_cast<int64_t>(text.size()) - continuations;
}

/// Returns the number of code points of a string held in a StringRef: a short one's 12 inline
/// bytes, zero-padded, are read in two fixed loads.
inline int64_t CodePoints(const core::StringRef& ref) {
  if (!ref.is_inlined()) return CodePoints(ref.view());
  uint64_t first;
  uint32_t rest;
  std::memcpy(&first, ref.data(), sizeof first);
  std::memcpy(&rest, ref.data() + sizeof first, sizeof rest);
  if (((first | rest) & 0x8080808080808080ULL) == 0) return ref.size();  // ASCII
  return static_cast<int64_t>(ref.size()) - Continuations(first) - Continuations(rest);
}

/// Returns a number that orders short (inlined) strings as CompareStrings() does: their 12
/// zero-padded bytes big-endian, then their size. REQUIRES: ref.is_inlined().
inline unsigned __int128 ShortStringOrder(const core::StringRef& ref) {
  uint64_t first;
  uint32_t rest;
  std::memcpy(&first, ref.data(), sizeof first);
  std::memcpy(&rest, ref.data() + sizeof first, sizeof rest);
  uint64_t low = (uint64_t{__builtin_bswap32(rest)} << 32) | ref.size();
  return (static_cast<unsigned __int128>(__builtin_bswap64(first)) << 64) | low;
}

/// Returns <0, 0 or >0 as `left` sorts before, equal to or after `right` (bytewise). Short
/// strings compare as two big-endian words of their zero-padded inline bytes, without memcmp:
/// a pad byte sorts like the end of the shorter string, and equal words leave it to the sizes.
inline int CompareStrings(const core::StringRef& left, const core::StringRef& right) {
  if (!left.is_inlined() || !right.is_inlined()) return core::StringRef::Compare(left, right);
  uint64_t a;
  uint64_t b;
  std::memcpy(&a, left.data(), sizeof a);
  std::memcpy(&b, right.data(), sizeof b);
  if (a != b) return __builtin_bswap64(a) < __builtin_bswap64(b) ? -1 : 1;
  uint32_t c;
  uint32_t d;
  std::memcpy(&c, left.data() + sizeof a, sizeof c);
  std::memcpy(&d, right.data() + sizeof b, sizeof d);
  if (c != d) return __builtin_bswap32(c) < __builtin_bswap32(d) ? -1 : 1;
  return left.size() < right.size() ? -1 : (left.size() > right.size() ? 1 : 0);
}

/// Returns the exact-table key of a string: its 16 bytes when they hold it all (zero-padded),
/// else its length and prefix with its hash.
inline std::pair<uint64_t, uint64_t> StringKey(const core::StringRef& ref) {
  uint64_t words[2];
  std::memcpy(words, &ref, sizeof words);
  if (!ref.is_inlined()) words[1] = TextHash(ref.view());
  return {words[0], words[1]};
}

/// Returns the io::csv::FitBits of the types `text` parses as, the way the CSV reader decides
/// them; the first character, checked inline, rules most types out without parsing.
inline uint8_t TypeFits(std::string_view text) {
  using namespace io::csv;  // NOLINT: the fit bits
  if (text.empty()) return 0;
  char first = text[0];
  uint8_t candidates = 0;
  if (first >= '0' && first <= '9') {
    candidates = kFitsBigint | kFitsDouble;
    if (text.size() >= 8) candidates |= kFitsDate | kFitsTimestamp;
  } else if (first == '-' || first == '+' || first == '.') {
    candidates = kFitsBigint | kFitsDouble;
  } else if ((first | 0x20) == 't' || (first | 0x20) == 'f') {
    candidates = kFitsBoolean;
  } else {
    return 0;
  }
  return FitMask(text, candidates);
}

/// Returns the text Sluice prints for the value of `type` stored as `key` (an integer, or a
/// double's bits): core::Value's text form. REQUIRES: type is not VARCHAR.
std::string NumberText(core::TypeId type, uint64_t key);

}  // namespace sluice::catalog
