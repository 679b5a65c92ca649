#include "cli/describe_command.h"

#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "base/error.h"
#include "base/json_text.h"
#include "cli/result_printer.h"
#include "io/open_file.h"

namespace sluice::cli {
namespace {

struct DescribeOptions {
  std::string path;
  std::string format = "table";
  size_t rows = 10;
};

struct Description {
  core::SchemaPtr schema;
  size_t num_rows = 0;
  std::vector<core::Batch> first_rows;
};

// Streams the whole file: counts every row, keeps the first `keep` of them.
Description Describe(const std::string& path, size_t keep) {
  auto reader = io::OpenFile(path);
  Description description{reader->schema(), 0, {}};
  size_t kept = 0;
  while (auto batch = reader->Next()) {
    description.num_rows += batch->num_rows();
    if (kept >= keep) continue;
    size_t take = std::min(keep - kept, batch->num_rows());
    if (take < batch->num_rows()) {
      core::SelectionVector selection;
      for (size_t row = 0; row < take; ++row) selection.push_back(batch->PhysicalRow(row));
      batch->SetSelection(std::move(selection));
    }
    kept += take;
    description.first_rows.push_back(std::move(*batch));
  }
  return description;
}

core::Schema ColumnsSchema() {
  return core::Schema({{"column", core::TypeId::kVarchar}, {"type", core::TypeId::kVarchar}});
}

void PrintTable(const DescribeOptions& options, const Description& description) {
  const core::Schema& schema = *description.schema;
  std::cout << fmt::format("{}: {} rows, {} columns ({})\n\n", options.path, description.num_rows,
                           schema.num_fields(), io::FormatName(*io::FormatOfPath(options.path)));
  auto columns_schema = std::make_shared<core::Schema>(ColumnsSchema());
  std::vector<core::Batch> columns;
  columns.emplace_back(columns_schema, std::max<size_t>(schema.num_fields(), 1));
  for (const auto& field : schema.fields()) {
    columns.back().AppendRow({core::Value::Varchar(field.name),
                              core::Value::Varchar(std::string(core::TypeName(field.type)))});
  }
  OutputFormat format =
      options.format == "markdown" ? OutputFormat::kMarkdown : OutputFormat::kTable;
  PrintRows(std::cout, {*columns_schema, columns}, format);
  if (options.rows == 0 || description.num_rows == 0) return;
  std::cout << fmt::format("\nfirst {} rows:\n", std::min(options.rows, description.num_rows));
  PrintRows(std::cout, {schema, description.first_rows}, format);
}

void PrintJson(const DescribeOptions& options, const Description& description) {
  const core::Schema& schema = *description.schema;
  std::string columns;
  for (const auto& field : schema.fields()) {
    if (!columns.empty()) columns += ", ";
    columns += fmt::format("{{\"name\": {}, \"type\": \"{}\"}}", JsonString(field.name),
                           core::TypeName(field.type));
  }
  std::ostringstream first_rows;
  PrintRows(first_rows, {schema, description.first_rows}, OutputFormat::kJson);
  std::string rows_text = first_rows.str();
  rows_text.pop_back();  // the printer's final newline
  std::cout << fmt::format(
      "{{\"path\": {}, \"format\": \"{}\", \"rows\": {}, \"columns\": [{}], \"first_rows\": {}}}\n",
      JsonString(options.path), io::FormatName(*io::FormatOfPath(options.path)),
      description.num_rows, columns, rows_text);
}

}  // namespace

void AddDescribeCommand(CLI::App& app) {
  auto options = std::make_shared<DescribeOptions>();
  CLI::App* command = app.add_subcommand(
      "describe",
      "Show a file's columns with their inferred SQL types, its row count and first rows");
  command->add_option("path", options->path, "CSV/TSV or JSON(-lines) file, optionally .gz/.zst")
      ->required();
  command->add_option("--format", options->format, "Output: table, markdown or json")
      ->check(CLI::IsMember({"table", "markdown", "json"}))
      ->capture_default_str();
  command->add_option("--rows", options->rows, "How many first rows to show")
      ->capture_default_str();
  command->callback([options] {
    Description description = Describe(options->path, options->rows);
    if (options->format == "json") {
      PrintJson(*options, description);
    } else {
      PrintTable(*options, description);
    }
  });
}

}  // namespace sluice::cli
