#include "io/parquet/list_column_reader.h"

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/json_text.h"
#include "core/value.h"
#include "io/parquet/page_values.h"

namespace sluice::io::parquet {
namespace {

core::Value ValueOf(core::TypeId type, uint8_t value) {
  (void)type;
  return core::Value::Boolean(value != 0);
}
core::Value ValueOf(core::TypeId type, int32_t value) {
  return type == core::TypeId::kDate ? core::Value::Date(value) : core::Value::Integer(value);
}
core::Value ValueOf(core::TypeId type, int64_t value) {
  return type == core::TypeId::kTimestamp ? core::Value::Timestamp(value)
                                          : core::Value::Bigint(value);
}
core::Value ValueOf(core::TypeId, double value) { return core::Value::Double(value); }
core::Value ValueOf(core::TypeId, core::StringRef value) {
  return core::Value::Varchar(std::string(value.view()));
}

/// Decodes a list column's chunk into one JSON text (or NULL) per row.
template <typename Out>
class ListColumnReader final : public ColumnReader {
 public:
  ListColumnReader(const ColumnDescriptor& column, ChunkSource source)
      : column_(column), pages_(column, std::move(source)), values_(column, pages_) {}

  void Read(size_t rows, core::Vector& out, size_t offset, DictionaryCodes* codes) override {
    if (codes != nullptr) *codes = {};
    DecodeAll();
    CheckRows(rows);
    for (size_t i = 0; i < rows; ++i, ++next_) {
      if (rows_[next_]) {
        out.SetString(offset + i, *rows_[next_]);
      } else {
        out.data<core::StringRef>()[offset + i] = core::StringRef();
        out.SetNull(offset + i);
      }
    }
  }

  void Skip(size_t rows) override {
    DecodeAll();
    CheckRows(rows);
    next_ += rows;
  }

 private:
  void CheckRows(size_t rows) {
    if (rows > rows_.size() - next_) {
      Throw<DataError>("{}: the column chunk ends before the row group's last row", pages_.what());
    }
  }

  void DecodeAll() {
    if (decoded_) return;
    decoded_ = true;
    std::optional<std::string> row;
    while (values_.LoadNext()) {
      const Page& page = values_.page();
      if (page.repetitions.size() != static_cast<size_t>(page.num_values)) {
        Throw<DataError>("{}: list page without repetition levels", pages_.what());
      }
      size_t value = 0;
      for (size_t i = 0; i < page.repetitions.size(); ++i) {
        if (page.repetitions[i] == 0) Finish(row);
        uint8_t definition =
            page.definitions.empty() ? column_.max_definition : page.definitions[i];
        AddLevel(definition, page.repetitions[i], value, row);
      }
    }
    Finish(row);
  }

  void AddLevel(uint8_t definition, uint8_t repetition, size_t& value,
                std::optional<std::string>& row) {
    if (repetition == 0) {
      if (definition < column_.list_defined) return;  // a NULL list
      row = "[";
      if (definition == column_.list_defined) return;  // an empty list
    } else if (!row) {
      Throw<DataError>("{}: list element without a list", pages_.what());
    }
    if (row->size() > 1) *row += ',';
    if (definition < column_.max_definition) {
      *row += "null";
      return;
    }
    core::Value element = ValueOf(column_.type, values_.Get(value++));
    if (core::IsNumeric(column_.type) || column_.type == core::TypeId::kBoolean) {
      *row += element.ToString();
    } else {
      AppendJsonString(*row, element.ToString());
    }
  }

  void Finish(std::optional<std::string>& row) {
    if (!started_) {
      started_ = true;
      return;
    }
    if (row) *row += ']';
    rows_.push_back(std::move(row));
    row.reset();
  }

  const ColumnDescriptor& column_;
  PageReader pages_;
  PageValues<Out> values_;
  bool decoded_ = false;
  bool started_ = false;
  std::vector<std::optional<std::string>> rows_;
  size_t next_ = 0;
};

template <typename Out>
std::unique_ptr<ColumnReader> MakeList(const ColumnDescriptor& column, ChunkSource source) {
  return std::make_unique<ListColumnReader<Out>>(column, std::move(source));
}

}  // namespace

std::unique_ptr<ColumnReader> MakeListColumnReader(const ColumnDescriptor& column,
                                                   ChunkSource source) {
  switch (column.type) {
    case core::TypeId::kBoolean:
      return MakeList<uint8_t>(column, std::move(source));
    case core::TypeId::kInteger:
    case core::TypeId::kDate:
      return MakeList<int32_t>(column, std::move(source));
    case core::TypeId::kBigint:
    case core::TypeId::kTimestamp:
      return MakeList<int64_t>(column, std::move(source));
    case core::TypeId::kDouble:
      return MakeList<double>(column, std::move(source));
    case core::TypeId::kVarchar:
      return MakeList<core::StringRef>(column, std::move(source));
  }
  Throw<DataError>("{}: column '{}' has an unknown type", source.what, column.name);
}

}  // namespace sluice::io::parquet
