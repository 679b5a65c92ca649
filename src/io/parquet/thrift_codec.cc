#include "io/parquet/thrift_codec.h"

#include <algorithm>

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "base/error.h"
#include "io/parquet/format/parquet_types.h"

namespace sluice::io::parquet {
namespace {

using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

// Bounds what a corrupt header can make the decoder allocate.
constexpr int32_t kMaxStringBytes = 256 << 20;
constexpr int32_t kMaxContainerSize = 16 << 20;

}  // namespace

template <typename T>
size_t DecodeThrift(const uint8_t* data, size_t size, T* out, std::string_view what) {
  try {
    auto buffer = std::make_shared<TMemoryBuffer>(
        const_cast<uint8_t*>(data), static_cast<uint32_t>(size), TMemoryBuffer::OBSERVE);
    // Every element takes at least one byte, so the input's size bounds any honest count.
    auto limit = static_cast<int32_t>(std::min<size_t>(size, kMaxContainerSize));
    TCompactProtocolT<TMemoryBuffer> protocol(buffer, std::min(kMaxStringBytes, limit + 1),
                                              limit + 1);
    out->read(&protocol);
    return size - buffer->available_read();
  } catch (const std::exception& e) {
    Throw<DataError>("{} is not valid Parquet metadata: {}", what, e.what());
  }
}

template <typename T>
void EncodeThrift(const T& value, std::string* out) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TCompactProtocolT<TMemoryBuffer> protocol(buffer);
  value.write(&protocol);
  uint8_t* bytes = nullptr;
  uint32_t length = 0;
  buffer->getBuffer(&bytes, &length);
  out->append(reinterpret_cast<const char*>(bytes), length);
}

#define SLUICE_THRIFT_TYPE(T)                                                                    \
  template size_t DecodeThrift<format::T>(const uint8_t*, size_t, format::T*, std::string_view); \
  template void EncodeThrift<format::T>(const format::T&, std::string*);
SLUICE_THRIFT_TYPE(FileMetaData)
SLUICE_THRIFT_TYPE(PageHeader)
SLUICE_THRIFT_TYPE(ColumnIndex)
SLUICE_THRIFT_TYPE(OffsetIndex)
#undef SLUICE_THRIFT_TYPE

}  // namespace sluice::io::parquet
