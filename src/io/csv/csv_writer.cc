#include "io/csv/csv_writer.h"

#include <string_view>

#include "base/error.h"
#include "io/file_writer.h"
#include "io/value_text.h"

namespace sluice::io {
namespace {

bool NeedsQuotes(std::string_view text, const CsvWriteOptions& options) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ') return true;
  for (char c : text) {
    if (c == options.delimiter || c == options.quote || c == '\n' || c == '\r') return true;
  }
  return false;
}

}  // namespace

void AppendCsvField(std::string_view text, const CsvWriteOptions& options, std::string* out) {
  if (!NeedsQuotes(text, options)) {
    *out += text;
    return;
  }
  *out += options.quote;
  for (char c : text) {
    if (c == options.quote) *out += options.quote;
    *out += c;
  }
  *out += options.quote;
}

void AppendCsvRow(const core::Batch& batch, size_t physical, const CsvWriteOptions& options,
                  std::string* out) {
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    if (c > 0) *out += options.delimiter;
    const core::Vector& vector = batch.column(c);
    if (vector.IsNull(physical)) continue;
    if (vector.type() == core::TypeId::kVarchar) {
      AppendCsvField(vector.GetString(physical), options, out);
    } else {
      AppendValueText(vector, physical, out);
    }
  }
  *out += '\n';
}

class CsvWriter::Impl {
 public:
  Impl(const std::string& path, core::SchemaPtr schema, const CsvWriteOptions& options)
      : schema_(std::move(schema)), options_(options), file_(FileWriter::Create(path)) {
    if (!options_.header) return;
    std::string line;
    for (size_t c = 0; c < schema_->num_fields(); ++c) {
      if (c > 0) line += options_.delimiter;
      AppendCsvField(schema_->field(c).name, options_, &line);
    }
    line += '\n';
    file_->Append(line);
  }

  void Write(const core::Batch& batch) {
    if (batch.num_columns() != schema_->num_fields()) {
      Throw<InternalError>("CSV writer for '{}': a batch of {} columns, the schema has {}",
                           file_->path(), batch.num_columns(), schema_->num_fields());
    }
    text_.clear();
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      AppendCsvRow(batch, batch.PhysicalRow(row), options_, &text_);
    }
    file_->Append(text_);
    rows_ += batch.num_rows();
  }

  size_t Finish(bool sync) {
    file_->Finish(sync);
    return rows_;
  }

 private:
  core::SchemaPtr schema_;
  CsvWriteOptions options_;
  std::unique_ptr<FileWriter> file_;
  std::string text_;
  size_t rows_ = 0;
};

std::unique_ptr<CsvWriter> CsvWriter::Create(const std::string& path, core::SchemaPtr schema,
                                             const CsvWriteOptions& options) {
  if (options.delimiter == options.quote || options.delimiter == '\n' ||
      options.delimiter == '\r') {
    Throw<UserError>("the CSV delimiter cannot be the quote or a line break");
  }
  return std::unique_ptr<CsvWriter>(
      new CsvWriter(std::make_unique<Impl>(path, std::move(schema), options)));
}

CsvWriter::CsvWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvWriter::~CsvWriter() = default;

void CsvWriter::Write(const core::Batch& batch) { impl_->Write(batch); }

size_t CsvWriter::Finish(bool sync) { return impl_->Finish(sync); }

}  // namespace sluice::io
