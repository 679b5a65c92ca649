#include "io/open_file.h"

#include "base/error.h"
#include "io/csv/csv_reader.h"
#include "io/file.h"
#include "io/file_set.h"
#include "io/json/json_reader.h"
#include "io/parquet/parquet_reader.h"

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
  if (extension == ".parquet" || extension == ".parq") return FileFormat::kParquet;
  return std::nullopt;
}

std::string_view FormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kCsv:
      return "csv";
    case FileFormat::kJson:
      return "json";
    case FileFormat::kParquet:
      return "parquet";
  }
  return "unknown";
}

std::unique_ptr<BatchReader> OpenFile(const std::string& path,
                                      const std::vector<std::string>& columns,
                                      const std::vector<ScanPredicate>& predicates) {
  if (IsFileSet(path)) {
    return OpenFileSet(ListFiles(path), columns, predicates,
                       [](const std::string& file, const std::vector<std::string>& projection,
                          const std::vector<ScanPredicate>& pushed) {
                         return OpenFile(file, projection, pushed);
                       });
  }
  auto format = FormatOfPath(path);
  if (!format) {
    Throw<UserError>(
        "cannot tell the format of '{}': expected .csv, .tsv, .json, .jsonl, .ndjson or "
        ".parquet",
        path);
  }
  if (*format == FileFormat::kParquet) {
    ParquetOptions options;
    options.columns = columns;
    options.predicates = predicates;
    return OpenParquet(path, options);
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
