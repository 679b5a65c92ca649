#pragma once

#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice::cli {

/// Names how rows are printed: aligned table, CSV, JSON (an array of objects), Markdown.
enum class OutputFormat { kTable, kCsv, kJson, kMarkdown };

/// Returns the format named `name` ("table", "csv", "json", "markdown"), or nothing.
std::optional<OutputFormat> OutputFormatFromName(std::string_view name);

/// Is a set of rows to print: a schema and the batches holding them.
struct Rows {
  const core::Schema& schema;
  const std::vector<core::Batch>& batches;
};

/// Prints `rows` in `format`. Tables and Markdown right-align numbers; NULL prints as "NULL"
/// in tables, as an empty field in CSV and as null in JSON.
void PrintRows(std::ostream& out, const Rows& rows, OutputFormat format);

}  // namespace sluice::cli
