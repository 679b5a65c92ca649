// Reads Parquet files that DuckDB writes at test time (make-parquet.cjs) with Sluice's reader and
// compares every value with what DuckDB reads back from them: all columns, several projections,
// one and several threads, and with predicates (which only prune: the rows that match must all
// still be there). Usage: duckdb_parquet_golden <work dir> <make-parquet.cjs>
// Exit codes: 0 passed, 1 failed, 77 skipped (node or @duckdb/node-api missing, outside CI).

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "core/batch.h"
#include "io/parquet/parquet_reader.h"

namespace sluice {
namespace {

using core::TypeId;

int failures = 0;
size_t cells_compared = 0;

void Fail(const std::string& message) {
  if (++failures <= 20) std::cerr << "FAIL " << message << "\n";
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Renders a value as make-parquet.cjs writes DuckDB's.
std::string Render(const core::Vector& vector, size_t row) {
  if (vector.IsNull(row)) return "\\N";
  switch (vector.type()) {
    case TypeId::kBoolean:
      return vector.data<uint8_t>()[row] ? "true" : "false";
    case TypeId::kInteger:
    case TypeId::kDate:
      return std::to_string(vector.data<int32_t>()[row]);
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      return std::to_string(vector.data<int64_t>()[row]);
    case TypeId::kDouble:
      return fmt::format("{}", vector.data<double>()[row]);
    case TypeId::kVarchar:
      return Escape(vector.GetString(row));
  }
  return "?";
}

bool SameCell(const std::string& expected, const std::string& actual, TypeId type) {
  if (expected == actual) return true;
  if (type != TypeId::kDouble || expected == "\\N" || actual == "\\N") return false;
  double a = std::strtod(expected.c_str(), nullptr);
  double b = std::strtod(actual.c_str(), nullptr);
  return a == b || (std::isnan(a) && std::isnan(b));
}

std::vector<std::vector<std::string>> ReadExpected(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      cells.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

// Returns the rows the reader gives, each a list of rendered cells.
std::vector<std::vector<std::string>> ReadWithSluice(const std::string& path,
                                                     const io::ParquetOptions& options,
                                                     std::vector<TypeId>* types) {
  auto reader = io::OpenParquet(path, options);
  types->clear();
  for (const auto& field : reader->schema()->fields()) types->push_back(field.type);
  std::vector<std::vector<std::string>> rows;
  while (auto batch = reader->Next()) {
    for (size_t r = 0; r < batch->num_rows(); ++r) {
      std::vector<std::string> cells;
      for (size_t c = 0; c < batch->num_columns(); ++c) {
        cells.push_back(Render(batch->column(c), batch->PhysicalRow(r)));
      }
      rows.push_back(std::move(cells));
    }
  }
  return rows;
}

// Compares the projection `columns` (indexes into the expected rows) of a file.
void Compare(const std::string& label, const std::vector<std::vector<std::string>>& expected,
             const std::vector<std::vector<std::string>>& actual,
             const std::vector<size_t>& columns, const std::vector<TypeId>& types) {
  if (expected.size() != actual.size()) {
    return Fail(fmt::format("{}: {} rows, DuckDB reads {}", label, actual.size(), expected.size()));
  }
  for (size_t r = 0; r < expected.size(); ++r) {
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string& want = expected[r][columns[c]];
      ++cells_compared;
      if (c >= actual[r].size() || !SameCell(want, actual[r][c], types[c])) {
        return Fail(fmt::format("{}: row {} column {}: '{}', DuckDB reads '{}'", label, r,
                                columns[c], c < actual[r].size() ? actual[r][c] : "", want));
      }
    }
  }
}

void CheckFile(const std::filesystem::path& file) {
  std::string path = file.string();
  auto expected = ReadExpected(std::filesystem::path(file).replace_extension(".expected"));
  std::vector<TypeId> types;
  for (size_t threads : {size_t{1}, size_t{0}}) {
    io::ParquetOptions options;
    options.threads = threads;
    auto actual = ReadWithSluice(path, options, &types);
    std::vector<size_t> all(types.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    Compare(fmt::format("{} (threads {})", path, threads), expected, actual, all, types);
  }
  // Every second column, then the last one alone.
  auto schema = io::OpenParquet(path)->schema();
  for (size_t step : {size_t{2}, schema->num_fields()}) {
    io::ParquetOptions options;
    std::vector<size_t> picked;
    for (size_t i = step == 2 ? 1 : schema->num_fields() - 1; i < schema->num_fields(); i += step) {
      options.columns.push_back(schema->field(i).name);
      picked.push_back(i);
    }
    auto actual = ReadWithSluice(path, options, &types);
    Compare(fmt::format("{} (projection of {} columns)", path, picked.size()), expected, actual,
            picked, types);
  }
}

int Run(const std::string& dir, const std::string& script) {
  bool ci = std::getenv("CI") != nullptr && std::string(std::getenv("CI")) == "true";
  std::string command = fmt::format("node '{}' '{}'", script, dir);
  if (std::system(command.c_str()) != 0) {
    std::cerr << (ci ? "FAIL" : "SKIP") << ": cannot make the files with node and DuckDB\n";
    return ci ? 1 : 77;
  }
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".parquet") continue;
    ++files;
    try {
      CheckFile(entry.path());
    } catch (const Error& error) {
      Fail(fmt::format("{}: {}", entry.path().string(), error.what()));
    }
  }
  if (files == 0) Fail("no Parquet files were made");
  std::cout << files << " files, " << cells_compared << " values compared, " << failures
            << " failures\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: duckdb_parquet_golden <work dir> <make-parquet.cjs>\n";
    return 2;
  }
  return sluice::Run(argv[1], argv[2]);
}
