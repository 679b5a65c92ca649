#include "io/parquet/column_writer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "io/parquet/column_values.h"
#include "io/parquet/compression.h"
#include "io/parquet/dictionary_encoder.h"
#include "io/parquet/plain_encoder.h"
#include "io/parquet/rle_encoder.h"
#include "io/parquet/thrift_codec.h"

namespace sluice::io::parquet {
namespace {

using core::TypeId;

// Statistics longer than this are left out of the footer (the summary keeps them whole).
constexpr size_t kMaxStatisticsBytes = 4096;
// Page-index bounds of strings are cut to this length (a shorter bound is still a bound).
constexpr size_t kIndexBoundBytes = 64;

core::Value MakeValue(TypeId, uint8_t value) { return core::Value::Boolean(value != 0); }
core::Value MakeValue(TypeId type, int32_t value) {
  return type == TypeId::kDate ? core::Value::Date(value) : core::Value::Integer(value);
}
core::Value MakeValue(TypeId type, int64_t value) {
  return type == TypeId::kTimestamp ? core::Value::Timestamp(value) : core::Value::Bigint(value);
}
core::Value MakeValue(TypeId, double value) { return core::Value::Double(value); }
core::Value MakeValue(TypeId, std::string_view value) {
  return core::Value::Varchar(std::string(value));
}

// Returns a bound no larger than `value` of at most kIndexBoundBytes.
std::string IndexLowerBound(std::string_view value) {
  return std::string(value.substr(0, kIndexBoundBytes));
}

// Returns a bound no smaller than `value`: a prefix with its last byte below 0xff raised.
std::string IndexUpperBound(std::string_view value) {
  if (value.size() <= kIndexBoundBytes) return std::string(value);
  std::string bound(value.substr(0, kIndexBoundBytes));
  while (!bound.empty() && static_cast<uint8_t>(bound.back()) == 0xff) bound.pop_back();
  if (bound.empty()) return std::string(value);
  bound.back() = static_cast<char>(static_cast<uint8_t>(bound.back()) + 1);
  return bound;
}

// Encodes the pages of one column chunk whose values have physical type T.
template <typename T>
class ChunkEncoder {
 public:
  ChunkEncoder(const core::Field& field, const ColumnValues<T>& column,
               format::Type::type physical_type, const ColumnChunkOptions& options,
               EncodedColumnChunk* out)
      : field_(field), column_(column), options_(options), out_(*out) {
    out_.meta_data.type = physical_type;
  }

  void Encode() {
    if (options_.dictionary && TryDictionary()) WriteDictionaryPage();
    out_.meta_data.data_page_offset = static_cast<int64_t>(out_.bytes.size());
    size_t row = 0;
    size_t value = 0;
    while (row < column_.num_rows) {
      size_t rows = PageRowCount(row, value);
      size_t values = ValueCount(row, rows);
      WriteDataPage(row, rows, value, values);
      row += rows;
      value += values;
    }
    FinishMetadata();
  }

 private:
  static constexpr bool kIsString = std::is_same_v<T, std::string_view>;
  static constexpr bool kIsBoolean = std::is_same_v<T, uint8_t>;

  // Builds the dictionary; returns true when dictionary encoding is smaller than PLAIN.
  bool TryDictionary() {
    if constexpr (kIsBoolean) {
      return false;
    } else {
      if (column_.values.empty()) return false;
      DictionaryEncoder<T> encoder(options_.dictionary_bytes);
      if (!encoder.Encode(column_.values, &indices_)) return false;
      bit_width_ = std::max(1, BitWidthFor(static_cast<uint32_t>(encoder.entries().size() - 1)));
      size_t plain_bytes = column_.values.size() * sizeof(T);
      if constexpr (kIsString) {
        plain_bytes = 0;
        for (std::string_view v : column_.values) plain_bytes += 4 + v.size();
      }
      size_t dictionary_bytes = encoder.bytes() + (column_.values.size() * bit_width_ + 7) / 8;
      if (dictionary_bytes >= plain_bytes) return false;
      dictionary_ = encoder.entries();
      RankEntries();
      return true;
    }
  }

