#include "io/open_file.h"

#include <glob.h>

#include "base/error.h"
#include "io/csv/csv_reader.h"
#include "io/file.h"
#include "io/json/json_reader.h"

namespace sluice::io {
namespace {

std::string_view Extension(std::string_view path) {
  path = StripCompressionExtension(path);
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return path.substr(dot);
}

}  // namespace

std::optional<FileFormat> FormatOfPath(std::string_view path) {
  std::string_view extension = Extension(path);
  if (extension == ".csv" || extension == ".tsv" || extension == ".txt") return FileFormat::kCsv;
  if (extension == ".json" || extension == ".jsonl" || extension == ".ndjson") {
    return FileFormat::kJson;
  }
  return std::nullopt;
}

std::string_view FormatName(FileFormat format) {
  return format == FileFormat::kCsv ? "csv" : "json";
}

namespace {

bool IsGlob(std::string_view path) { return path.find_first_of("*?[") != std::string_view::npos; }

// Reads several files with one schema as one stream, file after file.
class MultiFileReader final : public BatchReader {
 public:
  MultiFileReader(std::vector<std::string> paths, std::vector<std::string> columns)
      : paths_(std::move(paths)), columns_(std::move(columns)) {
    reader_ = OpenFile(paths_[0], columns_);
    schema_ = reader_->schema();
  }
  const core::SchemaPtr& schema() const override { return schema_; }
  std::optional<core::Batch> Next() override {
    while (true) {
      if (auto batch = reader_->Next()) return batch;
      if (++current_ >= paths_.size()) return std::nullopt;
      reader_ = OpenFile(paths_[current_], columns_);
      if (!(*reader_->schema() == *schema_)) {
        Throw<DataError>(
            "'{}' has columns ({}) but '{}' has ({}): files read together need the "
            "same columns",
            paths_[current_], reader_->schema()->ToString(), paths_[0], schema_->ToString());
      }
    }
  }

 private:
  std::vector<std::string> paths_;
  std::vector<std::string> columns_;
  size_t current_ = 0;
  std::unique_ptr<BatchReader> reader_;
  core::SchemaPtr schema_;
};

std::vector<std::string> ExpandGlob(const std::string& pattern) {
  glob_t matches;
  int result = glob(pattern.c_str(), 0, nullptr, &matches);
  std::vector<std::string> paths;
  if (result == 0) {
    for (size_t i = 0; i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
  }
  globfree(&matches);
  if (paths.empty()) Throw<IoError>("no file matches '{}'", pattern);
  return paths;  // glob sorts them
}

}  // namespace

std::unique_ptr<BatchReader> OpenFile(const std::string& path,
                                      const std::vector<std::string>& columns) {
  if (IsGlob(path)) {
    auto paths = ExpandGlob(path);
    if (paths.size() == 1) return OpenFile(paths[0], columns);
    return std::make_unique<MultiFileReader>(std::move(paths), columns);
  }
  auto format = FormatOfPath(path);
  if (!format) {
    Throw<UserError>(
        "cannot tell the format of '{}': expected .csv, .tsv, .json, .jsonl or .ndjson", path);
  }
  if (*format == FileFormat::kJson) {
    JsonOptions options;
    options.columns = columns;
    return OpenJson(path, options);
  }
  CsvOptions options;
  options.columns = columns;
  if (Extension(path) == ".tsv") options.delimiter = '\t';
  return OpenCsv(path, options);
}

}  // namespace sluice::io
