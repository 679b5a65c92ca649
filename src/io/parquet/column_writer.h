#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/batch.h"
#include "core/schema.h"
#include "io/parquet/format/parquet_types.h"
#include "io/parquet/parquet_writer.h"

namespace sluice::io::parquet {

/// Is rows [begin, end) of one vector, counted through `selection` when it is not null.
struct ColumnSlice {
  const core::Vector* vector = nullptr;
  const core::SelectionVector* selection = nullptr;
  size_t begin = 0;
  size_t end = 0;
};

/// Configures how a column chunk is encoded.
struct ColumnChunkOptions {
  format::CompressionCodec::type codec = format::CompressionCodec::ZSTD;
  bool dictionary = true;
  size_t page_bytes = 1 << 20;        // uncompressed bytes of values in one data page, at most
  size_t page_rows = 1 << 17;         // rows in one data page, at most
  size_t dictionary_bytes = 4 << 20;  // a larger dictionary falls back to PLAIN
};

/// Is one encoded column chunk. Offsets in `meta_data` and `offset_index` are relative to the
/// start of `bytes`; the file writer moves them to where the chunk lands in the file.
struct EncodedColumnChunk {
  std::string bytes;  // the dictionary page (if any), then the data pages
  format::ColumnMetaData meta_data;
  format::OffsetIndex offset_index;
  bool has_column_index = false;  // false when a page's bounds cannot be written
  format::ColumnIndex column_index;
  ParquetColumnSummary summary;
};

/// Returns the Parquet schema element of an OPTIONAL column for `field`.
format::SchemaElement SchemaElementFor(const core::Field& field);

/// Encodes the values of `field` in `slices` (in order) as one OPTIONAL column chunk: a
/// dictionary page and RLE_DICTIONARY data pages when a dictionary pays, else PLAIN pages;
/// definition levels RLE; pages compressed with the options' codec; statistics and page index.
/// Thread-safe for distinct outputs.
EncodedColumnChunk EncodeColumnChunk(const core::Field& field, std::span<const ColumnSlice> slices,
                                     const ColumnChunkOptions& options);

}  // namespace sluice::io::parquet
