#include "catalog/catalog_schema.h"

#include <array>

#include "base/error.h"

namespace sluice::catalog {
namespace {

// Migration i takes a catalog from user_version i to i + 1. Never edit a released migration:
// append a new one.
constexpr std::array<const char*, 2> kMigrations = {
    // 1: results, their versions, parts and column statistics, settings.
    R"sql(
CREATE TABLE results (
  name TEXT PRIMARY KEY,
  next_version INTEGER NOT NULL,
  created_micros INTEGER NOT NULL);
CREATE TABLE versions (
  result TEXT NOT NULL REFERENCES results (name),
  version INTEGER NOT NULL,
  created_micros INTEGER NOT NULL,
  num_rows INTEGER NOT NULL,
  num_bytes INTEGER NOT NULL,
  unique_keys TEXT NOT NULL,
  PRIMARY KEY (result, version));
CREATE TABLE version_columns (
  result TEXT NOT NULL,
  version INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  not_null INTEGER NOT NULL,
  null_count INTEGER NOT NULL,
  min_value TEXT,
  max_value TEXT,
  PRIMARY KEY (result, version, ordinal),
  FOREIGN KEY (result, version) REFERENCES versions (result, version));
CREATE TABLE parts (
  path TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  num_rows INTEGER NOT NULL,
  num_bytes INTEGER NOT NULL);
CREATE TABLE version_parts (
  result TEXT NOT NULL,
  version INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  path TEXT NOT NULL REFERENCES parts (path),
  PRIMARY KEY (result, version, ordinal),
  FOREIGN KEY (result, version) REFERENCES versions (result, version));
CREATE INDEX version_parts_by_path ON version_parts (path);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL);
)sql",
    // 2: source and sink definitions (CREATE SOURCE / CREATE SINK).
    R"sql(
CREATE TABLE sources (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  sql TEXT NOT NULL,
  created_micros INTEGER NOT NULL);
)sql",
};

}  // namespace

int CatalogSchemaVersion() { return static_cast<int>(kMigrations.size()); }

const char* CatalogMigration(int from) { return kMigrations.at(static_cast<size_t>(from)); }

core::Value ParseStatistic(bool is_null, std::string_view text, core::TypeId type) {
  if (is_null) return core::Value::Null(type);
  try {
    return core::Value::Varchar(std::string(text)).CastTo(type);
  } catch (const Error&) {
    return core::Value::Null(type);
  }
}

}  // namespace sluice::catalog