  void WriteDictionaryPage() {
    page_.clear();
    AppendPlain(std::span<const T>(dictionary_), &page_);
    format::PageHeader header;
    header.type = format::PageType::DICTIONARY_PAGE;
    format::DictionaryPageHeader dictionary_header;
    dictionary_header.num_values = static_cast<int32_t>(dictionary_.size());
    dictionary_header.encoding = format::Encoding::PLAIN;
    header.__set_dictionary_page_header(dictionary_header);
    out_.meta_data.__set_dictionary_page_offset(static_cast<int64_t>(out_.bytes.size()));
    AppendPage(header);
  }

  static bool IsNan(T value) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::isnan(value);
    } else {
      return false;
    }
  }

  // Sorts the dictionary's entries (NaNs last), so that a page's bounds come from comparing
  // the ranks of its indices rather than its values.
  void RankEntries() {
    by_rank_.resize(dictionary_.size());
    std::iota(by_rank_.begin(), by_rank_.end(), 0u);
    std::sort(by_rank_.begin(), by_rank_.end(), [this](uint32_t left, uint32_t right) {
      bool left_nan = IsNan(dictionary_[left]);
      bool right_nan = IsNan(dictionary_[right]);
      if (left_nan || right_nan) return !left_nan && right_nan;
      return ParquetLess(dictionary_[left], dictionary_[right]);
    });
    ranks_.resize(dictionary_.size());
    ordered_entries_ = 0;
    for (uint32_t rank = 0; rank < by_rank_.size(); ++rank) {
      ranks_[by_rank_[rank]] = rank;
      if (!IsNan(dictionary_[by_rank_[rank]])) ordered_entries_ = rank + 1;
    }
  }

  // Returns the bounds of the page's values [value, value + count).
  MinMax<T> PageBounds(size_t value, size_t count) const {
    MinMax<T> bounds;
    if (!UsesDictionary()) {
      for (size_t i = value; i < value + count; ++i) bounds.Update(column_.values[i]);
      return bounds;
    }
    uint32_t low = UINT32_MAX;
    uint32_t high = 0;
    for (size_t i = value; i < value + count; ++i) {
      uint32_t rank = ranks_[indices_[i]];
      if (rank >= ordered_entries_) continue;  // NaN
      low = std::min(low, rank);
      high = std::max(high, rank);
    }
    if (low == UINT32_MAX) return bounds;
    bounds.has_value = true;
    bounds.min = dictionary_[by_rank_[low]];
    bounds.max = dictionary_[by_rank_[high]];
    return bounds;
  }

  // Returns how many rows from `row` on fit in one data page.
  size_t PageRowCount(size_t row, size_t value) const {
    size_t limit = std::min(options_.page_rows, column_.num_rows - row);
    if (kIsString && !UsesDictionary()) {
      size_t bytes = 0;
      size_t rows = 0;
      while (rows < limit && bytes < options_.page_bytes) {
        if constexpr (kIsString) {
          if (column_.defined.empty() || column_.defined[row + rows]) {
            bytes += 4 + column_.values[value++].size();
          }
        }
        ++rows;
      }
      return rows;
    }
    size_t bits = UsesDictionary() ? bit_width_ : (kIsBoolean ? 1 : sizeof(T) * 8);
    return std::min(limit, std::max<size_t>(1, options_.page_bytes * 8 / bits));
  }

  size_t ValueCount(size_t row, size_t rows) const {
    if (column_.defined.empty()) return rows;
    auto begin = column_.defined.begin() + static_cast<std::ptrdiff_t>(row);
    return static_cast<size_t>(std::count(begin, begin + static_cast<std::ptrdiff_t>(rows), 1));
  }

  bool UsesDictionary() const { return !dictionary_.empty(); }

