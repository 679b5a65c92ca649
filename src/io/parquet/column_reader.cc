#include "io/parquet/column_reader.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "base/error.h"
#include "io/parquet/list_column_reader.h"
#include "io/parquet/page_values.h"

namespace sluice::io::parquet {
namespace {

/// Reads a required or optional column of primitives: one level per row.
template <typename Out>
class FlatColumnReader final : public ColumnReader {
 public:
  FlatColumnReader(const ColumnDescriptor& column, ChunkSource source)
      : column_(column), pages_(column, std::move(source)), values_(column, pages_) {}

  void Read(size_t rows, core::Vector& out, size_t offset, DictionaryCodes* codes) override {
    SLUICE_DCHECK(codes == nullptr || offset == 0);
    Out* data = out.data<Out>();
    bool coded = codes != nullptr;
    bool leave_out = coded && codes->values_left_out;
    // The rows' codes when asked, written as the values are read.
    std::shared_ptr<uint32_t[]> row_codes;
    if (coded) row_codes = std::make_shared_for_overwrite<uint32_t[]>(rows);
    while (rows > 0) {
      if (row_ == rows_in_page_) NextPage();
      size_t n = std::min(rows, rows_in_page_ - row_);
      if constexpr (std::is_same_v<Out, core::StringRef>) out.heap().KeepAlive(values_.heap());
      coded = coded && values_.dictionary_encoded();
      if (leave_out && !coded) {
        // A page without the dictionary: the rows before it get their values after all.
        const Out* dictionary = values_.dictionary();
        if (values_.dictionary_size() > 0) {
          for (size_t i = 0; i < offset; ++i) data[i] = dictionary[row_codes[i]];
        }
        leave_out = false;
      }
      uint32_t* code_out = coded ? row_codes.get() + offset : nullptr;
      const Page& page = values_.page();
      if (page.definitions.empty() || page.stored_values == static_cast<size_t>(page.num_values)) {
        CopyValues(leave_out ? nullptr : data + offset, n, code_out);
      } else {
        CopyWithNulls(out, offset, n, code_out, !leave_out);
      }
      row_ += n;
      offset += n;
      rows -= n;
    }
    if (codes == nullptr) return;
    if (!coded) {
      *codes = {};
      return;
    }
    codes->values_left_out = leave_out;
    codes->dictionary = values_.dictionary_id();
    codes->entries = values_.entries();
    codes->codes = row_codes.get();
    codes->keep = std::move(row_codes);
  }

  void Skip(size_t rows) override {
    while (rows > 0) {
      if (row_ == rows_in_page_) {
        if (SkipWholePage(&rows)) continue;
        NextPage();
      }
      size_t n = std::min(rows, rows_in_page_ - row_);
      const std::vector<uint8_t>& levels = values_.page().definitions;
      if (levels.empty()) {
        value_ += n;
      } else {
        auto max = static_cast<uint8_t>(column_.max_definition);
        value_ +=
            static_cast<size_t>(std::count(levels.begin() + row_, levels.begin() + row_ + n, max));
      }
      row_ += n;
      rows -= n;
    }
  }

 private:
  void NextPage() {
    if (!values_.LoadNext()) {
      Throw<DataError>("{}: the column chunk ends before the row group's last row", pages_.what());
    }
    rows_in_page_ = static_cast<size_t>(values_.page().num_values);
    row_ = 0;
    value_ = 0;
  }

  // Passes over the next page unread when all its rows are to be skipped.
  bool SkipWholePage(size_t* rows) {
    const format::PageHeader* header = pages_.Peek();
    if (header == nullptr) return false;
    int64_t page_rows = -1;
    if (header->type == format::PageType::DATA_PAGE && header->__isset.data_page_header) {
      page_rows = header->data_page_header.num_values;
    } else if (header->type == format::PageType::DATA_PAGE_V2 &&
               header->__isset.data_page_header_v2) {
      page_rows = header->data_page_header_v2.num_values;
    }
    if (page_rows < 0 || static_cast<uint64_t>(page_rows) > *rows) return false;
    pages_.SkipPage();
    *rows -= static_cast<size_t>(page_rows);
    return true;
  }

