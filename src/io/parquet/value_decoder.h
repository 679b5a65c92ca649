#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/string_heap.h"
#include "core/string_ref.h"
#include "io/parquet/format/parquet_types.h"
#include "io/parquet/parquet_schema.h"

namespace sluice::io::parquet {

/// Holds the values of one page in their physical (stored) representation; only the member of
/// the column's physical type is used.
struct PhysicalValues {
  std::vector<uint8_t> booleans;
  std::vector<int32_t> int32s;
  std::vector<int64_t> int64s;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<core::StringRef> bytes;  // BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY and INT96 values
};

/// Decodes `count` values of `column`'s physical type stored with `encoding` (PLAIN, RLE for
/// booleans, DELTA_*, BYTE_STREAM_SPLIT) from `size` bytes at `data` into `out`. String views
/// point into `data` or into `heap`. Throws DataError starting with `what` on malformed data
/// and for encodings that do not apply to the type.
void DecodePhysical(const ColumnDescriptor& column, format::Encoding::type encoding,
                    const uint8_t* data, size_t size, size_t count, core::StringHeap* heap,
                    PhysicalValues* out, std::string_view what);

/// Converts decoded physical values to the column's Sluice type, whose storage type is `Out`
/// (uint8_t, int32_t, int64_t, double or core::StringRef), replacing `out`'s contents. Text made
/// by the conversion lives in `heap`. Throws DataError for values Sluice cannot represent.
template <typename Out>
void ConvertValues(const ColumnDescriptor& column, PhysicalValues& values, core::StringHeap* heap,
                   std::vector<Out>* out, std::string_view what);

/// Returns the name of an encoding, for messages.
std::string_view EncodingName(format::Encoding::type encoding);

}  // namespace sluice::io::parquet