  void WriteDataPage(size_t row, size_t rows, size_t value, size_t values) {
    page_.clear();
    AppendLevels(row, rows);
    std::span<const T> page_values = std::span<const T>(column_.values).subspan(value, values);
    if (UsesDictionary()) {
      page_.push_back(static_cast<char>(bit_width_));
      EncodeRleHybrid(std::span<const uint32_t>(indices_).subspan(value, values), bit_width_,
                      &page_);
    } else if constexpr (kIsBoolean) {
      AppendPlainBooleans(page_values, &page_);
    } else {
      AppendPlain(page_values, &page_);
    }
    format::PageHeader header;
    header.type = format::PageType::DATA_PAGE;
    format::DataPageHeader data_header;
    data_header.num_values = static_cast<int32_t>(rows);
    data_header.encoding =
        UsesDictionary() ? format::Encoding::RLE_DICTIONARY : format::Encoding::PLAIN;
    data_header.definition_level_encoding = format::Encoding::RLE;
    data_header.repetition_level_encoding = format::Encoding::RLE;
    header.__set_data_page_header(data_header);
    format::PageLocation location;
    location.offset = static_cast<int64_t>(out_.bytes.size());
    location.first_row_index = static_cast<int64_t>(row);
    AppendPage(header);
    location.compressed_page_size = static_cast<int32_t>(out_.bytes.size() - location.offset);
    out_.offset_index.page_locations.push_back(location);
    AddPageBounds(PageBounds(value, values), values, rows - values);
    ++data_pages_;
  }

  // Appends the definition levels of rows [row, row + rows), prefixed by their byte length.
  void AppendLevels(size_t row, size_t rows) {
    size_t start = page_.size();
    page_.append(4, '\0');
    if (column_.defined.empty()) {
      AppendRleRun(1, rows, 1, &page_);
    } else {
      levels_.assign(column_.defined.begin() + static_cast<std::ptrdiff_t>(row),
                     column_.defined.begin() + static_cast<std::ptrdiff_t>(row + rows));
      EncodeRleHybrid(levels_, 1, &page_);
    }
    uint32_t length = static_cast<uint32_t>(page_.size() - start - 4);
    std::memcpy(page_.data() + start, &length, 4);
  }

  // Compresses page_ and appends its header and bytes to the chunk.
  void AppendPage(format::PageHeader& header) {
    compressed_.clear();
    Compress(options_.codec, reinterpret_cast<const uint8_t*>(page_.data()), page_.size(),
             &compressed_);
    if (page_.size() > INT32_MAX || compressed_.size() > INT32_MAX) {
      Throw<UserError>("column \"{}\": a Parquet page is larger than 2 GiB", field_.name);
    }
    header.uncompressed_page_size = static_cast<int32_t>(page_.size());
    header.compressed_page_size = static_cast<int32_t>(compressed_.size());
    size_t header_start = out_.bytes.size();
    EncodeThrift(header, &out_.bytes);
    size_t header_bytes = out_.bytes.size() - header_start;
    out_.bytes += compressed_;
    uncompressed_bytes_ += header_bytes + page_.size();
    compressed_bytes_ += header_bytes + compressed_.size();
  }

  // Records the page's bounds and NULL count in the column index and the chunk statistics.
  void AddPageBounds(MinMax<T> bounds, size_t values, size_t nulls) {
    bounds.NormalizeZeros();
    chunk_bounds_.Merge(bounds);
    null_count_ += nulls;
    format::ColumnIndex& index = out_.column_index;
    index.null_pages.push_back(values == 0);
    index.null_counts.push_back(static_cast<int64_t>(nulls));
    if (values == 0) {
      index.min_values.emplace_back();
      index.max_values.emplace_back();
      return;
    }
    if (!bounds.has_value) page_index_possible_ = false;  // only NaNs
    if constexpr (kIsString) {
      index.min_values.push_back(IndexLowerBound(bounds.min));
      index.max_values.push_back(IndexUpperBound(bounds.max));
    } else {
      index.min_values.push_back(StatisticsBytes(bounds.min));
      index.max_values.push_back(StatisticsBytes(bounds.max));
    }
    if (bounds.has_value && previous_page_.has_value) {
      ascending_ = ascending_ && !ParquetLess(bounds.min, previous_page_.min) &&
                   !ParquetLess(bounds.max, previous_page_.max);
      descending_ = descending_ && !ParquetLess(previous_page_.min, bounds.min) &&
                    !ParquetLess(previous_page_.max, bounds.max);
    }
    if (bounds.has_value) previous_page_ = bounds;
  }

