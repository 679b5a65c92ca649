#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "io/parquet/bit_reader.h"

namespace sluice::io::parquet {

namespace rle_internal {

// Unpacks `groups` groups of 8 values of `Width` bits each, least significant bit first.
// REQUIRES: the Width + 8 bytes from the start of every group are readable.
template <int Width, typename T>
void UnpackGroups(const uint8_t* in, T* out, size_t groups) {
  constexpr uint64_t kMask = (uint64_t{1} << Width) - 1;
  for (size_t g = 0; g < groups; ++g, in += Width, out += 8) {
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      uint64_t word;
      std::memcpy(&word, in + j * Width / 8, 8);
      out[j] = static_cast<T>((word >> (j * Width % 8)) & kMask);
    }
  }
}

template <typename T>
using GroupUnpacker = void (*)(const uint8_t*, T*, size_t);

template <typename T, size_t... Widths>
constexpr std::array<GroupUnpacker<T>, sizeof...(Widths)> MakeGroupUnpackers(
    std::index_sequence<Widths...>) {
  return {&UnpackGroups<static_cast<int>(Widths), T>...};
}

}  // namespace rle_internal

/// Decodes Parquet's RLE / bit-packing hybrid encoding (definition and repetition levels,
/// dictionary indexes, RLE booleans) of values up to 32 bits wide. Never reads outside the
/// given bytes: a run cut short by the end of the data ends the values early, and callers
/// compare the count they got with the count they asked for.
class RleDecoder {
 public:
  RleDecoder() = default;
  /// Decodes the `size` bytes at `data` (no length prefix) with `bit_width` bits per value.
  /// REQUIRES: bit_width <= 32.
  RleDecoder(const uint8_t* data, size_t size, int bit_width)
      : data_(data), end_(data + size), bit_width_(bit_width) {}

  /// Writes up to `count` values to `out`; returns how many it wrote (fewer only at the end).
  template <typename T>
  size_t Get(T* out, size_t count) {
    size_t done = 0;
    while (done < count) {
      if (repeat_left_ == 0 && packed_left_ == 0 && !NextRun()) break;
      if (repeat_left_ > 0) {
        size_t n = std::min<size_t>(repeat_left_, count - done);
        std::fill(out + done, out + done + n, static_cast<T>(repeat_value_));
        repeat_left_ -= n;
        done += n;
        continue;
      }
      size_t n = std::min<size_t>(packed_left_, count - done);
      Unpack(out + done, n);
      packed_left_ -= n;
      done += n;
    }
    return done;
  }

  /// Skips up to `count` values; returns how many it skipped.
  size_t Skip(size_t count) {
    size_t done = 0;
    while (done < count) {
      if (repeat_left_ == 0 && packed_left_ == 0 && !NextRun()) break;
      if (repeat_left_ > 0) {
        size_t n = std::min<size_t>(repeat_left_, count - done);
        repeat_left_ -= n;
        done += n;
      } else {
        size_t n = std::min<size_t>(packed_left_, count - done);
        packed_left_ -= n;
        packed_index_ += n;
        done += n;
      }
    }
    return done;
  }

 private:
  // Unpacks the next `n` values of the current bit-packed run: whole groups of 8 values that
  // start on a byte boundary with the width known at compile time, the rest value by value.
  template <typename T>
  void Unpack(T* out, size_t n) {
    if ((packed_index_ & 7) == 0 && n >= 8) {
      size_t start = packed_index_ / 8 * static_cast<size_t>(bit_width_);
      size_t room = packed_size_ > start + 8 ? packed_size_ - start - 8 : 0;
      // A group spans bit_width_ bytes and its loads reach bit_width_ + 8 bytes from its start.
      size_t groups = std::min(n / 8, bit_width_ == 0 ? n / 8 : room / bit_width_);
      kGroupUnpackers<T>[bit_width_](packed_ + start, out, groups);
      packed_index_ += groups * 8;
      out += groups * 8;
      n -= groups * 8;
    }
    uint64_t bit = packed_index_ * static_cast<uint64_t>(bit_width_);
    uint64_t mask = (uint64_t{1} << bit_width_) - 1;
    // Values whose 8-byte window lies inside the run load without bounds checks.
    uint64_t safe_bits = packed_size_ >= 8 ? (packed_size_ - 8) * 8 : 0;
    size_t i = 0;
    if (packed_size_ >= 8) {
      for (; i < n && bit <= safe_bits; ++i, bit += bit_width_) {
        uint64_t word;
        std::memcpy(&word, packed_ + (bit >> 3), 8);
        out[i] = static_cast<T>((word >> (bit & 7)) & mask);
      }
    }
    for (; i < n; ++i, bit += bit_width_) {
      out[i] = static_cast<T>(ReadPacked(packed_, packed_size_, bit, bit_width_));
    }
    packed_index_ += n;
  }

  // Starts the next run that holds values; returns false at the end of the data.
  bool NextRun() {
    while (data_ < end_) {
      uint64_t header = 0;
      if (!ReadUleb(&data_, end_, &header)) return false;
      if (header & 1) {
        uint64_t groups = std::min<uint64_t>(header >> 1, kMaxRun);
        size_t available = static_cast<size_t>(end_ - data_);
        size_t bytes = static_cast<size_t>(
            std::min<uint64_t>(groups * static_cast<uint64_t>(bit_width_), available));
        packed_ = data_;
        packed_size_ = bytes;
        packed_index_ = 0;
        // A final run may be cut short; only whole values that are present count.
        packed_left_ = bit_width_ == 0 ? std::min<uint64_t>(groups * 8, kMaxRun)
                                       : std::min<uint64_t>(groups * 8, bytes * 8 / bit_width_);
        data_ += bytes;
        if (packed_left_ > 0) return true;
        continue;
      }
      size_t value_bytes = (static_cast<size_t>(bit_width_) + 7) / 8;
      if (static_cast<size_t>(end_ - data_) < value_bytes) return false;
      repeat_value_ = static_cast<uint32_t>(LoadWord(data_, value_bytes));
      data_ += value_bytes;
      repeat_left_ = header >> 1;
      if (repeat_left_ > 0) return true;
    }
    return false;
  }

  static constexpr uint64_t kMaxRun = uint64_t{1} << 40;
  // Indexed by bit width, 0 to 32.
  template <typename T>
  static constexpr auto kGroupUnpackers =
      rle_internal::MakeGroupUnpackers<T>(std::make_index_sequence<33>());

  const uint8_t* data_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_width_ = 0;
  uint64_t repeat_left_ = 0;
  uint32_t repeat_value_ = 0;
  uint64_t packed_left_ = 0;
  const uint8_t* packed_ = nullptr;
  size_t packed_size_ = 0;
  uint64_t packed_index_ = 0;
};

}  // namespace sluice::io::parquet
