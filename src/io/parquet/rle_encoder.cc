#include "io/parquet/rle_encoder.h"

#include <bit>

namespace sluice::io::parquet {
namespace {

// A run this long or longer is cheaper as an RLE run than bit-packed.
constexpr size_t kMinRepeatRun = 8;

// Returns the length of the run of equal values that starts at `start`.
size_t RunLength(std::span<const uint32_t> values, size_t start) {
  size_t end = start + 1;
  while (end < values.size() && values[end] == values[start]) ++end;
  return end - start;
}

// Appends values [begin, end) as one bit-packed run; the count is padded to a multiple of 8.
void AppendLiteralRun(std::span<const uint32_t> values, size_t begin, size_t end, int bit_width,
                      std::string* out) {
  size_t groups = (end - begin + 7) / 8;
  AppendUleb128((groups << 1) | 1, out);
  AppendBitPacked(values.subspan(begin, end - begin), bit_width, out);
  // A partial last group still takes bit_width bytes per group of 8 values.
  size_t packed_bytes = ((end - begin) * bit_width + 7) / 8;
  out->append(groups * bit_width - packed_bytes, '\0');
}

}  // namespace

int BitWidthFor(uint32_t max_value) { return max_value == 0 ? 0 : std::bit_width(max_value); }

void AppendUleb128(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void AppendRleRun(uint32_t value, size_t count, int bit_width, std::string* out) {
  AppendUleb128(uint64_t{count} << 1, out);
  for (int byte = 0; byte < (bit_width + 7) / 8; ++byte) {
    out->push_back(static_cast<char>((value >> (8 * byte)) & 0xff));
  }
}

void AppendBitPacked(std::span<const uint32_t> values, int bit_width, std::string* out) {
  if (bit_width == 0) return;
  size_t start = out->size();
  out->resize(start + (values.size() * static_cast<size_t>(bit_width) + 7) / 8);
  char* cursor = out->data() + start;
  uint64_t buffer = 0;
  int buffered_bits = 0;
  for (uint32_t value : values) {
    buffer |= uint64_t{value} << buffered_bits;
    buffered_bits += bit_width;
    while (buffered_bits >= 8) {
      *cursor++ = static_cast<char>(buffer & 0xff);
      buffer >>= 8;
      buffered_bits -= 8;
    }
  }
  if (buffered_bits > 0) *cursor = static_cast<char>(buffer & 0xff);
}

void EncodeRleHybrid(std::span<const uint32_t> values, int bit_width, std::string* out) {
  size_t literal_start = 0;
  size_t position = 0;
  while (position < values.size()) {
    size_t run = RunLength(values, position);
    // Literal runs hold whole groups of 8, so a repeat run first lends values to fill the
    // pending literals up to a group boundary.
    size_t lend = (8 - (position - literal_start) % 8) % 8;
    if (run < kMinRepeatRun + lend) {
      position += run;
      continue;
    }
    if (position + lend > literal_start) {
      AppendLiteralRun(values, literal_start, position + lend, bit_width, out);
    }
    AppendRleRun(values[position], run - lend, bit_width, out);
    position += run;
    literal_start = position;
  }
  if (literal_start < values.size()) {
    AppendLiteralRun(values, literal_start, values.size(), bit_width, out);
  }
}

}  // namespace sluice::io::parquet
