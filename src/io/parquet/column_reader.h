#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/vector.h"
#include "io/batch_reader.h"
#include "io/parquet/format/parquet_types.h"
#include "io/parquet/page_reader.h"
#include "io/parquet/parquet_schema.h"

namespace sluice::io::parquet {

/// Reads the rows of one column chunk in order, converting them to the column's Sluice type.
/// Failures are DataErrors naming the file, row group and column. Not thread-safe.
class ColumnReader {
 public:
  virtual ~ColumnReader() = default;
  /// Reads the next `rows` rows into `out` at positions [offset, offset + rows).
  /// REQUIRES: out.type() is the column's output type and has room.
  /// When `codes` is not null, also says how these rows came from the chunk's dictionary (see
  /// DictionaryCodes; `dictionary` 0 when they did not all); when codes->values_left_out is
  /// set, leaves the values out of `out` if every row has a code, else clears it.
  /// REQUIRES: offset 0 then.
  virtual void Read(size_t rows, core::Vector& out, size_t offset, DictionaryCodes* codes) = 0;
  /// Moves past the next `rows` rows, passing over whole pages without decompressing them.
  virtual void Skip(size_t rows) = 0;
};

/// Makes the reader for `column` over the column chunk `source` (whose bytes must outlive the
/// reader). Reading a column of Shape::kUnsupported throws a DataError explaining why.
std::unique_ptr<ColumnReader> MakeColumnReader(const ColumnDescriptor& column, ChunkSource source);

}  // namespace sluice::io::parquet
