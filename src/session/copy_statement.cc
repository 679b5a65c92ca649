// COPY table|(query) TO 'path' (options): runs the query and writes its rows to a file.

#include "session/copy_statement.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <optional>

#include "base/error.h"
#include "io/file_writer.h"
#include "io/open_file.h"
#include "session/database.h"
#include "sql/parser.h"

namespace sluice::session {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// Returns an option's value as text: a bare word, a string, a number or a boolean; "true"
// when only the name was written (`HEADER`).
std::string OptionText(const sql::OptionItem& option) {
  if (option.value == nullptr) return "true";
  const sql::Expr& value = *option.value;
  if (value.kind == sql::ExprKind::kColumnRef) return value.As<sql::ColumnRefExpr>().column();
  if (value.kind == sql::ExprKind::kLiteral) {
    const auto& literal = value.As<sql::LiteralExpr>();
    if (literal.literal_kind == sql::LiteralKind::kBoolean) {
      return literal.boolean_value ? "true" : "false";
    }
    if (literal.literal_kind != sql::LiteralKind::kNull) return literal.text;
  }
  Throw<UserError>("COPY option {} takes a word, a string or a number (line {}, column {})",
                   Upper(option.name), value.location.line, value.location.column);
}

bool OptionBoolean(const sql::OptionItem& option) {
  std::string text = Lower(OptionText(option));
  if (text == "true" || text == "on" || text == "1") return true;
  if (text == "false" || text == "off" || text == "0") return false;
  Throw<UserError>("COPY option {} takes true or false, not '{}'", Upper(option.name), text);
}

CopyFormat FormatNamed(const std::string& name) {
  std::string format = Lower(name);
  if (format == "parquet") return CopyFormat::kParquet;
  if (format == "csv" || format == "tsv") return CopyFormat::kCsv;
  if (format == "json" || format == "ndjson" || format == "jsonl") return CopyFormat::kJson;
  Throw<UserError>("COPY FORMAT '{}' is not supported (parquet, csv, json)", name);
}

io::ParquetCompression CompressionNamed(const std::string& name) {
  std::string codec = Lower(name);
  if (codec == "zstd") return io::ParquetCompression::kZstd;
  if (codec == "snappy") return io::ParquetCompression::kSnappy;
  if (codec == "gzip") return io::ParquetCompression::kGzip;
  if (codec == "lz4_raw" || codec == "lz4") return io::ParquetCompression::kLz4Raw;
  if (codec == "uncompressed" || codec == "none") return io::ParquetCompression::kUncompressed;
  Throw<UserError>(
      "COPY COMPRESSION '{}' is not supported (zstd, snappy, gzip, lz4_raw, uncompressed)", name);
}

// Returns the format `path`'s extension names, or nothing.
std::optional<CopyFormat> FormatOfExtension(const std::string& path) {
  std::string lower = Lower(path);
  if (lower.ends_with(".parquet")) return CopyFormat::kParquet;
  std::optional<io::FileFormat> format = io::FormatOfPath(path);
  if (!format) return std::nullopt;
  switch (*format) {
    case io::FileFormat::kCsv:
      return CopyFormat::kCsv;
    case io::FileFormat::kJson:
      return CopyFormat::kJson;
    case io::FileFormat::kParquet:
      return CopyFormat::kParquet;
  }
  return std::nullopt;
}

size_t ParseRowGroupSize(const sql::OptionItem& option) {
  std::string text = OptionText(option);
  size_t rows = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), rows);
  if (error != std::errc() || end != text.data() + text.size() || rows == 0) {
    Throw<UserError>("COPY ROW_GROUP_SIZE takes a positive number of rows, not '{}'", text);
  }
  return rows;
}

// Applies one option that is not FORMAT to `target`; returns the format it belongs to.
std::optional<CopyFormat> ApplyOption(const sql::OptionItem& option, const std::string& name,
                                      CopyTarget* target) {
  if (name == "compression" || name == "codec") {
    target->parquet.compression = CompressionNamed(OptionText(option));
    return CopyFormat::kParquet;
  }
  if (name == "row_group_size") {
    target->parquet.row_group_rows = ParseRowGroupSize(option);
    return CopyFormat::kParquet;
  }
  if (name == "header") {
    target->csv.header = OptionBoolean(option);
    return CopyFormat::kCsv;
  }
  if (name == "delimiter" || name == "delim" || name == "sep") {
    std::string text = OptionText(option);
    if (text == "\\t") text = "\t";
    if (text.size() != 1) Throw<UserError>("COPY DELIMITER takes one character, not '{}'", text);
    target->csv.delimiter = text[0];
    return CopyFormat::kCsv;
  }
  if (name == "array") {
    target->json.array = OptionBoolean(option);
    return CopyFormat::kJson;
  }
  Throw<UserError>(
      "unknown COPY option \"{}\" (FORMAT, COMPRESSION, ROW_GROUP_SIZE, HEADER, DELIMITER, "
      "ARRAY)",
      Upper(option.name));
}

