#include "io/open_file.h"

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

std::unique_ptr<BatchReader> OpenFile(const std::string& path) {
  auto format = FormatOfPath(path);
  if (!format) {
    Throw<UserError>(
        "cannot tell the format of '{}': expected .csv, .tsv, .json, .jsonl or .ndjson", path);
  }
  if (*format == FileFormat::kJson) return OpenJson(path);
  CsvOptions options;
  if (Extension(path) == ".tsv") options.delimiter = '\t';
  return OpenCsv(path, options);
}

}  // namespace sluice::io
