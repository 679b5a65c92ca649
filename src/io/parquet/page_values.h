#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "base/error.h"
#include "core/string_heap.h"
#include "core/vector.h"
#include "io/parquet/page_reader.h"
#include "io/parquet/rle_decoder.h"
#include "io/parquet/value_decoder.h"

namespace sluice::io::parquet {

/// Returns a new dictionary number: 1, 2, ... in the order asked, from any thread.
inline uint64_t NextDictionaryId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

/// Holds the current data page of a column chunk with its values decoded to `Out`, the storage
/// type of the column's Sluice type: either the values themselves or dictionary indexes into
/// the chunk's dictionary, converted once when its page is read. Not thread-safe.
template <typename Out>
class PageValues {
 public:
  PageValues(const ColumnDescriptor& column, PageReader& pages) : column_(column), pages_(pages) {}
  PageValues(const PageValues&) = delete;
  PageValues& operator=(const PageValues&) = delete;

  /// Reads the next data page (and any dictionary page before it); false at the chunk's end.
  bool LoadNext() {
    while (pages_.Peek() != nullptr) {
      pages_.ReadPage(&page_);
      if (page_.dictionary) {
        LoadDictionary();
        continue;
      }
      DecodeValues();
      return true;
    }
    return false;
  }

  const Page& page() const { return page_; }
  bool dictionary_encoded() const { return dictionary_encoded_; }
  /// Returns the decoded values (when not dictionary-encoded).
  const Out* values() const { return values_.data(); }
  /// Writes the dictionary indexes of stored values [from, from + n) of the page to `out` (when
  /// dictionary-encoded). They are decoded as asked, a batch at a time, so that they are still
  /// in the cache when used: `from` never goes back to values an earlier call decoded or
  /// passed. Throws a DataError on a short page or an index beyond the dictionary.
  void ReadIndexes(size_t from, size_t n, uint32_t* out) {
    SLUICE_DCHECK(from >= decoded_ && from + n <= page_.stored_values);
    if (from > decoded_ && decoder_->Skip(from - decoded_) != from - decoded_) ShortPage();
    if (decoder_->Get(out, n) != n) ShortPage();
    decoded_ = from + n;
    // An OR of comparisons, as integers, vectorizes where a running maximum does not.
    auto entries = static_cast<uint32_t>(std::min<size_t>(dictionary_.size(), UINT32_MAX));
    uint32_t beyond = 0;
    for (size_t i = 0; i < n; ++i) beyond |= out[i] >= entries ? 1 : 0;
    if (beyond != 0) {
      Throw<DataError>("{}: dictionary index {} beyond the dictionary's {} entries", pages_.what(),
                       *std::max_element(out, out + n), dictionary_.size());
    }
  }
  const Out* dictionary() const { return dictionary_.data(); }
  /// Returns the number of the chunk's dictionary, unique in the process (0 before it is read).
  uint64_t dictionary_id() const { return dictionary_id_; }
  size_t dictionary_size() const { return dictionary_.size(); }
  /// Returns the dictionary's values as a vector of the column's type, made on first use.
  const std::shared_ptr<const core::Vector>& entries() {
    if (!entries_) {
      std::shared_ptr<core::Vector> entries =
          std::make_shared<core::Vector>(column_.type, std::max<size_t>(dictionary_.size(), 1));
      std::copy(dictionary_.begin(), dictionary_.end(), entries->data<Out>());
      if (dictionary_heap_) entries->heap().KeepAlive(dictionary_heap_);
      entries->set_size(dictionary_.size());
      entries_ = std::move(entries);
    }
    return entries_;
  }
  /// Returns stored value `i` of the page. Dictionary indexes are decoded a window at a time
  /// from `i` on: `i` only goes forward, and calls are not mixed with ReadIndexes().
  Out Get(size_t i) {
    if (!dictionary_encoded_) return values_[i];
    if (i < window_start_ || i >= window_start_ + window_.size()) {
      window_.resize(std::min(kWindow, page_.stored_values - i));
      ReadIndexes(i, window_.size(), window_.data());
      window_start_ = i;
    }
    return dictionary_[window_[i - window_start_]];
  }
  /// Returns the heap that the current values' string bytes live in.
  const std::shared_ptr<core::StringHeap>& heap() const {
    return dictionary_encoded_ ? dictionary_heap_ : page_.heap;
  }

 private:
  void LoadDictionary() {
    if (page_.encoding != format::Encoding::PLAIN &&
        page_.encoding != format::Encoding::PLAIN_DICTIONARY) {
      Throw<DataError>("{}: dictionary page in encoding {}", pages_.what(),
                       EncodingName(page_.encoding));
    }
    PhysicalValues physical;
    DecodePhysical(column_, format::Encoding::PLAIN, page_.values, page_.values_size,
                   page_.stored_values, page_.heap.get(), &physical, pages_.what());
    ConvertValues(column_, physical, page_.heap.get(), &dictionary_, pages_.what());
    dictionary_heap_ = page_.heap;
    has_dictionary_ = true;
    dictionary_id_ = NextDictionaryId();
    entries_.reset();
  }

  void DecodeValues() {
    format::Encoding::type encoding = page_.encoding;
    dictionary_encoded_ = encoding == format::Encoding::PLAIN_DICTIONARY ||
                          encoding == format::Encoding::RLE_DICTIONARY;
    if (dictionary_encoded_) return DecodeIndexes();
    DecodePhysical(column_, encoding, page_.values, page_.values_size, page_.stored_values,
                   page_.heap.get(), &physical_, pages_.what());
    ConvertValues(column_, physical_, page_.heap.get(), &values_, pages_.what());
    if (values_.size() != page_.stored_values) {
      Throw<DataError>("{}: page decodes to {} values, expected {}", pages_.what(), values_.size(),
                       page_.stored_values);
    }
  }

  void DecodeIndexes() {
    if (!has_dictionary_)
      Throw<DataError>("{}: dictionary-encoded page without a dictionary", pages_.what());
    decoded_ = 0;
    window_.clear();
    window_start_ = 0;
    decoder_.reset();
    if (page_.stored_values == 0) return;
    if (page_.values_size < 1 || page_.values[0] > 32) {
      Throw<DataError>("{}: invalid dictionary index width", pages_.what());
    }
    decoder_.emplace(page_.values + 1, page_.values_size - 1, page_.values[0]);
  }

  [[noreturn]] void ShortPage() const {
    Throw<DataError>("{}: page has fewer dictionary indexes than its {} values", pages_.what(),
                     page_.stored_values);
  }

  static constexpr size_t kWindow = 1024;  // indexes Get() decodes at once

  const ColumnDescriptor& column_;
  PageReader& pages_;
  Page page_;
  PhysicalValues physical_;
  std::vector<Out> values_;
  std::optional<RleDecoder> decoder_;  // the page's dictionary indexes
  size_t decoded_ = 0;                 // indexes decoded or passed
  std::vector<uint32_t> window_;       // Get(): indexes from window_start_ on
  size_t window_start_ = 0;
  std::vector<Out> dictionary_;
  std::shared_ptr<const core::Vector> entries_;  // entries(), made on first use
  std::shared_ptr<core::StringHeap> dictionary_heap_;
  bool has_dictionary_ = false;
  bool dictionary_encoded_ = false;
  uint64_t dictionary_id_ = 0;
};

}  // namespace sluice::io::parquet
