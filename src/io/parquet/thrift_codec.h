#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::io::parquet {

/// Decodes one Thrift compact-protocol struct of type T (a generated Parquet metadata type:
/// FileMetaData, PageHeader, ColumnIndex, OffsetIndex) from `data` into `out` and returns the
/// number of bytes it used. Throws DataError naming `what` (e.g. "'x.parquet': page header of
/// column 'a' in row group 2") when the bytes are not a valid struct of that type.
template <typename T>
size_t DecodeThrift(const uint8_t* data, size_t size, T* out, std::string_view what);

/// Appends `value` encoded with the Thrift compact protocol to `out`.
template <typename T>
void EncodeThrift(const T& value, std::string* out);

}  // namespace sluice::io::parquet
