#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "exec/source_operators.h"

namespace sluice::planner {

/// Is a table the planner can scan: its schema and its batches, shared and immutable.
struct TableEntry {
  core::SchemaPtr schema;
  exec::BatchList batches;
};

/// Names the tables (and, later, views and sources) queries can use. Thread-safe to read.
class Catalog {
 public:
  virtual ~Catalog() = default;
  /// Returns the table named `name` (lower case), or nullptr.
  virtual std::shared_ptr<const TableEntry> FindTable(std::string_view name) const = 0;
  /// Returns every table name, for suggestions.
  virtual std::vector<std::string> TableNames() const = 0;
};

}  // namespace sluice::planner
