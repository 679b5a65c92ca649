#include "catalog/catalog_schema.h"

#include <array>

#include "base/error.h"

namespace sluice::catalog {
namespace {

/// Is one schema migration: SQL both backends run, then SQL for one backend only.
struct Migration {
  const char* both;
  const char* sqlite;
  const char* postgres;
};

// Migration i takes a catalog from schema version i to i + 1. Never edit a released migration:
// append a new one. Migrations 1 and 2 were written for SQLite alone; their PostgreSQL texts
// are the same tables with BIGINT for SQLite's 64-bit INTEGER.
constexpr std::array<Migration, 5> kMigrations = {{
    // 1: results, their versions, parts and column statistics, settings.
    {"", R"sql(
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
     R"sql(
CREATE TABLE results (
  name TEXT PRIMARY KEY,
  next_version BIGINT NOT NULL,
  created_micros BIGINT NOT NULL);
CREATE TABLE versions (
  result TEXT NOT NULL REFERENCES results (name),
  version BIGINT NOT NULL,
  created_micros BIGINT NOT NULL,
  num_rows BIGINT NOT NULL,
  num_bytes BIGINT NOT NULL,
  unique_keys TEXT NOT NULL,
  PRIMARY KEY (result, version));
CREATE TABLE version_columns (
  result TEXT NOT NULL,
  version BIGINT NOT NULL,
  ordinal BIGINT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  not_null BIGINT NOT NULL,
  null_count BIGINT NOT NULL,
  min_value TEXT,
  max_value TEXT,
  PRIMARY KEY (result, version, ordinal),
  FOREIGN KEY (result, version) REFERENCES versions (result, version));
CREATE TABLE parts (
  path TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  num_rows BIGINT NOT NULL,
  num_bytes BIGINT NOT NULL);
CREATE TABLE version_parts (
  result TEXT NOT NULL,
  version BIGINT NOT NULL,
  ordinal BIGINT NOT NULL,
  path TEXT NOT NULL REFERENCES parts (path),
  PRIMARY KEY (result, version, ordinal),
  FOREIGN KEY (result, version) REFERENCES versions (result, version));
CREATE INDEX version_parts_by_path ON version_parts (path);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL);
)sql"},
    // 2: source and sink definitions (CREATE SOURCE / CREATE SINK).
    {"", R"sql(
CREATE TABLE sources (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  sql TEXT NOT NULL,
  created_micros INTEGER NOT NULL);
)sql",
     R"sql(
CREATE TABLE sources (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  sql TEXT NOT NULL,
  created_micros BIGINT NOT NULL);
)sql"},
    // 3: datasets with profiled columns, tags, lineage, runs, models and the search index;
    // sources keep the order they were first recorded in (SQLite had it as rowid).
    {R"sql(
ALTER TABLE sources ADD COLUMN position BIGINT;
CREATE TABLE datasets (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  format TEXT NOT NULL,
  location TEXT NOT NULL,
  table_name TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  modified_micros BIGINT NOT NULL,
  owner TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  version BIGINT NOT NULL,
  num_rows BIGINT NOT NULL,
  scanned_micros BIGINT NOT NULL,
  changed_micros BIGINT NOT NULL,
  sample_json TEXT NOT NULL,
  description TEXT NOT NULL);
CREATE TABLE dataset_columns (
  dataset TEXT NOT NULL REFERENCES datasets (name),
  version BIGINT NOT NULL,
  ordinal BIGINT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  semantic TEXT NOT NULL,
  semantic_confidence DOUBLE PRECISION NOT NULL,
  pii BIGINT NOT NULL,
  pii_reason TEXT NOT NULL,
  non_null BIGINT NOT NULL,
  null_fraction DOUBLE PRECISION NOT NULL,
  distinct_count DOUBLE PRECISION NOT NULL,
  min_value TEXT,
  max_value TEXT,
  mean DOUBLE PRECISION,
  stddev DOUBLE PRECISION,
  inferred_type TEXT NOT NULL,
  type_failure_fraction DOUBLE PRECISION NOT NULL,
  profile_json TEXT NOT NULL,
  PRIMARY KEY (dataset, version, ordinal));
CREATE TABLE tags (
  dataset TEXT NOT NULL REFERENCES datasets (name),
  tag TEXT NOT NULL,
  PRIMARY KEY (dataset, tag));
CREATE TABLE lineage (
  from_dataset TEXT NOT NULL,
  from_column TEXT NOT NULL,
  to_dataset TEXT NOT NULL,
  to_column TEXT NOT NULL,
  to_version BIGINT NOT NULL,
  run_id BIGINT NOT NULL,
  PRIMARY KEY (to_dataset, to_column, to_version, from_dataset, from_column));
CREATE INDEX lineage_by_source ON lineage (from_dataset);
CREATE TABLE models (
  name TEXT NOT NULL,
  version BIGINT NOT NULL,
  model_type TEXT NOT NULL,
  created_micros BIGINT NOT NULL,
  artifact_path TEXT NOT NULL,
  options_json TEXT NOT NULL,
  metrics_json TEXT NOT NULL,
  PRIMARY KEY (name, version));
)sql",
     R"sql(
UPDATE sources SET position = rowid;
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  notebook TEXT NOT NULL,
  notebook_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  started_micros BIGINT NOT NULL,
  finished_micros BIGINT NOT NULL,
  error TEXT NOT NULL,
  details_json TEXT NOT NULL);
CREATE INDEX runs_by_notebook ON runs (notebook);
CREATE VIRTUAL TABLE dataset_search USING fts5 (
  dataset UNINDEXED, name, kind, description, tags, columns, semantics,
  tokenize = 'porter unicode61 remove_diacritics 2');
)sql",
     R"sql(
