#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::testing {

/// Names what a record of a sqllogictest file asks for.
enum class RecordKind {
  kStatement,      // statement ok | statement error [message after ----]
  kQuery,          // query <types> [sort mode] [label], expected values after ----
  kHashThreshold,  // hash-threshold N
  kHalt,           // halt: stop reading the file
  kRequire,        // require <feature> (DuckDB): the file needs a feature
  kRestart,        // restart (DuckDB): reopen the database (a workspace keeps its results)
  kInvalid,        // a record that could not be read; `error` says why
};

/// Names how query results are ordered before they are compared.
enum class SortMode { kNoSort, kRowSort, kValueSort };

/// Is a skipif/onlyif line in front of a record.
struct Condition {
  bool only_if = false;
  std::string engine;
};

/// Is one record of a sqllogictest file.
struct Record {
  RecordKind kind = RecordKind::kInvalid;
  /// Is the 1-based line of the record's command (after its conditions).
  int line = 0;
  std::vector<Condition> conditions;
  std::string sql;
  /// Is true for `statement error`.
  bool expect_error = false;
  /// Is the message text expected in the error (DuckDB style), when given.
  std::optional<std::string> expected_error;
  /// Is the query's column types, one character of T, I, R per column.
  std::string types;
  SortMode sort_mode = SortMode::kNoSort;
  std::string label;
  /// Is the lines after ---- of a query: values (one per line or tab-separated rows) or a hash.
  std::vector<std::string> expected;
  /// Is the argument of hash-threshold or require.
  std::string argument;
  /// Is the reason a record is kInvalid.
  std::string error;
};

/// Returns the records of a sqllogictest file's text (SQLite's format with DuckDB's additions).
/// Comment lines (#) are dropped; `mode` lines are ignored; loop/foreach blocks are expanded.
/// Malformed records come back as kInvalid records rather than as exceptions.
std::vector<Record> ParseSqlLogicTest(std::string_view text);

/// Returns true if the record's conditions let it run on engine `engine` ("sluice").
bool RecordApplies(const Record& record, std::string_view engine);

}  // namespace sluice::testing
