#include "serve/row_formats.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/json_text.h"
#include "base/strings.h"
#include "base/text_file.h"
#include "io/csv/csv_writer.h"
#include "io/json/json_writer.h"
#include "io/parquet/parquet_writer.h"
#include "serve/http.h"

namespace sluice::serve {
namespace {

struct MediaType {
  std::string_view name;
  RowFormat format;
};

// The media types each format answers to; a wildcard picks the first listed it covers.
constexpr std::array<MediaType, 7> kMediaTypes = {{
    {"application/json", RowFormat::kJson},
    {"application/x-ndjson", RowFormat::kNdjson},
    {"application/ndjson", RowFormat::kNdjson},
    {"application/jsonl", RowFormat::kNdjson},
    {"text/csv", RowFormat::kCsv},
    {"application/vnd.apache.parquet", RowFormat::kParquet},
    {"application/parquet", RowFormat::kParquet},
}};

std::string Lower(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Is one media range of an Accept header: `type/subtype;q=0.5`.
struct AcceptItem {
  std::string range;
  double quality = 1;
};

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t end = text.find(separator);
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return parts;
    text.remove_prefix(end + 1);
  }
}

std::vector<AcceptItem> ParseAccept(std::string_view header) {
  std::vector<AcceptItem> items;
  for (std::string_view part : Split(header, ',')) {
    std::vector<std::string_view> pieces = Split(part, ';');
    AcceptItem item{Lower(TrimSpace(pieces[0]))};
    for (size_t i = 1; i < pieces.size(); ++i) {
      std::string parameter = Lower(TrimSpace(pieces[i]));
      if (!parameter.starts_with("q=")) continue;
      double quality = std::strtod(parameter.c_str() + 2, nullptr);
      item.quality = quality >= 0 ? std::min(quality, 1.0) : 0;  // NaN too
    }
    if (!item.range.empty()) items.push_back(std::move(item));
  }
  return items;
}

// Returns true when `range` (type/subtype, type/* or */*) covers `media`.
bool Covers(std::string_view range, std::string_view media) {
  if (range == "*/*" || range == media) return true;
  return range.ends_with("/*") && media.starts_with(range.substr(0, range.size() - 1));
}

// Returns the format `range` picks: an exact media type, else the first format it covers that
// no q=0 item excludes (wildcards prefer JSON).
std::optional<RowFormat> FormatFor(std::string_view range, const std::vector<AcceptItem>& items) {
  for (const MediaType& media : kMediaTypes) {
    if (range == media.name) return media.format;
  }
  for (const MediaType& media : kMediaTypes) {
    if (!Covers(range, media.name)) continue;
    bool excluded = false;
    for (const AcceptItem& item : items) {
      excluded = excluded || (item.quality <= 0 && item.range == media.name);
    }
    if (!excluded) return media.format;
  }
  return std::nullopt;
}

RowFormat FormatNamed(std::string_view name) {
  std::string lower = Lower(name);
  if (lower == "json") return RowFormat::kJson;
  if (lower == "ndjson" || lower == "jsonl") return RowFormat::kNdjson;
  if (lower == "csv") return RowFormat::kCsv;
  if (lower == "parquet") return RowFormat::kParquet;
  throw HttpError(400, fmt::format("unknown format \"{}\"; use json, ndjson, csv or parquet", name),
                  "format");
}

// Writes objects keyed by column name: a JSON array (a row per line) or NDJSON.
class JsonEncoder : public RowEncoder {
 public:
  JsonEncoder(const core::SchemaPtr& schema, bool array) : array_(array) {
    for (const core::Field& field : schema->fields()) keys_.push_back(JsonString(field.name) + ':');
  }
  std::string Begin() override { return array_ ? "[" : ""; }
  std::string Encode(const core::Batch& batch) override {
    std::string out;
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      if (array_) out += rows_++ == 0 ? "\n" : ",\n";
      AppendObject(batch, batch.PhysicalRow(row), out);
      if (!array_) out += '\n';
    }
    return out;
  }
  std::string End() override {
    if (!array_) return "";
    return rows_ == 0 ? "]\n" : "\n]\n";
  }

