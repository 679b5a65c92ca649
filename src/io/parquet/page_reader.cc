#include "io/parquet/page_reader.h"

#include <bit>
#include <cstring>
#include <optional>

#include "base/error.h"
#include "io/parquet/compression.h"
#include "io/parquet/rle_decoder.h"
#include "io/parquet/thrift_codec.h"

namespace sluice::io::parquet {
namespace {

using format::PageType;

// Bounds page sizes so that a corrupt header never causes a huge allocation.
constexpr int64_t kMaxPageBytes = int64_t{1} << 30;
constexpr int32_t kMaxPageValues = int32_t{1} << 26;

uint32_t ReadLength(const uint8_t** cursor, const uint8_t* end, const std::string& what) {
  if (end - *cursor < 4) Throw<DataError>("{}: truncated level data", what);
  uint32_t length = 0;
  std::memcpy(&length, *cursor, 4);
  *cursor += 4;
  if (length > static_cast<size_t>(end - *cursor)) {
    Throw<DataError>("{}: level data of {} bytes overruns the page", what, length);
  }
  return length;
}

// Returns whether levels start with one RLE run of at least `count` values equal to `level`.
bool IsOneRun(const uint8_t* data, size_t size, int width, int16_t level, int32_t count) {
  const uint8_t* cursor = data;
  uint64_t header = 0;
  if (!ReadUleb(&cursor, data + size, &header) || (header & 1) != 0 ||
      (header >> 1) < static_cast<uint64_t>(count)) {
    return false;
  }
  size_t bytes = (static_cast<size_t>(width) + 7) / 8;
  if (static_cast<size_t>(data + size - cursor) < bytes) return false;
  return LoadWord(cursor, bytes) == static_cast<uint64_t>(level);
}

}  // namespace

int BitWidth(uint64_t max_level) { return max_level == 0 ? 0 : std::bit_width(max_level); }

SharedPages::Bytes SharedPages::Get(size_t offset, size_t size,
                                    const std::function<void(uint8_t*)>& fill) {
  std::optional<std::promise<Bytes>> promise;  // set when this call fills the page
  std::shared_future<Bytes> page;
  {
    std::lock_guard lock(mutex_);
    std::shared_future<Bytes>& slot = pages_[offset];
    if (!slot.valid()) {
      promise.emplace();
      slot = promise->get_future().share();
    }
    page = slot;
  }
  if (promise) {
    try {
      auto owner = std::make_shared<core::StringHeap>();
      auto* data = reinterpret_cast<uint8_t*>(owner->Allocate(size));
      fill(data);
      promise->set_value({std::move(owner), data});
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  }
  return page.get();
}

PageReader::PageReader(const ColumnDescriptor& column, ChunkSource source)
    : column_(column),
      chunk_(source.data),
      data_(source.data),
      end_(source.data + source.size),
      codec_(source.codec),
      what_(std::move(source.what)),
      shared_(std::move(source.shared)) {}

const format::PageHeader* PageReader::Peek() {
  while (!peeked_) {
    if (data_ >= end_) return nullptr;
    header_ = format::PageHeader();
    size_t used =
        DecodeThrift(data_, static_cast<size_t>(end_ - data_), &header_, what_ + " page header");
    if (header_.compressed_page_size < 0 || header_.uncompressed_page_size < 0 ||
        header_.compressed_page_size > end_ - data_ - static_cast<ptrdiff_t>(used) ||
        header_.uncompressed_page_size > kMaxPageBytes) {
      Throw<DataError>("{}: page of {} bytes ({} uncompressed) overruns the column chunk", what_,
                       header_.compressed_page_size, header_.uncompressed_page_size);
    }
    data_ += used;
    body_size_ = static_cast<size_t>(header_.compressed_page_size);
    peeked_ = true;
    if (header_.type == PageType::INDEX_PAGE) SkipPage();
  }
  return &header_;
}

void PageReader::SkipPage() {
  data_ += body_size_;
  peeked_ = false;
}

void PageReader::ReadPage(Page* page) {
  const uint8_t* body = data_;
  SkipPage();
  CheckHeader();
  page->definitions.clear();
  page->repetitions.clear();
  size_t size = static_cast<size_t>(header_.uncompressed_page_size);
  const uint8_t* bytes = PageBytes(body, size, page);
  if (header_.type == PageType::DICTIONARY_PAGE) {
    page->dictionary = true;
    page->num_values = header_.dictionary_page_header.num_values;
    page->stored_values = static_cast<size_t>(page->num_values);
    page->encoding = header_.dictionary_page_header.encoding;
    page->values = bytes;
    page->values_size = size;
    return;
  }
  page->dictionary = false;
  if (header_.type == PageType::DATA_PAGE) {
    const auto& v1 = header_.data_page_header;
    page->num_values = v1.num_values;
    page->encoding = v1.encoding;
    const uint8_t* cursor = bytes;
    ReadLevelsV1(page, &cursor, bytes + size);
    page->values = cursor;
    page->values_size = static_cast<size_t>(bytes + size - cursor);
  } else {
    const auto& v2 = header_.data_page_header_v2;
    auto levels =
        static_cast<size_t>(v2.definition_levels_byte_length + v2.repetition_levels_byte_length);
    page->num_values = v2.num_values;
    page->encoding = v2.encoding;
    ReadLevelsV2(page, v2, bytes, levels);
    page->values = bytes + levels;
    page->values_size = size - levels;
  }
  CountStored(page);
}

// Throws unless the page header Peek() returned is a valid dictionary or data page header.
void PageReader::CheckHeader() const {
  if (header_.type == PageType::DICTIONARY_PAGE) {
    if (!header_.__isset.dictionary_page_header || header_.dictionary_page_header.num_values < 0) {
      Throw<DataError>("{}: dictionary page without a valid header", what_);
    }
  } else if (header_.type == PageType::DATA_PAGE && header_.__isset.data_page_header) {
    if (header_.data_page_header.num_values < 0) {
      Throw<DataError>("{}: negative value count", what_);
    }
  } else if (header_.type == PageType::DATA_PAGE_V2 && header_.__isset.data_page_header_v2) {
    const auto& v2 = header_.data_page_header_v2;
    int64_t levels = int64_t{v2.definition_levels_byte_length} + v2.repetition_levels_byte_length;
    if (v2.num_values < 0 || v2.definition_levels_byte_length < 0 ||
        v2.repetition_levels_byte_length < 0 || levels > static_cast<int64_t>(body_size_) ||
        levels > header_.uncompressed_page_size) {
      Throw<DataError>("{}: invalid DATA_PAGE_V2 header", what_);
    }
  } else {
    Throw<DataError>("{}: unknown page type {}", what_, static_cast<int>(header_.type));
  }
}

// Writes the page whose (checked) header Peek() returned, uncompressed, to the `size` bytes at
// `bytes`: a DATA_PAGE_V2's levels as they are, and the rest decompressed.
void PageReader::Fill(const uint8_t* body, uint8_t* bytes, size_t size) const {
  if (header_.type != PageType::DATA_PAGE_V2) {
    Decompress(codec_, body, body_size_, bytes, size, what_);
    return;
  }
  const auto& v2 = header_.data_page_header_v2;
  auto levels =
      static_cast<size_t>(v2.definition_levels_byte_length + v2.repetition_levels_byte_length);
  std::memcpy(bytes, body, levels);
  bool compressed = !v2.__isset.is_compressed || v2.is_compressed;
  Decompress(compressed ? codec_ : format::CompressionCodec::UNCOMPRESSED, body + levels,
             body_size_ - levels, bytes + levels, size - levels, what_);
}

// Returns the uncompressed bytes of the page at `body`, and sets the page's heap. Text values
// point into the page, so each such page gets a heap that vectors keep alive; other pages reuse
// one buffer and one heap (for conversions). The dictionary and the first data page come from
// the shared pages, when there are.
const uint8_t* PageReader::PageBytes(const uint8_t* body, size_t size, Page* page) {
  bool text = column_.type == core::TypeId::kVarchar;
  if (text || page->heap == nullptr) page->heap = std::make_shared<core::StringHeap>();
  bool dictionary = header_.type == PageType::DICTIONARY_PAGE;
  bool first = !dictionary && !read_data_page_;
  read_data_page_ = read_data_page_ || !dictionary;
  if (shared_ != nullptr && (dictionary || first)) {
    SharedPages::Bytes shared = shared_->Get(static_cast<size_t>(body - chunk_), size + 8,
                                             [&](uint8_t* bytes) { Fill(body, bytes, size); });
    if (text) page->heap->KeepAlive(shared.owner);
    shared_page_ = std::move(shared.owner);
    return shared.data;
  }
  shared_page_.reset();
  uint8_t* bytes = nullptr;
  if (text) {
    bytes = reinterpret_cast<uint8_t*>(page->heap->Allocate(size + 8));
  } else {
    if (buffer_size_ < size + 8) {
      buffer_size_ = size + 8;
      buffer_ = std::make_unique_for_overwrite<uint8_t[]>(buffer_size_);
    }
    bytes = buffer_.get();
  }
  Fill(body, bytes, size);
  return bytes;
}

void PageReader::ReadLevelsV1(Page* page, const uint8_t** cursor, const uint8_t* end) {
  const auto& v1 = header_.data_page_header;
  if (column_.max_repetition > 0) {
    if (v1.repetition_level_encoding != format::Encoding::RLE) {
      Throw<DataError>("{}: repetition levels in an unsupported encoding", what_);
    }
    uint32_t length = ReadLength(cursor, end, what_);
    DecodeLevels(*cursor, length, column_.max_repetition, page->num_values, &page->repetitions);
    *cursor += length;
  }
  if (column_.max_definition > 0) {
    if (v1.definition_level_encoding != format::Encoding::RLE) {
      Throw<DataError>("{}: definition levels in an unsupported encoding", what_);
    }
    uint32_t length = ReadLength(cursor, end, what_);
    DecodeLevels(*cursor, length, column_.max_definition, page->num_values, &page->definitions);
    *cursor += length;
  }
}

void PageReader::ReadLevelsV2(Page* page, const format::DataPageHeaderV2& header,
                              const uint8_t* data, size_t size) {
  size_t repetition = static_cast<size_t>(header.repetition_levels_byte_length);
  if (column_.max_repetition > 0) {
    DecodeLevels(data, repetition, column_.max_repetition, page->num_values, &page->repetitions);
  }
  if (column_.max_definition > 0) {
    DecodeLevels(data + repetition, size - repetition, column_.max_definition, page->num_values,
                 &page->definitions);
  }
}

void PageReader::DecodeLevels(const uint8_t* data, size_t size, int16_t max_level, int32_t count,
                              std::vector<uint8_t>* out) {
  // Bounds what a corrupt header can make us allocate; real pages hold far fewer values.
  if (count > kMaxPageValues) {
    Throw<DataError>("{}: a page of {} values is beyond what Sluice reads", what_, count);
  }
  // A flat column's page without NULLs often holds one run of the maximum level: then no
  // levels are kept at all, which the readers take as "every value present".
  int width = BitWidth(static_cast<uint64_t>(max_level));
  if (column_.max_repetition == 0 && IsOneRun(data, size, width, max_level, count)) {
    out->clear();
    return;
  }
  out->resize(static_cast<size_t>(count));
  RleDecoder decoder(data, size, width);
  if (decoder.Get(out->data(), out->size()) != out->size()) {
    Throw<DataError>("{}: page has fewer levels than its {} values", what_, count);
  }
  for (uint8_t level : *out) {
    if (level > max_level) Throw<DataError>("{}: level {} exceeds {}", what_, level, max_level);
  }
}

void PageReader::CountStored(Page* page) {
  if (page->definitions.empty()) {
    page->stored_values = static_cast<size_t>(page->num_values);
    return;
  }
  size_t stored = 0;
  auto max = static_cast<uint8_t>(column_.max_definition);
  for (uint8_t level : page->definitions) stored += level == max;
  page->stored_values = stored;
}

}  // namespace sluice::io::parquet
