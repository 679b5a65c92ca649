#include "io/parquet/parquet_file.h"

#include <cstring>

#include "base/error.h"
#include "io/parquet/thrift_codec.h"

namespace sluice::io::parquet {
namespace {

constexpr char kMagic[] = "PAR1";

}  // namespace

std::shared_ptr<const ParquetFile> ParquetFile::Open(const std::string& path) {
  std::shared_ptr<ParquetFile> file(new ParquetFile());
  file->path_ = path;
  file->bytes_ = FileBytes::Open(path);
  file->ReadFooter();
  file->columns_ = DescribeColumns(file->metadata_, path);
  file->Validate();
  return file;
}

namespace {

// Is bytes held in memory by someone else.
class BorrowedBytes final : public FileBytes {
 public:
  explicit BorrowedBytes(std::string_view bytes) : bytes_(bytes) {}
  const char* data() const override { return bytes_.data(); }
  size_t size() const override { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

}  // namespace

std::shared_ptr<const ParquetFile> ParquetFile::OpenBuffer(std::string_view bytes,
                                                           const std::string& name) {
  std::shared_ptr<ParquetFile> file(new ParquetFile());
  file->path_ = name;
  file->bytes_ = std::make_unique<BorrowedBytes>(bytes);
  file->ReadFooter();
  file->columns_ = DescribeColumns(file->metadata_, name);
  file->Validate();
  return file;
}

void ParquetFile::ReadFooter() {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes_->data());
  size_t size = bytes_->size();
  if (size < 12 || std::memcmp(data, kMagic, 4) != 0 ||
      std::memcmp(data + size - 4, kMagic, 4) != 0) {
    Throw<DataError>("'{}' is not a Parquet file (no PAR1 marks at its start and end)", path_);
  }
  uint32_t footer = 0;
  std::memcpy(&footer, data + size - 8, 4);
  if (footer > size - 12) {
    Throw<DataError>("'{}': footer of {} bytes is larger than the file", path_, footer);
  }
  DecodeThrift(data + size - 8 - footer, footer, &metadata_, "'" + path_ + "' footer");
}

void ParquetFile::Validate() {
  size_t leaves = 0;
  for (size_t i = 1; i < metadata_.schema.size(); ++i) {
    const auto& element = metadata_.schema[i];
    if (!element.__isset.num_children || element.num_children == 0) ++leaves;
  }
  for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
    const format::RowGroup& group = metadata_.row_groups[g];
    if (group.columns.size() != leaves || group.num_rows < 0) {
      Throw<DataError>("'{}' row group {}: {} column chunks for {} columns in the schema", path_, g,
                       group.columns.size(), leaves);
    }
    for (size_t c = 0; c < group.columns.size(); ++c) {
      if (!group.columns[c].__isset.meta_data) {
        Throw<DataError>("'{}' row group {}: column chunk {} has no metadata", path_, g, c);
      }
    }
  }
}

const format::ColumnMetaData& ParquetFile::ChunkMetadata(size_t row_group, size_t column) const {
  return metadata_.row_groups[row_group].columns[columns_[column].leaf].meta_data;
}

ChunkBytes ParquetFile::Chunk(size_t row_group, size_t column) const {
  const format::ColumnMetaData& meta = ChunkMetadata(row_group, column);
  int64_t start = meta.data_page_offset;
  if (meta.__isset.dictionary_page_offset && meta.dictionary_page_offset > 0 &&
      meta.dictionary_page_offset < start) {
    start = meta.dictionary_page_offset;
  }
  auto size = static_cast<int64_t>(bytes_->size());
  if (start < 4 || meta.total_compressed_size < 0 || start > size ||
      meta.total_compressed_size > size - start) {
    Throw<DataError>("{}: column chunk at offset {} of {} bytes lies outside the file",
                     Where(row_group, column), start, meta.total_compressed_size);
  }
  return {reinterpret_cast<const uint8_t*>(bytes_->data()) + start,
          static_cast<size_t>(meta.total_compressed_size)};
}

bool ParquetFile::PageIndex(size_t row_group, size_t column, format::ColumnIndex* column_index,
                            format::OffsetIndex* offset_index) const {
  const format::ColumnChunk& chunk = metadata_.row_groups[row_group].columns[columns_[column].leaf];
  if (!chunk.__isset.column_index_offset || !chunk.__isset.offset_index_offset ||
      !chunk.__isset.column_index_length || !chunk.__isset.offset_index_length) {
    return false;
  }
  auto size = static_cast<int64_t>(bytes_->size());
  auto fits = [&](int64_t offset, int32_t length) {
    return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
  };
  if (!fits(chunk.column_index_offset, chunk.column_index_length) ||
      !fits(chunk.offset_index_offset, chunk.offset_index_length)) {
    return false;
  }
  const auto* data = reinterpret_cast<const uint8_t*>(bytes_->data());
  std::string where = Where(row_group, column);
  DecodeThrift(data + chunk.column_index_offset, static_cast<size_t>(chunk.column_index_length),
               column_index, where + " column index");
  DecodeThrift(data + chunk.offset_index_offset, static_cast<size_t>(chunk.offset_index_length),
               offset_index, where + " offset index");
  return true;
}

std::string ParquetFile::Where(size_t row_group, size_t column) const {
  return fmt::format("'{}' row group {} column '{}'", path_, row_group, columns_[column].name);
}

}  // namespace sluice::io::parquet