CREATE TABLE runs (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  notebook TEXT NOT NULL,
  notebook_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  started_micros BIGINT NOT NULL,
  finished_micros BIGINT NOT NULL,
  error TEXT NOT NULL,
  details_json TEXT NOT NULL);
CREATE INDEX runs_by_notebook ON runs (notebook);
CREATE TABLE dataset_search (
  dataset TEXT PRIMARY KEY REFERENCES datasets (name),
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  document TSVECTOR NOT NULL);
CREATE INDEX dataset_search_document ON dataset_search USING GIN (document);
)sql"},
    // 4: input versions on lineage edges, expectation results per version, the state of each
    // notebook cell at its last successful run.
    {R"sql(
ALTER TABLE lineage ADD COLUMN from_version BIGINT NOT NULL DEFAULT 0;
CREATE TABLE expectations (
  dataset TEXT NOT NULL,
  version BIGINT NOT NULL,
  name TEXT NOT NULL,
  expression TEXT NOT NULL,
  action TEXT NOT NULL,
  rows_checked BIGINT NOT NULL,
  violations BIGINT NOT NULL,
  PRIMARY KEY (dataset, version, name));
CREATE TABLE cell_states (
  notebook TEXT NOT NULL,
  cell TEXT NOT NULL,
  state_hash TEXT NOT NULL,
  inputs_json TEXT NOT NULL,
  outputs_json TEXT NOT NULL,
  run_id BIGINT NOT NULL,
  finished_micros BIGINT NOT NULL,
  PRIMARY KEY (notebook, cell));
)sql",
     "", ""},
    // 5: model tracking (training query, inputs, hyperparameters, timings) and tuning trials.
    {R"sql(
ALTER TABLE models ADD COLUMN details_json TEXT NOT NULL DEFAULT '{}';
CREATE TABLE trials (
  model TEXT NOT NULL,
  version BIGINT NOT NULL,
  trial_id BIGINT NOT NULL,
  details_json TEXT NOT NULL,
  PRIMARY KEY (model, version, trial_id));
)sql",
     "", ""},
}};

}  // namespace

int CatalogSchemaVersion() { return static_cast<int>(kMigrations.size()); }

std::string CatalogMigration(int from, MetaBackend backend) {
  const Migration& migration = kMigrations.at(static_cast<size_t>(from));
  return std::string(migration.both) +
         (backend == MetaBackend::kSqlite ? migration.sqlite : migration.postgres);
}

core::Value ParseStatistic(bool is_null, std::string_view text, core::TypeId type) {
  if (is_null) return core::Value::Null(type);
  try {
    return core::Value::Varchar(std::string(text)).CastTo(type);
  } catch (const Error&) {
    return core::Value::Null(type);
  }
}

}  // namespace sluice::catalog
