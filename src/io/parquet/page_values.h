#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/error.h"
#include "core/string_heap.h"
#include "io/parquet/page_reader.h"
#include "io/parquet/rle_decoder.h"
#include "io/parquet/value_decoder.h"

namespace sluice::io::parquet {

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
  /// Returns the dictionary indexes of the stored values (when dictionary-encoded).
  const uint32_t* indexes() const { return indexes_.data(); }
  const Out* dictionary() const { return dictionary_.data(); }
  /// Returns stored value `i` of the page.
  Out Get(size_t i) const { return dictionary_encoded_ ? dictionary_[indexes_[i]] : values_[i]; }
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
    size_t count = page_.stored_values;
    indexes_.resize(count);
    if (count == 0) return;
    if (page_.values_size < 1 || page_.values[0] > 32) {
      Throw<DataError>("{}: invalid dictionary index width", pages_.what());
    }
    RleDecoder decoder(page_.values + 1, page_.values_size - 1, page_.values[0]);
    if (decoder.Get(indexes_.data(), count) != count) {
      Throw<DataError>("{}: page has fewer dictionary indexes than its {} values", pages_.what(),
                       count);
    }
    // An OR of comparisons vectorizes where a running maximum does not.
    auto entries = static_cast<uint32_t>(std::min<size_t>(dictionary_.size(), UINT32_MAX));
    bool beyond = false;
    for (uint32_t index : indexes_) beyond |= index >= entries;
    if (beyond) {
      Throw<DataError>("{}: dictionary index {} beyond the dictionary's {} entries", pages_.what(),
                       *std::max_element(indexes_.begin(), indexes_.end()), dictionary_.size());
    }
  }

  const ColumnDescriptor& column_;
  PageReader& pages_;
  Page page_;
  PhysicalValues physical_;
  std::vector<Out> values_;
  std::vector<uint32_t> indexes_;
  std::vector<Out> dictionary_;
  std::shared_ptr<core::StringHeap> dictionary_heap_;
  bool has_dictionary_ = false;
  bool dictionary_encoded_ = false;
};

}  // namespace sluice::io::parquet
