#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "base/hash.h"

namespace sluice::io::parquet {

/// Builds the dictionary of a column chunk's values and the index of each value in it. T is
/// int32_t, int64_t, double or std::string_view (views must outlive the encoder). Doubles are
/// keyed by their bits, so -0.0 and 0.0 stay apart and every NaN keeps its payload. Not
/// thread-safe.
template <typename T>
class DictionaryEncoder {
 public:
  /// Limits the dictionary to `max_bytes` of PLAIN-encoded entries.
  explicit DictionaryEncoder(size_t max_bytes) : max_bytes_(max_bytes), slots_(64, 0) {}

  /// Returns the index of every value in `values` (in order), adding new values to the
  /// dictionary, or false when the dictionary would outgrow its limit or when most values
  /// are distinct (then a dictionary does not pay and the caller writes PLAIN).
  bool Encode(std::span<const T> values, std::vector<uint32_t>* indices) {
    indices->resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      (*indices)[i] = Insert(values[i]);
      if (bytes_ > max_bytes_) return false;
      // Checked now and then: a chunk of mostly distinct values gives up early.
      if ((i & 0x1ffff) == 0x1ffff && entries_.size() > (i + 1) / 4 * 3) return false;
    }
    return true;
  }

  /// Returns the distinct values in order of first appearance.
  const std::vector<T>& entries() const { return entries_; }
  /// Returns the size of the entries in PLAIN encoding.
  size_t bytes() const { return bytes_; }

 private:
  static uint64_t Hash(T value) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return HashString(value);
    } else {
      uint64_t bits = 0;
      std::memcpy(&bits, &value, sizeof(T));
      return HashInteger(bits);
    }
  }
  static bool Equal(T left, T right) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return left == right;
    } else {
      return std::memcmp(&left, &right, sizeof(T)) == 0;
    }
  }
  static size_t EntryBytes(T value) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return 4 + value.size();
    } else {
      return sizeof(T);
    }
  }

  uint32_t Insert(T value) {
    size_t mask = slots_.size() - 1;
    for (size_t slot = Hash(value) & mask;; slot = (slot + 1) & mask) {
      uint32_t entry = slots_[slot];
      if (entry == 0) {
        entries_.push_back(value);
        bytes_ += EntryBytes(value);
        slots_[slot] = static_cast<uint32_t>(entries_.size());
        if (entries_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
        return static_cast<uint32_t>(entries_.size() - 1);
      }
      if (Equal(entries_[entry - 1], value)) return entry - 1;
    }
  }

  // Sizes the slot table to `size` (a power of two) and reinserts the entries.
  void Rehash(size_t size) {
    slots_.assign(size, 0);
    size_t mask = size - 1;
    for (size_t e = 0; e < entries_.size(); ++e) {
      size_t slot = Hash(entries_[e]) & mask;
      while (slots_[slot] != 0) slot = (slot + 1) & mask;
      slots_[slot] = static_cast<uint32_t>(e + 1);
    }
  }

  size_t max_bytes_;
  size_t bytes_ = 0;
  std::vector<T> entries_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 marks an empty slot
};

}  // namespace sluice::io::parquet
