#include "io/parquet/parquet_writer.h"

#include <deque>
#include <optional>

#include "base/error.h"
#include "base/task.h"
#include "io/file_writer.h"
#include "io/parquet/column_writer.h"
#include "io/parquet/thrift_codec.h"

#ifndef SLUICE_VERSION_STRING
#define SLUICE_VERSION_STRING "unknown"
#endif

namespace sluice::io {
namespace {

using parquet::ColumnSlice;
using parquet::EncodedColumnChunk;
namespace format = parquet::format;

constexpr std::string_view kMagic = "PAR1";

format::CompressionCodec::type CodecOf(ParquetCompression compression) {
  switch (compression) {
    case ParquetCompression::kZstd:
      return format::CompressionCodec::ZSTD;
    case ParquetCompression::kSnappy:
      return format::CompressionCodec::SNAPPY;
    case ParquetCompression::kGzip:
      return format::CompressionCodec::GZIP;
    case ParquetCompression::kLz4Raw:
      return format::CompressionCodec::LZ4_RAW;
    case ParquetCompression::kUncompressed:
      return format::CompressionCodec::UNCOMPRESSED;
  }
  return format::CompressionCodec::ZSTD;
}

// Returns true when `left` sorts before `right`; both are non-NULL values of one type.
bool ValueLess(const core::Value& left, const core::Value& right) {
  switch (left.type()) {
    case core::TypeId::kDouble:
      return left.GetDouble() < right.GetDouble();
    case core::TypeId::kVarchar:
      return left.GetString() < right.GetString();
    default:
      return left.GetInt64() < right.GetInt64();
  }
}

void MergeSummary(const ParquetColumnSummary& chunk, ParquetColumnSummary* file) {
  file->null_count += chunk.null_count;
  if (!chunk.min.is_null() && (file->min.is_null() || ValueLess(chunk.min, file->min))) {
    file->min = chunk.min;
  }
  if (!chunk.max.is_null() && (file->max.is_null() || ValueLess(file->max, chunk.max))) {
    file->max = chunk.max;
  }
}

// Writes a Parquet file: row groups as rows arrive, the page index and footer at Finish().
class FileParquetWriter final : public ParquetWriter {
 public:
  FileParquetWriter(const std::string& path, core::SchemaPtr schema,
                    const ParquetWriteOptions& options)
      : path_(path), schema_(std::move(schema)), options_(options) {
    chunk_options_.codec = CodecOf(options.compression);
    chunk_options_.dictionary = options.dictionary;
    if (options_.row_group_rows == 0) Throw<UserError>("the row group size must be positive");
    for (const core::Field& field : schema_->fields()) {
      ParquetColumnSummary column;
      column.min = column.max = core::Value::Null(field.type);
      summary_.columns.push_back(column);
    }
    file_ = FileWriter::Create(path);
    file_->Append(kMagic);
  }

  void Write(const core::Batch& batch) override {
    if (finished_) Throw<InternalError>("Parquet writer for '{}' is closed", path_);
    if (batch.num_columns() != schema_->num_fields()) {
      Throw<InternalError>("Parquet writer for '{}': a batch of {} columns, the schema has {}",
                           path_, batch.num_columns(), schema_->num_fields());
    }
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      if (batch.column(c).type() != schema_->field(c).type) {
        Throw<InternalError>("Parquet writer for '{}': column {} has the wrong type", path_, c);
      }
    }
    if (batch.num_rows() == 0) return;
    pending_rows_ += batch.num_rows();
    pending_.push_back(batch.Share());
    while (pending_rows_ >= options_.row_group_rows) FlushRowGroup(options_.row_group_rows);
  }

  ParquetFileSummary Finish() override {
    if (finished_) Throw<InternalError>("Parquet writer for '{}' finished twice", path_);
    if (pending_rows_ > 0) FlushRowGroup(pending_rows_);
    WritePageIndex();
    WriteFooter();
    finished_ = true;
    file_->Finish(options_.sync);
    summary_.file_bytes = static_cast<int64_t>(file_->size());
    return summary_;
  }

 private:
  // Returns, per column, the slices holding the next `rows` pending rows, and drops them
  // from the pending batches once encoded.
  std::vector<std::vector<ColumnSlice>> TakeSlices(size_t rows) {
    std::vector<std::vector<ColumnSlice>> slices(schema_->num_fields());
    size_t taken = 0;
    size_t offset = first_batch_offset_;
    for (size_t b = 0; b < pending_.size() && taken < rows; ++b) {
      const core::Batch& batch = pending_[b];
      size_t count = std::min(batch.num_rows() - offset, rows - taken);
      const core::SelectionVector* selection = batch.selection() ? &*batch.selection() : nullptr;
      for (size_t c = 0; c < slices.size(); ++c) {
        slices[c].push_back({&batch.column(c), selection, offset, offset + count});
      }
      taken += count;
      offset = 0;
    }
    return slices;
  }

  void DropRows(size_t rows) {
    pending_rows_ -= rows;
    while (rows > 0) {
      size_t left = pending_.front().num_rows() - first_batch_offset_;
      if (rows < left) {
        first_batch_offset_ += rows;
        return;
      }
      rows -= left;
      pending_.pop_front();
      first_batch_offset_ = 0;
    }
  }

