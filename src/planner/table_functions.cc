#include "planner/table_functions.h"

#include <fmt/format.h>

#include "base/error.h"
#include "base/strings.h"
#include "exec/source_operators.h"
#include "io/csv/csv_reader.h"
#include "io/file_set.h"
#include "io/json/json_reader.h"
#include "io/open_file.h"
#include "io/parquet/parquet_reader.h"
#include "planner/expression_binder.h"

namespace sluice::planner {
namespace {

// Returns argument `i` of `call` as a constant value (table function arguments are constants).
core::Value ConstantArgument(const sql::FunctionExpr& call, size_t i) {
  Scope empty;
  auto bound = ExpressionBinder(empty).Bind(*call.args[i]);
  if (bound->kind != exec::ExpressionKind::kConstant) {
    Throw<UserError>("{}", AtLocation("table function arguments must be constants", *call.args[i]));
  }
  return bound->constant;
}

char SingleCharacter(const core::Value& value, const sql::Expr& at) {
  std::string text = value.CastTo(core::TypeId::kVarchar).GetString();
  if (text == "\\t") return '\t';
  if (text.size() != 1)
    Throw<UserError>("{}", AtLocation("expected a single character, got '" + text + "'", at));
  return text[0];
}

io::CsvOptions CsvOptionsOf(const sql::FunctionExpr& call) {
  io::CsvOptions options;
  for (size_t i = 1; i < call.args.size(); ++i) {
    const std::string& name = call.arg_names[i];
    core::Value value = ConstantArgument(call, i);
    const sql::Expr& at = *call.args[i];
    if (name == "delim" || name == "sep" || name == "delimiter") {
      options.delimiter = SingleCharacter(value, at);
    } else if (name == "header") {
      options.header = value.CastTo(core::TypeId::kBoolean).GetBoolean();
    } else if (name == "quote") {
      options.quote = SingleCharacter(value, at);
    } else if (name == "escape") {
      options.escape = SingleCharacter(value, at);
    } else if (name == "nullstr" || name == "null") {
      options.null_strings = {value.CastTo(core::TypeId::kVarchar).GetString()};
    } else if (name == "skip") {
      options.skip_rows = static_cast<size_t>(value.CastTo(core::TypeId::kBigint).GetInt64());
    } else if (name == "comment") {
      options.comment = SingleCharacter(value, at);
    } else if (name == "sample_size" || name == "sample_rows") {
      int64_t rows = value.CastTo(core::TypeId::kBigint).GetInt64();
      options.sample_rows = rows < 0 ? 0 : static_cast<size_t>(rows);
    } else if (name == "ignore_errors") {
      options.collect_rejects = value.CastTo(core::TypeId::kBoolean).GetBoolean();
    } else {
      Throw<UserError>("{}", AtLocation("read_csv has no option \"" + name +
                                            "\" (delim, header, quote, escape, nullstr, skip, "
                                            "comment, sample_size, ignore_errors)",
                                        at));
    }
  }
  return options;
}

io::JsonOptions JsonOptionsOf(const sql::FunctionExpr& call) {
  io::JsonOptions options;
  for (size_t i = 1; i < call.args.size(); ++i) {
    const std::string& name = call.arg_names[i];
    std::string value = ConstantArgument(call, i).CastTo(core::TypeId::kVarchar).GetString();
    if (name == "format") {
      if (value == "newline_delimited" || value == "lines")
        options.format = io::JsonFormat::kLines;
      else if (value == "array")
        options.format = io::JsonFormat::kArray;
      else if (value == "auto")
        options.format = io::JsonFormat::kAuto;
      else
        Throw<UserError>("{}",
                         AtLocation("format must be 'auto', 'lines' or 'array'", *call.args[i]));
    } else if (name == "nested") {
      options.nested = value == "json" ? io::NestedMode::kJsonString : io::NestedMode::kFlatten;
    } else {
      Throw<UserError>("{}", AtLocation("read_json has no option \"" + name + "\" (format, nested)",
                                        *call.args[i]));
    }
  }
  return options;
}

// Returns the columns of `schema` a query reads, in file order; empty when it reads all of them
// (or may). A query that reads none (count(*)) still reads one, to count rows.
// Opens a reader with `options`, then again reading only the columns the query mentions.
template <typename Options, typename Open>
std::unique_ptr<exec::SourceOperator> ScanReadColumns(const std::string& path, Options options,
                                                      const MentionedNames& mentioned, Open open) {
  auto reader = open(path, options);
  options.columns = ReadColumns(*reader->schema(), mentioned);
  if (!options.columns.empty()) reader = open(path, options);
  return std::make_unique<exec::ReaderScan>(std::move(reader), path);
}

// Opens read_parquet('path'): any extension for one file; globs and folders as OpenFile does.
std::unique_ptr<exec::SourceOperator> OpenParquetFunction(const sql::FunctionExpr& call,
                                                          const std::string& path,
                                                          const MentionedNames& mentioned,
                                                          const PredicatesFor& predicates) {
  for (size_t i = 1; i < call.args.size(); ++i) {
    if (call.arg_names[i] == "hive_partitioning" || call.arg_names[i] == "binary_as_string") {
      continue;  // DuckDB's options: partitions are always read, binary always as text
    }
    Throw<UserError>("{}", AtLocation("read_parquet has no option \"" + call.arg_names[i] +
                                          "\" (hive_partitioning, binary_as_string)",
                                      *call.args[i]));
  }
  if (io::IsFileSet(path)) return OpenTableFile(path, mentioned, predicates);
  io::ParquetOptions options;
  auto reader = io::OpenParquet(path, options);
  options.columns = ReadColumns(*reader->schema(), mentioned);
  if (predicates) options.predicates = predicates(*reader->schema());
  if (!options.columns.empty() || !options.predicates.empty()) {
    reader = io::OpenParquet(path, options);
  }
  return std::make_unique<exec::ReaderScan>(std::move(reader), path);
}

}  // namespace

std::vector<std::string> ReadColumns(const core::Schema& schema, const MentionedNames& mentioned) {
  if (!mentioned || schema.num_fields() == 0) return {};
  std::vector<std::string> columns;
  for (const core::Field& field : schema.fields()) {
    std::string lower = field.name;
    lower = AsciiLower(std::move(lower));
    if (mentioned->contains(field.name) || mentioned->contains(lower))
      columns.push_back(field.name);
  }
  if (columns.size() == schema.num_fields()) return {};
  if (columns.empty()) columns.push_back(schema.field(0).name);
  return columns;
}

std::unique_ptr<exec::SourceOperator> OpenTableFile(const std::string& path,
                                                    const MentionedNames& mentioned,
                                                    const PredicatesFor& predicates) {
  auto reader = io::OpenFile(path);
  auto columns = ReadColumns(*reader->schema(), mentioned);
  auto pushed = predicates ? predicates(*reader->schema()) : std::vector<io::ScanPredicate>{};
  if (!columns.empty() || !pushed.empty()) reader = io::OpenFile(path, columns, pushed);
  return std::make_unique<exec::ReaderScan>(std::move(reader), path);
}

std::unique_ptr<exec::SourceOperator> OpenTableFunction(const sql::FunctionExpr& call,
                                                        const MentionedNames& mentioned,
                                                        const PredicatesFor& predicates) {
  const std::string& name = call.name.back();
  if (call.args.empty() || !call.arg_names[0].empty()) {
    Throw<UserError>("{}", AtLocation(name + "() takes a file path as its first argument", call));
  }
  std::string path = ConstantArgument(call, 0).CastTo(core::TypeId::kVarchar).GetString();
  if (name == "read_csv" || name == "read_csv_auto") {
    return ScanReadColumns(path, CsvOptionsOf(call), mentioned,
                           [](const std::string& file, const io::CsvOptions& options) {
                             return io::OpenCsv(file, options);
                           });
  }
  if (name == "read_json" || name == "read_json_auto" || name == "read_ndjson") {
    auto options = JsonOptionsOf(call);
    if (name == "read_ndjson") options.format = io::JsonFormat::kLines;
    return ScanReadColumns(path, options, mentioned,
                           [](const std::string& file, const io::JsonOptions& options) {
                             return io::OpenJson(file, options);
                           });
  }
  if (name == "read_parquet" || name == "parquet_scan") {
    return OpenParquetFunction(call, path, mentioned, predicates);
  }
  Throw<UserError>(
      "{}", AtLocation("table function " + name +
                           "() does not exist (read_csv, read_json, read_parquet, postgres_scan, "
                           "sqlite_scan)",
                       call));
}

}  // namespace sluice::planner
