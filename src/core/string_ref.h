#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice::core {

/// Is a 16-byte string view: the length, then either the bytes inline (up to 12) or a 4-byte
/// prefix and a pointer into a heap that the owning vector keeps alive. Equality and ordering
/// look at the prefix first, so most comparisons never touch the heap.
class StringRef {
 public:
  static constexpr uint32_t kInlineSize = 12;

  StringRef() : size_(0), prefix_{}, pointer_(nullptr) {}

  /// Makes a view of `size` bytes at `data`; bytes beyond 12 must outlive the view.
  StringRef(const char* data, uint32_t size) : size_(size), prefix_{}, pointer_(nullptr) {
    if (size <= kInlineSize) {
      if (size > 0) std::memcpy(inline_bytes(), data, size);
    } else {
      std::memcpy(prefix_, data, 4);
      pointer_ = data;
    }
  }
  explicit StringRef(std::string_view text)
      : StringRef(text.data(), static_cast<uint32_t>(text.size())) {}

  uint32_t size() const { return size_; }
  bool is_inlined() const { return size_ <= kInlineSize; }
  const char* data() const { return is_inlined() ? inline_bytes() : pointer_; }
  std::string_view view() const { return {data(), size_}; }

  friend bool operator==(const StringRef& left, const StringRef& right) {
    // The length and the 4-byte prefix are the first 8 bytes in both layouts.
    if (std::memcmp(&left, &right, 8) != 0) return false;
    if (left.is_inlined()) return std::memcmp(&left.pointer_, &right.pointer_, 8) == 0;
    return std::memcmp(left.pointer_, right.pointer_, left.size_) == 0;
  }

  /// Returns <0, 0 or >0 as `left` sorts before, equal to or after `right` (bytewise).
  static int Compare(const StringRef& left, const StringRef& right) {
    // Both layouts start with the first 4 bytes, zero-padded: unequal prefixes decide at once
    // (a pad byte sorts like the end of the shorter string), read as big-endian integers.
    uint32_t a, b;
    std::memcpy(&a, left.prefix_, 4);
    std::memcpy(&b, right.prefix_, 4);
    if (a != b) return __builtin_bswap32(a) < __builtin_bswap32(b) ? -1 : 1;
    uint32_t common = std::min(left.size_, right.size_);
    if (common > 4) {
      int order = std::memcmp(left.data() + 4, right.data() + 4, common - 4);
      if (order != 0) return order;
    }
    return left.size_ < right.size_ ? -1 : (left.size_ > right.size_ ? 1 : 0);
  }
  friend bool operator<(const StringRef& left, const StringRef& right) {
    return Compare(left, right) < 0;
  }

 private:
  // Inline strings occupy prefix_ and the 8 bytes of pointer_ as one 12-byte run.
  char* inline_bytes() { return reinterpret_cast<char*>(this) + 4; }
  const char* inline_bytes() const { return reinterpret_cast<const char*>(this) + 4; }

  uint32_t size_;
  char prefix_[4];
  const char* pointer_;
};

static_assert(sizeof(StringRef) == 16);

}  // namespace sluice::core
