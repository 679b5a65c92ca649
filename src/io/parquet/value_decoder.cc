#include "io/parquet/value_decoder.h"

#include <cstring>
#include <type_traits>

#include "base/error.h"
#include "io/parquet/delta_decoder.h"
#include "io/parquet/rle_decoder.h"

namespace sluice::io::parquet {
namespace {

using format::Encoding;
using format::Type;

[[noreturn]] void ThrowEncoding(const ColumnDescriptor& column, Encoding::type encoding,
                                std::string_view what) {
  Throw<DataError>("{}: encoding {} does not apply to physical type {}", what,
                   EncodingName(encoding), format::to_string(column.physical));
}

size_t FixedWidth(const ColumnDescriptor& column) {
  switch (column.physical) {
    case Type::INT32:
    case Type::FLOAT:
      return 4;
    case Type::INT64:
    case Type::DOUBLE:
      return 8;
    case Type::INT96:
      return 12;
    case Type::FIXED_LEN_BYTE_ARRAY:
      return static_cast<size_t>(column.type_length);
    default:
      return 0;
  }
}

template <typename T>
void CopyPlain(const uint8_t* data, size_t size, size_t count, std::vector<T>* out,
               std::string_view what) {
  if (size / sizeof(T) < count) {
    Throw<DataError>("{}: {} values do not fit in {} bytes", what, count, size);
  }
  out->resize(count);
  if (count > 0) std::memcpy(out->data(), data, count * sizeof(T));
}

void DecodePlainBytes(const uint8_t* data, size_t size, size_t count,
                      std::vector<core::StringRef>* out, std::string_view what) {
  if (size / 4 < count) Throw<DataError>("{}: {} values do not fit in {} bytes", what, count, size);
  out->resize(count);
  const uint8_t* cursor = data;
  const uint8_t* end = data + size;
  for (size_t i = 0; i < count; ++i) {
    uint32_t length = 0;
    if (end - cursor < 4) Throw<DataError>("{}: value {} overruns the page", what, i);
    std::memcpy(&length, cursor, 4);
    cursor += 4;
    if (length > static_cast<size_t>(end - cursor)) {
      Throw<DataError>("{}: value {} of {} bytes overruns the page", what, i, length);
    }
    (*out)[i] = core::StringRef(reinterpret_cast<const char*>(cursor), length);
    cursor += length;
  }
}

void DecodeFixedBytes(const uint8_t* data, size_t size, size_t count, size_t width,
                      std::vector<core::StringRef>* out, std::string_view what) {
  if (width == 0 || size / width < count) {
    Throw<DataError>("{}: {} values of {} bytes do not fit in {} bytes", what, count, width, size);
  }
  out->resize(count);
  for (size_t i = 0; i < count; ++i) {
    (*out)[i] = core::StringRef(reinterpret_cast<const char*>(data + i * width),
                                static_cast<uint32_t>(width));
  }
}

void DecodePlainBooleans(const uint8_t* data, size_t size, size_t count, std::vector<uint8_t>* out,
                         std::string_view what) {
  if ((count + 7) / 8 > size) Throw<DataError>("{}: {} booleans overrun the page", what, count);
  out->resize(count);
  for (size_t i = 0; i < count; ++i) (*out)[i] = (data[i / 8] >> (i % 8)) & 1;
}

void DecodeRleBooleans(const uint8_t* data, size_t size, size_t count, std::vector<uint8_t>* out,
                       std::string_view what) {
  uint32_t length = 0;
  if (size < 4) Throw<DataError>("{}: truncated RLE booleans", what);
  std::memcpy(&length, data, 4);
  if (length > size - 4) Throw<DataError>("{}: RLE booleans overrun the page", what);
  out->resize(count);
  RleDecoder decoder(data + 4, length, 1);
  if (decoder.Get(out->data(), count) != count) {
    Throw<DataError>("{}: page has fewer booleans than its {} values", what, count);
  }
}

void DecodePlain(const ColumnDescriptor& column, const uint8_t* data, size_t size, size_t count,
                 PhysicalValues* out, std::string_view what) {
  switch (column.physical) {
    case Type::BOOLEAN:
      return DecodePlainBooleans(data, size, count, &out->booleans, what);
    case Type::INT32:
      return CopyPlain(data, size, count, &out->int32s, what);
    case Type::INT64:
      return CopyPlain(data, size, count, &out->int64s, what);
    case Type::FLOAT:
      return CopyPlain(data, size, count, &out->floats, what);
    case Type::DOUBLE:
      return CopyPlain(data, size, count, &out->doubles, what);
    case Type::BYTE_ARRAY:
      return DecodePlainBytes(data, size, count, &out->bytes, what);
    default:
      return DecodeFixedBytes(data, size, count, FixedWidth(column), &out->bytes, what);
  }
}

void DecodeDeltaIntegers(const ColumnDescriptor& column, const uint8_t* data, size_t size,
                         size_t count, PhysicalValues* out, std::string_view what) {
  std::vector<int64_t>& values = out->int64s;
  DecodeDeltaBinaryPacked(data, size, count, &values, what);
  if (values.size() != count) {
    Throw<DataError>("{}: DELTA_BINARY_PACKED holds {} values, expected {}", what, values.size(),
                     count);
  }
  if (column.physical != Type::INT32) return;
  out->int32s.resize(count);
  for (size_t i = 0; i < count; ++i) out->int32s[i] = static_cast<int32_t>(values[i]);
}

void DecodeSplit(const ColumnDescriptor& column, const uint8_t* data, size_t size, size_t count,
                 core::StringHeap* heap, PhysicalValues* out, std::string_view what) {
  size_t width = FixedWidth(column);
  if (width == 0 || column.physical == Type::INT96) {
    ThrowEncoding(column, Encoding::BYTE_STREAM_SPLIT, what);
  }
  auto* bytes = reinterpret_cast<uint8_t*>(heap->Allocate(count * width + 1));
  DecodeByteStreamSplit(data, size, count, width, bytes, what);
  DecodePlain(column, bytes, count * width, count, out, what);
}

}  // namespace

std::string_view EncodingName(format::Encoding::type encoding) {
  switch (encoding) {
    case Encoding::PLAIN:
      return "PLAIN";
    case Encoding::PLAIN_DICTIONARY:
      return "PLAIN_DICTIONARY";
    case Encoding::RLE:
      return "RLE";
    case Encoding::BIT_PACKED:
      return "BIT_PACKED";
    case Encoding::DELTA_BINARY_PACKED:
      return "DELTA_BINARY_PACKED";
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::DELTA_BYTE_ARRAY:
      return "DELTA_BYTE_ARRAY";
    case Encoding::RLE_DICTIONARY:
      return "RLE_DICTIONARY";
    case Encoding::BYTE_STREAM_SPLIT:
      return "BYTE_STREAM_SPLIT";
  }
  return "unknown encoding";
}

void DecodePhysical(const ColumnDescriptor& column, format::Encoding::type encoding,
                    const uint8_t* data, size_t size, size_t count, core::StringHeap* heap,
                    PhysicalValues* out, std::string_view what) {
  switch (encoding) {
    case Encoding::PLAIN:
      return DecodePlain(column, data, size, count, out, what);
    case Encoding::RLE:
      if (column.physical != Type::BOOLEAN) ThrowEncoding(column, encoding, what);
      return DecodeRleBooleans(data, size, count, &out->booleans, what);
    case Encoding::DELTA_BINARY_PACKED:
      if (column.physical != Type::INT32 && column.physical != Type::INT64) {
        ThrowEncoding(column, encoding, what);
      }
      return DecodeDeltaIntegers(column, data, size, count, out, what);
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
      if (column.physical != Type::BYTE_ARRAY) ThrowEncoding(column, encoding, what);
      DecodeDeltaLengthByteArray(data, size, count, &out->bytes, what);
      break;
    case Encoding::DELTA_BYTE_ARRAY:
      if (column.physical != Type::BYTE_ARRAY && column.physical != Type::FIXED_LEN_BYTE_ARRAY) {
        ThrowEncoding(column, encoding, what);
      }
      DecodeDeltaByteArray(data, size, count, heap, &out->bytes, what);
      break;
    case Encoding::BYTE_STREAM_SPLIT:
      return DecodeSplit(column, data, size, count, heap, out, what);
    default:
      Throw<DataError>("{}: unsupported encoding {}", what, EncodingName(encoding));
  }
  if (out->bytes.size() != count) {
    Throw<DataError>("{}: page holds {} values, expected {}", what, out->bytes.size(), count);
  }
}

}  // namespace sluice::io::parquet