// Writes `batches` to `path` (a new file) with the writer of `target`'s format.
size_t WriteFile(const std::string& path, const CopyTarget& target, const core::SchemaPtr& schema,
                 const std::vector<core::Batch>& batches) {
  auto write_all = [&](auto& writer) {
    for (const core::Batch& batch : batches) {
      if (batch.num_columns() == schema->num_fields()) {
        writer.Write(batch);
      } else {
        writer.Write(batch.Share(schema));  // hidden columns (ORDER BY keys) are left out
      }
    }
  };
  if (target.format == CopyFormat::kParquet) {
    auto writer = io::CreateParquetWriter(path, schema, target.parquet);
    write_all(*writer);
    return static_cast<size_t>(writer->Finish().num_rows);
  }
  if (target.format == CopyFormat::kCsv) {
    auto writer = io::CsvWriter::Create(path, schema, target.csv);
    write_all(*writer);
    return writer->Finish();
  }
  auto writer = io::JsonWriter::Create(path, schema, target.json);
  write_all(*writer);
  return writer->Finish();
}

}  // namespace

CopyTarget ParseCopyTarget(const sql::CopyStatement& statement) {
  CopyTarget target;
  std::optional<CopyFormat> format = FormatOfExtension(statement.path);
  if (Lower(statement.path).ends_with(".tsv")) target.csv.delimiter = '\t';
  std::vector<std::pair<std::string, CopyFormat>> used;  // option name, its format
  for (const sql::OptionItem& option : statement.options) {
    std::string name = Lower(option.name);
    if (name == "format") {
      format = FormatNamed(OptionText(option));
    } else {
      used.emplace_back(Upper(option.name), *ApplyOption(option, name, &target));
    }
  }
  if (!format) {
    Throw<UserError>(
        "COPY cannot tell the format of '{}' from its extension: add (FORMAT parquet|csv|json)",
        statement.path);
  }
  target.format = *format;
  for (const auto& [name, option_format] : used) {
    if (option_format != target.format) {
      Throw<UserError>("COPY option {} does not apply to this format", name);
    }
  }
  return target;
}

size_t WriteCopyFile(const std::string& path, const CopyTarget& target,
                     const core::SchemaPtr& schema, const std::vector<core::Batch>& batches) {
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder)) {
    Throw<IoError>("cannot write '{}': directory '{}' does not exist", path, folder.string());
  }
  std::string temporary = io::TemporaryPathBeside(path);
  size_t rows = 0;
  try {
    rows = WriteFile(temporary, target, schema, batches);
  } catch (const IoError& error) {
    Throw<IoError>("COPY to '{}' failed: {}", path, error.what());
  }
  try {
    io::RenameFile(temporary, path);
  } catch (const IoError&) {
    std::filesystem::remove(temporary);
    throw;
  }
  return rows;
}

QueryResult Connection::Copy(const sql::CopyStatement& statement) {
  if (!statement.to) {
    Throw<UserError>(
        "COPY ... FROM is not supported yet; use SELECT * FROM 'file' (line {}, column {})",
        statement.location.line, statement.location.column);
  }
  CopyTarget target = ParseCopyTarget(statement);
  QueryResult rows;
  if (statement.query) {
    rows = RunQuery(*statement.query);
  } else {
    std::string name;
    for (const std::string& part : statement.table) {
      if (!name.empty()) name += '.';
      std::string quoted;
      for (char c : part) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      name += '"' + quoted + '"';
    }
    sql::StatementPtr select = sql::ParseStatement("SELECT * FROM " + name);
    rows = RunQuery(*select->As<sql::SelectStatement>().query);
  }
  size_t count = std::stoull(OnFirstRank([&] {
    return std::to_string(WriteCopyFile(statement.path, target, rows.schema, rows.batches));
  }));
  QueryResult result;
  result.schema =
      std::make_shared<core::Schema>(std::vector<core::Field>{{"count", core::TypeId::kBigint}});
  result.batches.emplace_back(result.schema, 1)
      .AppendRow({core::Value::Bigint(static_cast<int64_t>(count))});
  return result;
}

}  // namespace sluice::session
