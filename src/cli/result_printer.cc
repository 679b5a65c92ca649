#include "cli/result_printer.h"

#include <algorithm>
#include <string>

#include "base/json_text.h"

namespace sluice::cli {
namespace {

using core::TypeId;
using core::Value;

// Returns every cell as text, row by row; nulls as std::nullopt.
std::vector<std::vector<std::optional<std::string>>> CellTexts(const Rows& rows) {
  std::vector<std::vector<std::optional<std::string>>> cells;
  for (const core::Batch& batch : rows.batches) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      auto& line = cells.emplace_back();
      for (size_t column = 0; column < batch.num_columns(); ++column) {
        Value value = batch.GetValue(column, row);
        line.push_back(value.is_null() ? std::nullopt : std::optional(value.ToString()));
      }
    }
  }
  return cells;
}

bool RightAligned(TypeId type) { return core::IsNumeric(type); }

void PrintAligned(std::ostream& out, const Rows& rows, bool markdown) {
  auto cells = CellTexts(rows);
  const core::Schema& schema = rows.schema;
  std::vector<size_t> widths;
  for (const auto& field : schema.fields())
    widths.push_back(std::max<size_t>(field.name.size(), 1));
  for (const auto& line : cells) {
    for (size_t c = 0; c < line.size(); ++c) {
      widths[c] = std::max(widths[c], line[c] ? line[c]->size() : 4);
    }
  }
  auto pad = [&](const std::string& text, size_t c, bool right) {
    std::string spaces(widths[c] - std::min(widths[c], text.size()), ' ');
    return right ? spaces + text : text + spaces;
  };
  std::string open = markdown ? "| " : " ", middle = markdown ? " | " : " | ";
  std::string close = markdown ? " |" : "";
  auto print_line = [&](auto&& text_of) {
    std::string line = open;
    for (size_t c = 0; c < widths.size(); ++c) line += (c ? middle : "") + text_of(c);
    line += close;
    if (!markdown) line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  };
  print_line([&](size_t c) { return pad(schema.field(c).name, c, false); });
  std::string rule = markdown ? "|" : "";
  for (size_t c = 0; c < widths.size(); ++c) {
    std::string dashes(widths[c] + 2, '-');
    if (markdown && RightAligned(schema.field(c).type)) dashes.back() = ':';
    rule += (c && !markdown ? "+" : "") + dashes + (markdown ? "|" : "");
  }
  out << rule << '\n';
  for (const auto& line : cells) {
    print_line([&](size_t c) {
      return pad(line[c].value_or("NULL"), c, RightAligned(schema.field(c).type));
    });
  }
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos && !text.empty()) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void PrintCsv(std::ostream& out, const Rows& rows) {
  const core::Schema& schema = rows.schema;
  for (size_t c = 0; c < schema.num_fields(); ++c) {
    out << (c ? "," : "") << CsvField(schema.field(c).name);
  }
  out << '\n';
  for (const auto& line : CellTexts(rows)) {
    for (size_t c = 0; c < line.size(); ++c)
      out << (c ? "," : "") << (line[c] ? CsvField(*line[c]) : "");
    out << '\n';
  }
}

std::string JsonValue(const Value& value) {
  if (value.is_null()) return "null";
  switch (value.type()) {
    case TypeId::kBoolean:
    case TypeId::kInteger:
    case TypeId::kBigint:
      return value.ToString();
    case TypeId::kDouble: {
      std::string text = value.ToString();
      return text == "NaN" || text.find("Infinity") != std::string::npos ? JsonString(text) : text;
    }
    default:
      return JsonString(value.ToString());
  }
}

void PrintJson(std::ostream& out, const Rows& rows) {
  out << '[';
  bool first = true;
  for (const core::Batch& batch : rows.batches) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      out << (first ? "\n  {" : ",\n  {");
      first = false;
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        out << (c ? ", " : "") << JsonString(rows.schema.field(c).name) << ": "
            << JsonValue(batch.GetValue(c, row));
      }
      out << '}';
    }
  }
  out << (first ? "]\n" : "\n]\n");
}

}  // namespace

std::optional<OutputFormat> OutputFormatFromName(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "markdown") return OutputFormat::kMarkdown;
  return std::nullopt;
}

void PrintRows(std::ostream& out, const Rows& rows, OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return PrintAligned(out, rows, false);
    case OutputFormat::kMarkdown:
      return PrintAligned(out, rows, true);
    case OutputFormat::kCsv:
      return PrintCsv(out, rows);
    case OutputFormat::kJson:
      return PrintJson(out, rows);
  }
}

}  // namespace sluice::cli
