#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/string_heap.h"
#include "io/parquet/format/parquet_types.h"
#include "io/parquet/parquet_schema.h"

namespace sluice::io::parquet {

/// Is one page of a column chunk, decompressed, with its levels decoded.
struct Page {
  bool dictionary = false;
  int32_t num_values = 0;  // levels in a data page (rows of a flat column); entries of a dictionary
  format::Encoding::type encoding = format::Encoding::PLAIN;
  std::vector<uint8_t> definitions;  // one per level; empty when the column has no NULLs
  std::vector<uint8_t> repetitions;  // one per level; empty for flat columns
  size_t stored_values = 0;          // values in the values section (levels at the maximum)
  const uint8_t* values = nullptr;   // the values section
  size_t values_size = 0;
  /// Owns the decompressed bytes of pages with text values, which point into it, so vectors keep
  /// it alive; for other pages, a heap that conversions may use, and the bytes are the reader's.
  std::shared_ptr<core::StringHeap> heap;
};

/// Holds pages of one column chunk, decompressed once for the readers of several parts of its
/// row group (see ChunkSource): the first reader to ask for a page decompresses it, the others
/// wait for it and read the same bytes. Thread-safe.
class SharedPages {
 public:
  /// Is a page's bytes, and what owns them.
  struct Bytes {
    std::shared_ptr<core::StringHeap> owner;
    const uint8_t* data = nullptr;
  };
  /// Returns the `size` bytes of the page at `offset` in the chunk, written by `fill` when no
  /// reader asked for them before. Throws what `fill` threw, to every reader that asks.
  Bytes Get(size_t offset, size_t size, const std::function<void(uint8_t*)>& fill);

 private:
  std::mutex mutex_;
  std::map<size_t, std::shared_future<Bytes>> pages_;
};

/// Is one column chunk held in memory (a mapped file, which must outlive its readers).
struct ChunkSource {
  const uint8_t* data = nullptr;
  size_t size = 0;
  format::CompressionCodec::type codec = format::CompressionCodec::UNCOMPRESSED;
  /// Prefixes every error ("'f.parquet' row group 3 column 'a'").
  std::string what;
  /// When the chunk is read in parts by several readers: the pages they share, which are the
  /// dictionary and the page each part starts in. Null when one reader reads the chunk.
  std::shared_ptr<SharedPages> shared;
};

/// Reads the pages of one column chunk. Every failure is a DataError that starts with the
/// source's `what`. Not thread-safe.
class PageReader {
 public:
  PageReader(const ColumnDescriptor& column, ChunkSource source);

  /// Returns the header of the next page, or nullptr at the end of the chunk. Index pages are
  /// passed over.
  const format::PageHeader* Peek();
  /// Moves past the page Peek() returned without decompressing it.
  void SkipPage();
  /// Decompresses the page Peek() returned into `page` and moves past it.
  void ReadPage(Page* page);
  /// Returns the prefix of every error message.
  const std::string& what() const { return what_; }

 private:
  void ReadLevelsV1(Page* page, const uint8_t** cursor, const uint8_t* end);
  void ReadLevelsV2(Page* page, const format::DataPageHeaderV2& header, const uint8_t* data,
                    size_t size);
  void DecodeLevels(const uint8_t* data, size_t size, int16_t max_level, int32_t count,
                    std::vector<uint8_t>* out);
  void CountStored(Page* page);
  void CheckHeader() const;
  void Fill(const uint8_t* body, uint8_t* bytes, size_t size) const;
  const uint8_t* PageBytes(const uint8_t* body, size_t size, Page* page);

  const ColumnDescriptor& column_;
  const uint8_t* chunk_;
  const uint8_t* data_;
  const uint8_t* end_;
  format::CompressionCodec::type codec_;
  std::string what_;
  format::PageHeader header_;
  bool peeked_ = false;
  size_t body_size_ = 0;
  // The bytes of pages without text values: written whole by decompression, never zeroed.
  std::unique_ptr<uint8_t[]> buffer_;
  size_t buffer_size_ = 0;
  std::shared_ptr<SharedPages> shared_;
  std::shared_ptr<core::StringHeap> shared_page_;  // owns the current page's bytes when shared
  bool read_data_page_ = false;                    // a data page was read
};

/// Returns the number of bits needed for levels up to `max_level`.
int BitWidth(uint64_t max_level);

}  // namespace sluice::io::parquet