 private:
  void AppendObject(const core::Batch& batch, size_t physical, std::string& out) const {
    out += '{';
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      if (c > 0) out += ',';
      out += keys_[c];
      io::AppendJsonValue(batch.column(c), physical, &out);
    }
    out += '}';
  }

  bool array_;
  std::vector<std::string> keys_;  // each column's quoted name and a colon
  size_t rows_ = 0;
};

// Writes a header line of column names, then a line per row, as io/csv's writer does.
class CsvEncoder : public RowEncoder {
 public:
  explicit CsvEncoder(core::SchemaPtr schema) : schema_(std::move(schema)) {}
  std::string Begin() override {
    std::string out;
    for (size_t c = 0; c < schema_->num_fields(); ++c) {
      if (c > 0) out += options_.delimiter;
      io::AppendCsvField(schema_->field(c).name, options_, &out);
    }
    out += '\n';
    return out;
  }
  std::string Encode(const core::Batch& batch) override {
    std::string out;
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      io::AppendCsvRow(batch, batch.PhysicalRow(row), options_, &out);
    }
    return out;
  }
  std::string End() override { return ""; }

 private:
  core::SchemaPtr schema_;
  io::CsvWriteOptions options_;
};

// Writes a Parquet file through io's writer, which writes files only: into a temporary file
// that End reads back and removes.
class ParquetEncoder : public RowEncoder {
 public:
  explicit ParquetEncoder(core::SchemaPtr schema) {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-rows-XXXXXX").string();
    int fd = mkstemp(pattern.data());
    if (fd < 0) {
      Throw<IoError>("cannot make a temporary file '{}': {}", pattern, std::strerror(errno));
    }
    close(fd);
    path_ = pattern;
    writer_ = io::CreateParquetWriter(path_, std::move(schema));
  }
  ~ParquetEncoder() override {
    writer_.reset();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  std::string Begin() override { return ""; }
  std::string Encode(const core::Batch& batch) override {
    writer_->Write(batch);
    return "";
  }
  std::string End() override {
    writer_->Finish();
    return ReadTextFile(path_, "temporary Parquet file");
  }

 private:
  std::string path_;
  std::unique_ptr<io::ParquetWriter> writer_;
};

}  // namespace

RowFormat ChooseRowFormat(std::string_view format_parameter, std::string_view accept_header) {
  if (!format_parameter.empty()) return FormatNamed(format_parameter);
  if (TrimSpace(accept_header).empty()) return RowFormat::kJson;
  std::vector<AcceptItem> items = ParseAccept(accept_header);
  std::optional<RowFormat> best;
  double best_quality = 0;
  for (const AcceptItem& item : items) {
    if (item.quality <= best_quality) continue;
    if (std::optional<RowFormat> format = FormatFor(item.range, items)) {
      best = format;
      best_quality = item.quality;
    }
  }
  if (!best) {
    throw HttpError(406, fmt::format("no format matches Accept: {}; offer application/json, "
                                     "application/x-ndjson, text/csv or "
                                     "application/vnd.apache.parquet",
                                     accept_header));
  }
  return *best;
}

const char* ContentType(RowFormat format) {
  switch (format) {
    case RowFormat::kJson:
      return "application/json";
    case RowFormat::kNdjson:
      return "application/x-ndjson";
    case RowFormat::kCsv:
      return "text/csv; charset=utf-8";
    case RowFormat::kParquet:
      return "application/vnd.apache.parquet";
  }
  return "application/octet-stream";
}

std::unique_ptr<RowEncoder> RowEncoder::Make(RowFormat format, core::SchemaPtr schema) {
  switch (format) {
    case RowFormat::kJson:
      return std::make_unique<JsonEncoder>(schema, true);
    case RowFormat::kNdjson:
      return std::make_unique<JsonEncoder>(schema, false);
    case RowFormat::kCsv:
      return std::make_unique<CsvEncoder>(std::move(schema));
    case RowFormat::kParquet:
      return std::make_unique<ParquetEncoder>(std::move(schema));
  }
  Throw<InternalError>("unknown row format {}", static_cast<int>(format));
}

}  // namespace sluice::serve