  // Copies the next `n` stored values, every row valid; when they are dictionary indexes,
  // writes them to `codes` too (when not null), and to `out` only when it is not null.
  void CopyValues(Out* out, size_t n, uint32_t* codes) {
    if (values_.dictionary_encoded()) {
      uint32_t* indexes = codes != nullptr ? codes : Scratch(n);
      values_.ReadIndexes(value_, n, indexes);
      const Out* dictionary = values_.dictionary();
      if (out != nullptr) {
        for (size_t i = 0; i < n; ++i) out[i] = dictionary[indexes[i]];
      }
    } else {
      std::memcpy(static_cast<void*>(out), values_.values() + value_, n * sizeof(Out));
    }
    value_ += n;
  }

  // Copies `n` rows whose definition levels say which are NULL; writes the rows' dictionary
  // indexes to `codes` too when not null (0 for NULLs), and the values only with `fill`.
  void CopyWithNulls(core::Vector& out, size_t offset, size_t n, uint32_t* codes, bool fill) {
    Out* data = out.data<Out>() + offset;
    const uint8_t* levels = values_.page().definitions.data() + row_;
    auto max = static_cast<uint8_t>(column_.max_definition);
    const Out* values = values_.dictionary_encoded() ? nullptr : values_.values() + value_;
    const uint32_t* indexes = nullptr;
    const Out* dictionary = values_.dictionary();
    if (values_.dictionary_encoded()) {
      auto stored = static_cast<size_t>(std::count(levels, levels + n, max));
      uint32_t* decoded = Scratch(stored);
      values_.ReadIndexes(value_, stored, decoded);
      indexes = decoded;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; ++i) {
      if (levels[i] == max) {
        if (indexes != nullptr) {
          if (fill) data[i] = dictionary[indexes[j]];
          if (codes != nullptr) codes[i] = indexes[j];
        } else {
          data[i] = values[j];
        }
        ++j;
      } else {
        data[i] = Out{};
        if (codes != nullptr) codes[i] = 0;
        out.SetNull(offset + i);
      }
    }
    value_ += j;
  }

  uint32_t* Scratch(size_t n) {
    if (scratch_.size() < n) scratch_.resize(n);
    return scratch_.data();
  }

  const ColumnDescriptor& column_;
  PageReader pages_;
  PageValues<Out> values_;
  size_t rows_in_page_ = 0;
  size_t row_ = 0;                 // next row of the page
  size_t value_ = 0;               // next stored value of the page
  std::vector<uint32_t> scratch_;  // dictionary indexes being read
};

/// Stands for a field Sluice cannot read: fails when read, so that it may be left unprojected.
class UnsupportedColumnReader final : public ColumnReader {
 public:
  UnsupportedColumnReader(const ColumnDescriptor& column, std::string what)
      : column_(column), what_(std::move(what)) {}
  void Read(size_t, core::Vector&, size_t, DictionaryCodes*) override { Fail(); }
  void Skip(size_t) override { Fail(); }

 private:
  [[noreturn]] void Fail() {
    Throw<DataError>(
        "{}: column '{}' cannot be read because {} (Sluice reads flat columns and lists of "
        "primitives); leave it out of the query",
        what_, column_.name, column_.unsupported);
  }
  const ColumnDescriptor& column_;
  std::string what_;
};

template <typename Out>
std::unique_ptr<ColumnReader> MakeFlat(const ColumnDescriptor& column, ChunkSource source) {
  return std::make_unique<FlatColumnReader<Out>>(column, std::move(source));
}

}  // namespace

std::unique_ptr<ColumnReader> MakeColumnReader(const ColumnDescriptor& column, ChunkSource source) {
  if (column.shape == Shape::kUnsupported) {
    return std::make_unique<UnsupportedColumnReader>(column, std::move(source.what));
  }
  if (column.shape == Shape::kList) {
    return MakeListColumnReader(column, std::move(source));
  }
  switch (column.type) {
    case core::TypeId::kBoolean:
      return MakeFlat<uint8_t>(column, std::move(source));
    case core::TypeId::kInteger:
    case core::TypeId::kDate:
      return MakeFlat<int32_t>(column, std::move(source));
    case core::TypeId::kBigint:
    case core::TypeId::kTimestamp:
      return MakeFlat<int64_t>(column, std::move(source));
    case core::TypeId::kDouble:
      return MakeFlat<double>(column, std::move(source));
    case core::TypeId::kVarchar:
      return MakeFlat<core::StringRef>(column, std::move(source));
  }
  Throw<DataError>("{}: column '{}' has an unknown type", source.what, column.name);
}

}  // namespace sluice::io::parquet
