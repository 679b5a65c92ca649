#include "io/csv/csv_converter.h"

#include <cstring>

#include <fmt/format.h>

#include "core/datetime.h"

namespace sluice::io::csv {
namespace {

constexpr size_t kShownValueBytes = 80;

bool IsAscii(std::string_view text) {
  unsigned char bits = 0;
  for (char c : text) bits |= static_cast<unsigned char>(c);
  return bits < 0x80;
}

bool ParseInteger(std::string_view text, int32_t* value) {
  int64_t wide;
  if (!ParseBigint(text, &wide) || wide < INT32_MIN || wide > INT32_MAX) return false;
  *value = static_cast<int32_t>(wide);
  return true;
}

bool ParseDateValue(std::string_view text, int32_t* value) {
  auto days = core::ParseDate(text);
  if (!days) return false;
  *value = *days;
  return true;
}

bool ParseTimestampValue(std::string_view text, int64_t* value) {
  auto micros = core::ParseTimestamp(text);
  if (!micros) return false;
  *value = *micros;
  return true;
}

}  // namespace

CsvConverter::CsvConverter(const CsvDialect& dialect, const NullMatcher& nulls,
                           bool collect_rejects, std::vector<ColumnPlan> plans,
                           core::SchemaPtr schema)
    : dialect_(dialect),
      nulls_(nulls),
      collect_rejects_(collect_rejects),
      plans_(std::move(plans)),
      schema_(std::move(schema)) {}

std::string_view CsvConverter::Unquoted(std::string_view raw) {
  if (raw.empty() || raw[0] != dialect_.quote) return raw;
  Unquote(raw, dialect_.quote, dialect_.escape, &scratch_);
  return scratch_;
}

void CsvConverter::Misfit(const FieldTable& table, size_t row, size_t column, std::string_view text,
                          std::string_view problem, ConvertIssues* issues) {
  const ColumnPlan& plan = plans_[column];
  auto message = [&] {
    std::string_view shown = text.substr(0, kShownValueBytes);
    return fmt::format("{} in column '{}' ({}): '{}'{}", problem, schema_->field(column).name,
                       core::TypeName(plan.type), shown, shown.size() < text.size() ? "..." : "");
  };
  if (plan.may_widen && plan.type != core::TypeId::kVarchar) {
    uint8_t fits = FitMask(text, WideningMask(plan.type));
    if (!issues->misfit[column]) issues->widen_masks[column] = WideningMask(plan.type);
    issues->misfit[column] = true;
    issues->widen_masks[column] &= fits;
    if (!issues->first_misfit)
      issues->first_misfit = {table.FieldOffset(row, plan.field), message()};
  } else if (collect_rejects_) {
    if (!rejected_[row]) issues->rejects.push_back({table.RowOffset(row), message()});
    rejected_[row] = true;
    any_rejected_ = true;
  } else if (!issues->error) {
    issues->error = {table.FieldOffset(row, plan.field), message()};
  }
}

template <typename T, typename Parse>
void CsvConverter::ConvertFixed(const FieldTable& table, size_t column, core::Vector* vector,
                                Parse parse, ConvertIssues* issues) {
  T* values = vector->data<T>();
  size_t field = plans_[column].field;
  for (size_t row = 0; row < table.num_rows(); ++row) {
    std::string_view raw = table.Field(row, field);
    if (nulls_.IsNull(raw)) {
      vector->SetNull(row);
      continue;
    }
    std::string_view text = Unquoted(raw);
    if (!parse(text, &values[row])) {
      vector->SetNull(row);  // the batch is dropped or the row left out
      Misfit(table, row, column, text, "value does not fit", issues);
    }
  }
}

void CsvConverter::ConvertStrings(const FieldTable& table, size_t column, core::Vector* vector,
                                  ConvertIssues* issues) {
  core::StringRef* values = vector->data<core::StringRef>();
  size_t field = plans_[column].field;
  for (size_t row = 0; row < table.num_rows(); ++row) {
    std::string_view raw = table.Field(row, field);
    if (nulls_.IsNull(raw)) {
      vector->SetNull(row);
      continue;
    }
    std::string_view text = Unquoted(raw);
    if (!IsAscii(text) && !IsValidUtf8(text)) {
      vector->SetNull(row);
      Misfit(table, row, column, text, "invalid UTF-8", issues);
      continue;
    }
    values[row] = text.size() <= core::StringRef::kInlineSize ? core::StringRef(text)
                                                              : vector->heap().Add(text);
  }
}

void CsvConverter::ConvertColumn(const FieldTable& table, size_t column, core::Vector* vector,
                                 ConvertIssues* issues) {
  switch (plans_[column].type) {
    case core::TypeId::kBoolean:
      return ConvertFixed<uint8_t>(table, column, vector, ParseBoolean, issues);
    case core::TypeId::kInteger:
      return ConvertFixed<int32_t>(table, column, vector, ParseInteger, issues);
    case core::TypeId::kBigint:
      return ConvertFixed<int64_t>(table, column, vector, ParseBigint, issues);
    case core::TypeId::kDouble:
      return ConvertFixed<double>(table, column, vector, ParseDouble, issues);
    case core::TypeId::kDate:
      return ConvertFixed<int32_t>(table, column, vector, ParseDateValue, issues);
    case core::TypeId::kTimestamp:
      return ConvertFixed<int64_t>(table, column, vector, ParseTimestampValue, issues);
    case core::TypeId::kVarchar:
      return ConvertStrings(table, column, vector, issues);
  }
}

core::Batch CsvConverter::Convert(const FieldTable& table, ConvertIssues* issues) {
  size_t num_rows = table.num_rows();
  if (issues->misfit.empty()) {
    issues->misfit.assign(plans_.size(), false);
    issues->widen_masks.assign(plans_.size(), 0);
  }
  if (collect_rejects_) rejected_.assign(num_rows, false);
  any_rejected_ = false;
  core::Batch batch(schema_);
  for (size_t column = 0; column < plans_.size(); ++column) {
    ConvertColumn(table, column, &batch.column(column), issues);
  }
  batch.SetNumRows(num_rows);
  if (any_rejected_) RemoveRejected(&batch, num_rows);
  return batch;
}

void CsvConverter::RemoveRejected(core::Batch* batch, size_t num_rows) {
  size_t kept = 0;
  for (size_t column = 0; column < batch->num_columns(); ++column) {
    core::Vector& vector = batch->column(column);
    size_t width = core::TypeWidth(vector.type());
    auto* bytes = vector.data<std::byte>();
    kept = 0;
    for (size_t row = 0; row < num_rows; ++row) {
      if (rejected_[row]) continue;
      std::memmove(bytes + kept * width, bytes + row * width, width);
      if (vector.IsNull(row)) {
        vector.SetNull(kept);
      } else {
        vector.validity().SetValid(kept);
      }
      ++kept;
    }
  }
  batch->SetNumRows(kept);
}

}  // namespace sluice::io::csv
