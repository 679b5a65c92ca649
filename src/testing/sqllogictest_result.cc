#include "testing/sqllogictest_result.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>

#include <fmt/format.h>

#include "testing/md5.h"

namespace sluice::testing {
namespace {

// Returns the integer `text` starts with, as SQLite reads text in an integer column.
int64_t LeadingInteger(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  bool negative = i < text.size() && text[i] == '-';
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  uint64_t magnitude = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / 10) break;
    magnitude = magnitude * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  int64_t value = static_cast<int64_t>(
      std::min<uint64_t>(magnitude, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
  return negative ? -value : value;
}

int64_t TruncateToInteger(double value) {
  if (std::isnan(value)) return 0;
  if (value >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (value <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

std::string FormatInteger(const core::Value& value) {
  switch (value.type()) {
    case core::TypeId::kBoolean:
      return value.GetBoolean() ? "1" : "0";
    case core::TypeId::kInteger:
    case core::TypeId::kBigint:
      return std::to_string(value.GetInt64());
    case core::TypeId::kDouble:
      return std::to_string(TruncateToInteger(value.GetDouble()));
    default:
      return std::to_string(LeadingInteger(value.ToString()));
  }
}

std::string FormatReal(const core::Value& value) {
  double number;
  switch (value.type()) {
    case core::TypeId::kBoolean:
    case core::TypeId::kInteger:
    case core::TypeId::kBigint:
      number = static_cast<double>(value.GetInt64());
      break;
    case core::TypeId::kDouble:
      number = value.GetDouble();
      break;
    default:
      number = std::strtod(value.ToString().c_str(), nullptr);
      break;
  }
  return fmt::format("{:.3f}", number);
}

std::string FormatText(const core::Value& value) {
  std::string text = value.ToString();
  if (text.empty()) return "(empty)";
  // Keeps every value on one line without tabs; UTF-8 stays readable (SQLite maps it to '@').
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) c = '@';
  }
  return text;
}

// Returns the expected values of `lines`: a tab separates the values of a DuckDB-style row.
std::vector<std::string> SplitExpected(const std::vector<std::string>& lines) {
  std::vector<std::string> values;
  for (const std::string& line : lines) {
    size_t start = 0;
    for (size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
      values.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    values.push_back(line.substr(start));
  }
  return values;
}

std::string Describe(const std::vector<std::string>& expected,
                     const std::vector<std::string>& actual) {
  if (expected.size() != actual.size()) {
    return fmt::format("expected {} values, got {}", expected.size(), actual.size());
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] != actual[i]) {
      return fmt::format("value {}: expected [{}], got [{}]", i + 1, expected[i], actual[i]);
    }
  }
  return "";
}

}  // namespace

std::string FormatValue(const core::Value& value, char type) {
  if (value.is_null()) return "NULL";
  if (type == 'I') return FormatInteger(value);
  if (type == 'R') return FormatReal(value);
  return FormatText(value);
}

std::vector<std::string> FormatValues(const std::vector<core::Batch>& batches,
                                      std::string_view types) {
  std::vector<std::string> values;
  for (const core::Batch& batch : batches) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      for (size_t column = 0; column < types.size(); ++column) {
        values.push_back(FormatValue(batch.GetValue(column, row), types[column]));
      }
    }
  }
  return values;
}

void SortValues(std::vector<std::string>& values, size_t num_columns, SortMode mode) {
  if (mode == SortMode::kValueSort) {
    std::sort(values.begin(), values.end());
    return;
  }
  if (mode != SortMode::kRowSort || num_columns == 0 || values.size() % num_columns != 0) return;
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < values.size(); i += num_columns) {
    rows.emplace_back(values.begin() + static_cast<ptrdiff_t>(i),
                      values.begin() + static_cast<ptrdiff_t>(i + num_columns));
  }
  std::sort(rows.begin(), rows.end());
  values.clear();
  for (auto& row : rows) {
    for (auto& value : row) values.push_back(std::move(value));
  }
}

std::string HashValues(const std::vector<std::string>& values) {
  Md5 md5;
  for (const std::string& value : values) {
    md5.Update(value);
    md5.Update("\n");
  }
  return fmt::format("{} values hashing to {}", values.size(), md5.FinishHex());
}

std::optional<std::string> CompareValues(const std::vector<std::string>& actual,
                                         const Record& record) {
  static const std::regex kHashLine(R"(\d+ values hashing to [0-9a-f]{32})");
  if (record.expected.size() == 1 && std::regex_match(record.expected[0], kHashLine)) {
    std::string hash = HashValues(actual);
    if (hash == record.expected[0]) return std::nullopt;
    return "expected " + record.expected[0] + ", got " + hash;
  }
  std::vector<std::string> expected = SplitExpected(record.expected);
  SortValues(expected, record.types.size(), record.sort_mode);
  std::string difference = Describe(expected, actual);
  if (difference.empty()) return std::nullopt;
  return difference;
}

}  // namespace sluice::testing
