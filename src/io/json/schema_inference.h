#pragma once

#include <simdjson.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.h"
#include "io/json/json_reader.h"

namespace sluice::io {

/// Is what the values of a column looked like so far: which JSON kinds were seen, and whether
/// every string was a date or a timestamp. Guesses only grow, so a type only widens.
struct TypeGuess {
  bool has_boolean = false;
  bool has_integer = false;
  bool has_double = false;
  bool has_string = false;
  bool has_nested = false;
  bool strings_are_dates = true;
  bool strings_are_timestamps = true;

  /// Returns true when only NULLs (or nothing) were seen.
  bool empty() const;
  /// Adds what `other` saw.
  void Merge(const TypeGuess& other);
  /// Adds what `value` looks like.
  void Observe(simdjson::dom::element value);
  /// Returns the narrowest type holding every value seen: BOOLEAN < BIGINT < DOUBLE; strings
  /// all dates → DATE, all timestamps → TIMESTAMP; strings mixed with anything, nested
  /// values, or nothing seen → VARCHAR.
  core::TypeId Resolve() const;
};

/// Is one column found in the input: its name (dotted when flattened) and its values' guess.
struct ColumnInfo {
  std::string name;
  TypeGuess guess;
  std::optional<core::TypeId> forced;

  /// Returns the forced type, or else the guess's.
  core::TypeId type() const { return forced ? *forced : guess.Resolve(); }
};

/// Is the columns of a JSON input in first-seen order, with a lookup by name.
class ColumnSet {
 public:
  /// Returns the index of the column `name`, adding it when new.
  size_t Add(std::string_view name);
  /// Returns the index of the column `name`, if there is one.
  std::optional<size_t> Find(std::string_view name) const;
  size_t size() const { return columns_.size(); }
  ColumnInfo& column(size_t i) { return columns_[i]; }
  const ColumnInfo& column(size_t i) const { return columns_[i]; }

  /// Adds the columns of `other` after these and merges the guesses of shared names.
  void Merge(const ColumnSet& other);
  /// Observes every field of `record`, flattening nested objects per `options`.
  void ObserveRecord(simdjson::dom::object record, const JsonOptions& options);
  /// Marks the forced types of `options`, adding forced columns not seen at the end.
  void ApplyForcedTypes(const JsonOptions& options);

 private:
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };

  void ObserveObject(simdjson::dom::object object, std::string& path, const JsonOptions& options);

  std::vector<ColumnInfo> columns_;
  std::unordered_map<std::string, size_t, NameHash, std::equal_to<>> index_;
};

/// Infers the columns of the first `options.sample_rows` records (all when 0) of `input`, in
/// the resolved `format`. Throws DataError, naming `name` and the place, on malformed records.
ColumnSet InferColumns(std::string_view input, JsonFormat format, const std::string& name,
                       const JsonOptions& options);

}  // namespace sluice::io
