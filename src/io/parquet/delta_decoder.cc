#include "io/parquet/delta_decoder.h"

#include <algorithm>
#include <string>

#include "base/error.h"
#include "io/parquet/bit_reader.h"

namespace sluice::io::parquet {
namespace {

struct DeltaHeader {
  uint64_t block_size = 0;
  uint64_t miniblocks = 0;
  uint64_t total = 0;
  int64_t first = 0;
};

DeltaHeader ReadDeltaHeader(const uint8_t** cursor, const uint8_t* end, size_t max_values,
                            std::string_view what) {
  DeltaHeader header;
  if (!ReadUleb(cursor, end, &header.block_size) || !ReadUleb(cursor, end, &header.miniblocks) ||
      !ReadUleb(cursor, end, &header.total) || !ReadZigZag(cursor, end, &header.first)) {
    Throw<DataError>("{}: truncated DELTA_BINARY_PACKED header", what);
  }
  if (header.block_size == 0 || header.block_size % 128 != 0 || header.block_size > (1 << 20) ||
      header.miniblocks == 0 || header.block_size % header.miniblocks != 0 ||
      (header.block_size / header.miniblocks) % 32 != 0) {
    Throw<DataError>("{}: invalid DELTA_BINARY_PACKED block size {} with {} miniblocks", what,
                     header.block_size, header.miniblocks);
  }
  if (header.total > max_values) {
    Throw<DataError>("{}: DELTA_BINARY_PACKED stream announces {} values where at most {} fit",
                     what, header.total, max_values);
  }
  return header;
}

}  // namespace

size_t DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, size_t max_values,
                               std::vector<int64_t>* out, std::string_view what) {
  const uint8_t* cursor = data;
  const uint8_t* end = data + size;
  DeltaHeader header = ReadDeltaHeader(&cursor, end, max_values, what);
  out->resize(header.total);
  if (header.total == 0) return static_cast<size_t>(cursor - data);
  uint64_t value = static_cast<uint64_t>(header.first);
  (*out)[0] = header.first;
  size_t done = 1;
  uint64_t per_miniblock = header.block_size / header.miniblocks;
  while (done < header.total) {
    int64_t min_delta = 0;
    if (!ReadZigZag(&cursor, end, &min_delta) ||
        static_cast<uint64_t>(end - cursor) < header.miniblocks) {
      Throw<DataError>("{}: truncated DELTA_BINARY_PACKED block", what);
    }
    const uint8_t* widths = cursor;
    cursor += header.miniblocks;
    for (uint64_t m = 0; m < header.miniblocks && done < header.total; ++m) {
      int width = widths[m];
      if (width > 64) Throw<DataError>("{}: DELTA_BINARY_PACKED bit width {}", what, width);
      size_t bytes = static_cast<size_t>(per_miniblock * width / 8);
      size_t available = static_cast<size_t>(end - cursor);
      size_t count = static_cast<size_t>(std::min<uint64_t>(per_miniblock, header.total - done));
      if (available < (count * width + 7) / 8) {
        Throw<DataError>("{}: truncated DELTA_BINARY_PACKED miniblock", what);
      }
      for (size_t i = 0; i < count; ++i) {
        value += static_cast<uint64_t>(min_delta) + ReadPacked(cursor, available, i * width, width);
        (*out)[done++] = static_cast<int64_t>(value);
      }
      // The last miniblock may be stored short of its padding; never step past the end.
      cursor += std::min(bytes, available);
    }
  }
  return static_cast<size_t>(cursor - data);
}

size_t DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t max_values,
                                  std::vector<core::StringRef>* out, std::string_view what) {
  std::vector<int64_t> lengths;
  size_t offset = DecodeDeltaBinaryPacked(data, size, max_values, &lengths, what);
  out->resize(lengths.size());
  for (size_t i = 0; i < lengths.size(); ++i) {
    int64_t length = lengths[i];
    if (length < 0 || static_cast<uint64_t>(length) > size - offset) {
      Throw<DataError>("{}: DELTA_LENGTH_BYTE_ARRAY value {} of {} bytes overruns the page", what,
                       i, length);
    }
    (*out)[i] = core::StringRef(reinterpret_cast<const char*>(data + offset),
                                static_cast<uint32_t>(length));
    offset += static_cast<size_t>(length);
  }
  return offset;
}

void DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t max_values,
                          core::StringHeap* heap, std::vector<core::StringRef>* out,
                          std::string_view what) {
  std::vector<int64_t> prefixes;
  size_t offset = DecodeDeltaBinaryPacked(data, size, max_values, &prefixes, what);
  std::vector<core::StringRef> suffixes;
  DecodeDeltaLengthByteArray(data + offset, size - offset, max_values, &suffixes, what);
  if (suffixes.size() != prefixes.size()) {
    Throw<DataError>("{}: DELTA_BYTE_ARRAY has {} prefixes but {} suffixes", what, prefixes.size(),
                     suffixes.size());
  }
  out->resize(prefixes.size());
  std::string previous;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (prefixes[i] < 0 || static_cast<size_t>(prefixes[i]) > previous.size()) {
      Throw<DataError>("{}: DELTA_BYTE_ARRAY prefix of {} bytes exceeds the previous value", what,
                       prefixes[i]);
    }
    previous.resize(static_cast<size_t>(prefixes[i]));
    previous.append(suffixes[i].view());
    (*out)[i] = heap->Add(previous);
  }
}

void DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t count, size_t width,
                           uint8_t* out, std::string_view what) {
  if (width == 0 || size / width < count) {
    Throw<DataError>("{}: BYTE_STREAM_SPLIT data of {} bytes is too short for {} values", what,
                     size, count);
  }
  for (size_t k = 0; k < width; ++k) {
    const uint8_t* source = data + k * count;
    for (size_t i = 0; i < count; ++i) out[i * width + k] = source[i];
  }
}

}  // namespace sluice::io::parquet