  void FlushRowGroup(size_t rows) {
    std::vector<std::vector<ColumnSlice>> slices = TakeSlices(rows);
    std::vector<EncodedColumnChunk> chunks(slices.size());
    ParallelFor(slices.size(), [&](size_t c) {
      chunks[c] = parquet::EncodeColumnChunk(schema_->field(c), slices[c], chunk_options_);
    });
    format::RowGroup group;
    group.num_rows = static_cast<int64_t>(rows);
    group.__set_file_offset(static_cast<int64_t>(file_->size()));
    group.__set_ordinal(static_cast<int16_t>(row_groups_.size()));
    int64_t compressed = 0;
    for (size_t c = 0; c < chunks.size(); ++c) {
      EncodedColumnChunk& chunk = chunks[c];
      group.columns.push_back(PlaceChunk(chunk));
      file_->Append(chunk.bytes);
      group.total_byte_size += chunk.meta_data.total_uncompressed_size;
      compressed += chunk.meta_data.total_compressed_size;
      MergeSummary(chunk.summary, &summary_.columns[c]);
      column_indexes_.push_back(chunk.has_column_index ? std::optional(chunk.column_index)
                                                       : std::nullopt);
      offset_indexes_.push_back(std::move(chunk.offset_index));
    }
    group.__set_total_compressed_size(compressed);
    row_groups_.push_back(std::move(group));
    summary_.num_rows += static_cast<int64_t>(rows);
    DropRows(rows);
  }

  // Moves the chunk's offsets to where it lands in the file (at the current end).
  format::ColumnChunk PlaceChunk(EncodedColumnChunk& chunk) {
    int64_t base = static_cast<int64_t>(file_->size());
    format::ColumnMetaData& meta = chunk.meta_data;
    meta.data_page_offset += base;
    if (meta.__isset.dictionary_page_offset) meta.dictionary_page_offset += base;
    for (format::PageLocation& page : chunk.offset_index.page_locations) page.offset += base;
    format::ColumnChunk column;
    column.file_offset = base;
    column.__set_meta_data(meta);
    return column;
  }

  // Writes every column index, then every offset index, and points the chunks at them.
  void WritePageIndex() {
    std::string bytes;
    size_t chunk = 0;
    for (format::RowGroup& group : row_groups_) {
      for (format::ColumnChunk& column : group.columns) {
        const std::optional<format::ColumnIndex>& index = column_indexes_[chunk++];
        if (!index) continue;
        size_t start = bytes.size();
        parquet::EncodeThrift(*index, &bytes);
        column.__set_column_index_offset(static_cast<int64_t>(file_->size() + start));
        column.__set_column_index_length(static_cast<int32_t>(bytes.size() - start));
      }
    }
    chunk = 0;
    for (format::RowGroup& group : row_groups_) {
      for (format::ColumnChunk& column : group.columns) {
        size_t start = bytes.size();
        parquet::EncodeThrift(offset_indexes_[chunk++], &bytes);
        column.__set_offset_index_offset(static_cast<int64_t>(file_->size() + start));
        column.__set_offset_index_length(static_cast<int32_t>(bytes.size() - start));
      }
    }
    file_->Append(bytes);
  }

  void WriteFooter() {
    format::FileMetaData metadata;
    metadata.version = 1;
    format::SchemaElement root;
    root.name = "schema";
    root.__set_num_children(static_cast<int32_t>(schema_->num_fields()));
    metadata.schema.push_back(root);
    std::vector<format::ColumnOrder> orders;
    for (const core::Field& field : schema_->fields()) {
      metadata.schema.push_back(parquet::SchemaElementFor(field));
      format::ColumnOrder order;
      order.__set_TYPE_ORDER(format::TypeDefinedOrder());
      orders.push_back(order);
    }
    metadata.num_rows = summary_.num_rows;
    metadata.row_groups = row_groups_;
    metadata.__set_created_by(std::string("sluice version ") + SLUICE_VERSION_STRING);
    metadata.__set_column_orders(orders);
    std::string footer;
    parquet::EncodeThrift(metadata, &footer);
    uint32_t length = static_cast<uint32_t>(footer.size());
    footer.append(reinterpret_cast<const char*>(&length), 4);
    footer += kMagic;
    file_->Append(footer);
  }

  std::string path_;
  core::SchemaPtr schema_;
  ParquetWriteOptions options_;
  parquet::ColumnChunkOptions chunk_options_;
  std::unique_ptr<FileWriter> file_;
  bool finished_ = false;
  std::deque<core::Batch> pending_;
  size_t pending_rows_ = 0;
  size_t first_batch_offset_ = 0;  // rows of pending_.front() already written
  std::vector<format::RowGroup> row_groups_;
  std::vector<std::optional<format::ColumnIndex>> column_indexes_;  // per chunk, in file order
  std::vector<format::OffsetIndex> offset_indexes_;
  ParquetFileSummary summary_;
};

}  // namespace

std::unique_ptr<ParquetWriter> CreateParquetWriter(const std::string& path, core::SchemaPtr schema,
                                                   const ParquetWriteOptions& options) {
  return std::make_unique<FileParquetWriter>(path, std::move(schema), options);
}

}  // namespace sluice::io