  void FinishMetadata() {
    format::ColumnMetaData& meta = out_.meta_data;
    meta.path_in_schema = {field_.name};
    meta.codec = options_.codec;
    meta.num_values = static_cast<int64_t>(column_.num_rows);
    meta.total_uncompressed_size = static_cast<int64_t>(uncompressed_bytes_);
    meta.total_compressed_size = static_cast<int64_t>(compressed_bytes_);
    std::vector<format::PageEncodingStats> encoding_stats;
    if (UsesDictionary()) {
      meta.encodings = {format::Encoding::PLAIN, format::Encoding::RLE,
                        format::Encoding::RLE_DICTIONARY};
      encoding_stats.push_back(
          MakeEncodingStats(format::PageType::DICTIONARY_PAGE, format::Encoding::PLAIN, 1));
      encoding_stats.push_back(MakeEncodingStats(format::PageType::DATA_PAGE,
                                                 format::Encoding::RLE_DICTIONARY, data_pages_));
    } else {
      meta.encodings = {format::Encoding::PLAIN, format::Encoding::RLE};
      encoding_stats.push_back(
          MakeEncodingStats(format::PageType::DATA_PAGE, format::Encoding::PLAIN, data_pages_));
    }
    meta.__set_encoding_stats(encoding_stats);
    meta.__set_statistics(MakeStatistics());
    out_.has_column_index = page_index_possible_;
    out_.column_index.boundary_order = ascending_    ? format::BoundaryOrder::ASCENDING
                                       : descending_ ? format::BoundaryOrder::DESCENDING
                                                     : format::BoundaryOrder::UNORDERED;
    out_.column_index.__isset.null_counts = true;
    out_.summary.null_count = static_cast<int64_t>(null_count_);
    out_.summary.min = chunk_bounds_.has_value ? MakeValue(field_.type, chunk_bounds_.min)
                                               : core::Value::Null(field_.type);
    out_.summary.max = chunk_bounds_.has_value ? MakeValue(field_.type, chunk_bounds_.max)
                                               : core::Value::Null(field_.type);
  }

  static format::PageEncodingStats MakeEncodingStats(format::PageType::type type,
                                                     format::Encoding::type encoding,
                                                     size_t count) {
    format::PageEncodingStats stats;
    stats.page_type = type;
    stats.encoding = encoding;
    stats.count = static_cast<int32_t>(count);
    return stats;
  }

  format::Statistics MakeStatistics() const {
    format::Statistics statistics;
    statistics.__set_null_count(static_cast<int64_t>(null_count_));
    if (!chunk_bounds_.has_value) return statistics;
    std::string min = StatisticsBytes(chunk_bounds_.min);
    std::string max = StatisticsBytes(chunk_bounds_.max);
    if (min.size() > kMaxStatisticsBytes || max.size() > kMaxStatisticsBytes) return statistics;
    statistics.__set_min_value(min);
    statistics.__set_max_value(max);
    // The deprecated min/max use signed order, which only numbers and booleans share with
    // the type-defined order.
    if (!kIsString) {
      statistics.__set_min(min);
      statistics.__set_max(max);
    }
    return statistics;
  }

  const core::Field& field_;
  const ColumnValues<T>& column_;
  const ColumnChunkOptions& options_;
  EncodedColumnChunk& out_;

