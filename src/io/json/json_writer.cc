#include "io/json/json_writer.h"

#include <cmath>
#include <vector>

#include "base/error.h"
#include "base/json_text.h"
#include "io/file_writer.h"
#include "io/value_text.h"

namespace sluice::io {

class JsonWriter::Impl {
 public:
  Impl(const std::string& path, core::SchemaPtr schema, const JsonWriteOptions& options)
      : schema_(std::move(schema)), options_(options), file_(FileWriter::Create(path)) {
    for (const core::Field& field : schema_->fields())
      keys_.push_back(JsonString(field.name) + ':');
  }

  void Write(const core::Batch& batch) {
    if (batch.num_columns() != schema_->num_fields()) {
      Throw<InternalError>("JSON writer for '{}': a batch of {} columns, the schema has {}",
                           file_->path(), batch.num_columns(), schema_->num_fields());
    }
    text_.clear();
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      if (options_.array) text_ += rows_ + row == 0 ? "[\n" : ",\n";
      AppendObject(batch, batch.PhysicalRow(row));
      if (!options_.array) text_ += '\n';
    }
    file_->Append(text_);
    rows_ += batch.num_rows();
  }

  size_t Finish(bool sync) {
    if (options_.array) file_->Append(rows_ == 0 ? "[]\n" : "\n]\n");
    file_->Finish(sync);
    return rows_;
  }

 private:
  void AppendObject(const core::Batch& batch, size_t physical) {
    text_ += '{';
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      if (c > 0) text_ += ',';
      text_ += keys_[c];
      AppendJsonValue(batch.column(c), physical, &text_);
    }
    text_ += '}';
  }

  core::SchemaPtr schema_;
  JsonWriteOptions options_;
  std::unique_ptr<FileWriter> file_;
  std::vector<std::string> keys_;  // each column's quoted name and a colon
  std::string text_;
  size_t rows_ = 0;
};

void AppendJsonValue(const core::Vector& vector, size_t physical, std::string* out) {
  if (vector.IsNull(physical)) {
    *out += "null";
    return;
  }
  switch (vector.type()) {
    case core::TypeId::kVarchar:
      AppendJsonString(*out, vector.GetString(physical));
      break;
    case core::TypeId::kDate:
    case core::TypeId::kTimestamp:
      *out += '"';
      AppendValueText(vector, physical, out);
      *out += '"';
      break;
    case core::TypeId::kDouble:
      if (!std::isfinite(vector.data<double>()[physical])) {
        *out += "null";
        break;
      }
      [[fallthrough]];
    default:
      AppendValueText(vector, physical, out);
  }
}

std::unique_ptr<JsonWriter> JsonWriter::Create(const std::string& path, core::SchemaPtr schema,
                                               const JsonWriteOptions& options) {
  return std::unique_ptr<JsonWriter>(
      new JsonWriter(std::make_unique<Impl>(path, std::move(schema), options)));
}

JsonWriter::JsonWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonWriter::~JsonWriter() = default;

void JsonWriter::Write(const core::Batch& batch) { impl_->Write(batch); }

size_t JsonWriter::Finish(bool sync) { return impl_->Finish(sync); }

}  // namespace sluice::io
