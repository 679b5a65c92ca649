// Writes Parquet files with Sluice's writer, and beside each the values it wrote as JSON lines,
// then runs check_parquet.js, which reads the files with DuckDB and compares every value.
// Usage: duckdb_parquet_roundtrip <work dir> <check_parquet.js>
// Exit codes: 0 passed, 1 failed, 77 skipped (node or @duckdb/node-api missing, outside CI).

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/json_text.h"
#include "core/batch.h"
#include "io/parquet/parquet_writer.h"

namespace sluice {
namespace {

using core::TypeId;
using core::Value;

core::SchemaPtr FileSchema() {
  return std::make_shared<core::Schema>(std::vector<core::Field>{{"b", TypeId::kBoolean},
                                                                 {"i", TypeId::kInteger},
                                                                 {"l", TypeId::kBigint},
                                                                 {"d", TypeId::kDouble},
                                                                 {"s", TypeId::kVarchar},
                                                                 {"u", TypeId::kVarchar},
                                                                 {"dt", TypeId::kDate},
                                                                 {"ts", TypeId::kTimestamp},
                                                                 {"all_null", TypeId::kInteger},
                                                                 {"row_id", TypeId::kBigint}});
}

// Returns a string for row `r`: empty, unicode, quotes and line breaks, sometimes long.
std::string Text(std::mt19937_64& random, int64_t r, size_t long_every) {
  static const char* kSamples[] = {"",        "a",          "ünïcødé",     "日本語テキスト",
                                   "emoji 😀", "quote \" x", "line\nbreak", "tab\tcomma,",
                                   "   ",     "\\back"};
  if (long_every > 0 && r % static_cast<int64_t>(long_every) == 7) {
    return std::string(5000 + random() % 100000, static_cast<char>('a' + r % 26));
  }
  return std::string(kSamples[random() % 10]) + std::to_string(random() % 100000);
}

double Double(std::mt19937_64& random, int64_t r) {
  static const double kSpecial[] = {0.0,
                                    -0.0,
                                    std::numeric_limits<double>::quiet_NaN(),
                                    std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity(),
                                    std::numeric_limits<double>::denorm_min(),
                                    std::numeric_limits<double>::max(),
                                    std::numeric_limits<double>::lowest(),
                                    0.1,
                                    1e-300};
  if (r % 97 == 5) return kSpecial[random() % 10];
  return std::ldexp(static_cast<double>(static_cast<int64_t>(random())),
                    -static_cast<int>(random() % 80));
}

// Returns row r's values; `null_every` > 0 makes about one value in that many NULL.
std::vector<Value> MakeRow(std::mt19937_64& random, int64_t r, size_t null_every,
                           size_t long_every) {
  std::vector<Value> row = {
      Value::Boolean(random() % 2 == 0),
      Value::Integer(r % 50 == 1   ? std::numeric_limits<int32_t>::min()
                     : r % 50 == 2 ? std::numeric_limits<int32_t>::max()
                                   : static_cast<int32_t>(random() % 2001) - 1000),
      Value::Bigint(r % 50 == 3   ? std::numeric_limits<int64_t>::min()
                    : r % 50 == 4 ? std::numeric_limits<int64_t>::max()
                                  : static_cast<int64_t>(random())),
      Value::Double(Double(random, r)),
      Value::Varchar("group " + std::to_string(random() % 20)),
      Value::Varchar(Text(random, r, long_every)),
      Value::Date(static_cast<int32_t>(random() % 2932897) - 719528),  // 0001-01-01..9999-12-31
      Value::Timestamp(static_cast<int64_t>(random() % 400000000000000000) - 100000000000000000),
      Value::Null(TypeId::kInteger),
      Value::Bigint(r),
  };
  if (null_every > 0) {
    for (size_t c = 0; c + 2 < row.size(); ++c) {
      if (random() % null_every == 0) row[c] = Value::Null(row[c].type());
    }
  }
  return row;
}

// Returns `value` as check_parquet.js compares it: JSON, with 64-bit numbers as strings and
// doubles as the hex of their bits.
std::string ExpectedJson(const Value& value) {
  if (value.is_null()) return "null";
  switch (value.type()) {
    case TypeId::kBoolean:
      return value.GetBoolean() ? "true" : "false";
    case TypeId::kInteger:
    case TypeId::kDate:
      return std::to_string(value.GetInt64());
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      return "\"" + std::to_string(value.GetInt64()) + "\"";
    case TypeId::kDouble: {
      double number = value.GetDouble();
      uint64_t bits = 0;
      std::memcpy(&bits, &number, 8);
      return fmt::format("\"{:016x}\"", bits);
    }
    case TypeId::kVarchar:
      return JsonString(value.GetString());
  }
  return "null";
}

struct FileSpec {
  std::string name;
  std::string codec;  // as DuckDB names it
  io::ParquetCompression compression;
  bool dictionary;
  size_t rows;
  size_t row_group_rows;
  size_t null_every;
  size_t long_every;
};

void WriteFile(const std::filesystem::path& directory, const FileSpec& spec) {
  core::SchemaPtr schema = FileSchema();
  io::ParquetWriteOptions options;
  options.compression = spec.compression;
  options.dictionary = spec.dictionary;
  options.row_group_rows = spec.row_group_rows;
  auto writer =
      io::CreateParquetWriter((directory / (spec.name + ".parquet")).string(), schema, options);
  std::ofstream expected(directory / (spec.name + ".expected.jsonl"), std::ios::binary);
  std::mt19937_64 random(spec.rows * 31 + spec.null_every);
  for (size_t start = 0; start < spec.rows; start += core::kVectorSize) {
    core::Batch batch(schema);
    for (size_t r = start; r < std::min(spec.rows, start + core::kVectorSize); ++r) {
      std::vector<Value> row =
          MakeRow(random, static_cast<int64_t>(r), spec.null_every, spec.long_every);
      std::string line = "[";
      for (size_t c = 0; c < row.size(); ++c) line += (c ? "," : "") + ExpectedJson(row[c]);
      expected << line << "]\n";
      batch.AppendRow(row);
    }
    writer->Write(batch);
  }
  io::ParquetFileSummary summary = writer->Finish();
  std::ofstream meta(directory / (spec.name + ".spec.json"));
  meta << fmt::format(
      "{{\"rows\":{},\"row_group_rows\":{},\"dictionary\":{},\"codec\":\"{}\",\"bytes\":{}}}\n",
      spec.rows, spec.row_group_rows, spec.dictionary ? "true" : "false", spec.codec,
      summary.file_bytes);
}

std::vector<FileSpec> Specs() {
  using C = io::ParquetCompression;
  std::vector<FileSpec> specs;
  const std::pair<C, const char*> codecs[] = {{C::kZstd, "ZSTD"},
                                              {C::kSnappy, "SNAPPY"},
                                              {C::kGzip, "GZIP"},
                                              {C::kLz4Raw, "LZ4_RAW"},
                                              {C::kUncompressed, "UNCOMPRESSED"}};
  for (const auto& [codec, name] : codecs) {
    specs.push_back({std::string(name) + "-dict", name, codec, true, 5000, 1000, 7, 0});
    specs.push_back({std::string(name) + "-plain", name, codec, false, 5000, 1000, 7, 0});
  }
  specs.push_back({"big", "ZSTD", C::kZstd, true, 300000, 1 << 20, 11, 0});
  specs.push_back({"long-strings", "ZSTD", C::kZstd, true, 3000, 1000, 5, 50});
  specs.push_back({"no-nulls", "ZSTD", C::kZstd, true, 10000, 3000, 0, 0});
  specs.push_back({"empty", "ZSTD", C::kZstd, true, 0, 1000, 0, 0});
  specs.push_back({"tiny-groups", "SNAPPY", C::kSnappy, true, 999, 10, 3, 0});
  return specs;
}

bool CommandWorks(const std::string& command) { return std::system(command.c_str()) == 0; }

int Run(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: duckdb_parquet_roundtrip <work dir> <check_parquet.js>\n";
    return 1;
  }
  bool ci = std::getenv("CI") != nullptr && std::string(std::getenv("CI")) == "true";
  std::string js = argv[2];
  // check_parquet.js sits in test/integration/duckdb/ of the repository.
  std::filesystem::path root = std::filesystem::path(js).parent_path() / "../../..";
  std::string modules = (root / "node_modules/@duckdb/node-api").lexically_normal().string();
  if (!CommandWorks("node --version >/dev/null 2>&1") || !std::filesystem::exists(modules)) {
    std::cerr << "node or " << modules << " is missing (run scripts/bootstrap)\n";
    return ci ? 1 : 77;
  }
  std::filesystem::path directory = argv[1];
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  for (const FileSpec& spec : Specs()) WriteFile(directory, spec);
  return CommandWorks(fmt::format("node '{}' '{}'", js, directory.string())) ? 0 : 1;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  try {
    return sluice::Run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
}