  std::vector<T> dictionary_;      // entries in index order; empty when pages are PLAIN
  std::vector<uint32_t> indices_;  // dictionary index of each value
  std::vector<uint32_t> by_rank_;  // entry indices in sort order, NaNs last
  std::vector<uint32_t> ranks_;    // each entry's position in by_rank_
  uint32_t ordered_entries_ = 0;   // entries that are not NaN
  int bit_width_ = 0;
  std::string page_;        // the page being built, uncompressed
  std::string compressed_;  // the page being built, compressed
  std::vector<uint32_t> levels_;
  size_t data_pages_ = 0;
  size_t uncompressed_bytes_ = 0;
  size_t compressed_bytes_ = 0;
  size_t null_count_ = 0;
  MinMax<T> chunk_bounds_;
  MinMax<T> previous_page_;
  bool ascending_ = true;
  bool descending_ = true;
  bool page_index_possible_ = true;
};

template <typename T, typename Native>
EncodedColumnChunk Encode(const core::Field& field, std::span<const ColumnSlice> slices,
                          format::Type::type physical_type, const ColumnChunkOptions& options) {
  ColumnValues<T> column;
  GatherValues<T, Native>(slices, &column);
  EncodedColumnChunk chunk;
  ChunkEncoder<T>(field, column, physical_type, options, &chunk).Encode();
  return chunk;
}

}  // namespace

format::SchemaElement SchemaElementFor(const core::Field& field) {
  format::SchemaElement element;
  element.name = field.name;
  element.__set_repetition_type(format::FieldRepetitionType::OPTIONAL);
  format::LogicalType logical;
  switch (field.type) {
    case TypeId::kBoolean:
      element.__set_type(format::Type::BOOLEAN);
      break;
    case TypeId::kInteger:
      element.__set_type(format::Type::INT32);
      break;
    case TypeId::kBigint:
      element.__set_type(format::Type::INT64);
      break;
    case TypeId::kDouble:
      element.__set_type(format::Type::DOUBLE);
      break;
    case TypeId::kVarchar:
      element.__set_type(format::Type::BYTE_ARRAY);
      element.__set_converted_type(format::ConvertedType::UTF8);
      logical.__set_STRING(format::StringType());
      element.__set_logicalType(logical);
      break;
    case TypeId::kDate:
      element.__set_type(format::Type::INT32);
      element.__set_converted_type(format::ConvertedType::DATE);
      logical.__set_DATE(format::DateType());
      element.__set_logicalType(logical);
      break;
    case TypeId::kTimestamp: {
      element.__set_type(format::Type::INT64);
      element.__set_converted_type(format::ConvertedType::TIMESTAMP_MICROS);
      format::TimestampType timestamp;
      timestamp.isAdjustedToUTC = true;
      timestamp.unit.__set_MICROS(format::MicroSeconds());
      logical.__set_TIMESTAMP(timestamp);
      element.__set_logicalType(logical);
      break;
    }
  }
  return element;
}

EncodedColumnChunk EncodeColumnChunk(const core::Field& field, std::span<const ColumnSlice> slices,
                                     const ColumnChunkOptions& options) {
  switch (field.type) {
    case TypeId::kBoolean:
      return Encode<uint8_t, uint8_t>(field, slices, format::Type::BOOLEAN, options);
    case TypeId::kInteger:
    case TypeId::kDate:
      return Encode<int32_t, int32_t>(field, slices, format::Type::INT32, options);
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      return Encode<int64_t, int64_t>(field, slices, format::Type::INT64, options);
    case TypeId::kDouble:
      return Encode<double, double>(field, slices, format::Type::DOUBLE, options);
    case TypeId::kVarchar:
      return Encode<std::string_view, core::StringRef>(field, slices, format::Type::BYTE_ARRAY,
                                                       options);
  }
  Throw<InternalError>("column \"{}\" has an unknown type", field.name);
}

}  // namespace sluice::io::parquet
