#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/file.h"
#include "io/parquet/format/parquet_types.h"
#include "io/parquet/parquet_schema.h"

namespace sluice::io::parquet {

/// Is the byte range of one column chunk within the file.
struct ChunkBytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

/// Is an opened Parquet file: its bytes (mapped), its footer and its top-level columns.
/// Immutable and thread-safe once opened.
class ParquetFile {
 public:
  /// Opens and validates `path`; throws IoError when it cannot be read and DataError naming the
  /// file when it is not valid Parquet.
  static std::shared_ptr<const ParquetFile> Open(const std::string& path);
  /// Reads a Parquet file held in memory, which must outlive the file; `name` is used in errors.
  static std::shared_ptr<const ParquetFile> OpenBuffer(std::string_view bytes,
                                                       const std::string& name);

  const std::string& path() const { return path_; }
  const format::FileMetaData& metadata() const { return metadata_; }
  const std::vector<ColumnDescriptor>& columns() const { return columns_; }
  size_t num_row_groups() const { return metadata_.row_groups.size(); }

  /// Returns the metadata of column `column`'s chunk in row group `row_group`.
  const format::ColumnMetaData& ChunkMetadata(size_t row_group, size_t column) const;
  /// Returns the bytes of that chunk; throws DataError when they lie outside the file.
  ChunkBytes Chunk(size_t row_group, size_t column) const;
  /// Reads the page index of that chunk; false when the file has none for it.
  bool PageIndex(size_t row_group, size_t column, format::ColumnIndex* column_index,
                 format::OffsetIndex* offset_index) const;
  /// Returns "'path' row group N column 'name'", the prefix of errors about a chunk.
  std::string Where(size_t row_group, size_t column) const;

 private:
  ParquetFile() = default;
  void ReadFooter();
  void Validate();

  std::string path_;
  std::unique_ptr<FileBytes> bytes_;
  format::FileMetaData metadata_;
  std::vector<ColumnDescriptor> columns_;
};

}  // namespace sluice::io::parquet
