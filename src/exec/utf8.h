#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::exec {

/// Returns true when byte `c` starts a UTF-8 code point (is not a continuation byte).
inline bool IsCodePointStart(char c) { return (static_cast<uint8_t>(c) & 0xC0) != 0x80; }

/// Returns the number of code points in `text` (bytes that start one; invalid UTF-8 counts
/// each stray lead byte).
inline size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += IsCodePointStart(c);
  return count;
}

/// Returns the byte offset where code point `index` (0-based) starts, or text.size() when
/// `text` has no more code points.
inline size_t CodePointOffset(std::string_view text, size_t index) {
  size_t offset = 0;
  while (offset < text.size()) {
    if (IsCodePointStart(text[offset])) {
      if (index == 0) return offset;
      --index;
    }
    ++offset;
  }
  return offset;
}

/// Returns the length in bytes of the code point that starts at text[offset].
inline size_t CodePointLength(std::string_view text, size_t offset) {
  size_t end = offset + 1;
  while (end < text.size() && !IsCodePointStart(text[end])) ++end;
  return end - offset;
}

}  // namespace sluice::exec
