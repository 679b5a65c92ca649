#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/schema.h"
#include "core/value.h"

namespace sluice::catalog {

/// Is one Parquet file of a result; `path` is relative to `.sluice/data/`
/// ("sales/3/part-0-0.parquet"). A part may belong to several versions of its result.
struct PartInfo {
  std::string path;
  int64_t num_rows = 0;
  int64_t num_bytes = 0;
};

/// Is one column of a version: its statistics over every part (min/max NULL when unknown or
/// when every value is NULL) and whether it is declared NOT NULL.
struct ColumnInfo {
  int64_t null_count = 0;
  core::Value min = core::Value::Null(core::TypeId::kVarchar);
  core::Value max = core::Value::Null(core::TypeId::kVarchar);
  bool not_null = false;
};

/// Is one committed version of a result as the catalog records it.
struct VersionInfo {
  std::string result;
  int64_t version = 0;
  int64_t created_micros = 0;  // since 1970-01-01 UTC
  int64_t num_rows = 0;
  int64_t num_bytes = 0;
  core::SchemaPtr schema;
  std::vector<ColumnInfo> columns;               // in schema order
  std::vector<std::vector<size_t>> unique_keys;  // PRIMARY KEY / UNIQUE column sets
  std::vector<PartInfo> parts;                   // in row order
};

/// Is a CREATE SOURCE / CREATE SINK definition kept in the catalog.
struct SourceDefinition {
  std::string name;
  std::string kind;  // "source" or "sink" (free text for the caller)
  std::string sql;   // the statement that defined it, to be run again when the workspace opens
  int64_t created_micros = 0;
};

}  // namespace sluice::catalog
