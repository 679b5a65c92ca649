#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/column_profile.h"
#include "catalog/semantics.h"

namespace sluice::catalog {

/// Is a dataset the catalog knows: a scanned or declared source, or a result of the store.
struct DatasetRecord {
  std::string name;
  std::string kind;      // "source" or "result"
  std::string format;    // "csv", "json", "parquet", "sqlite", "postgres"
  std::string location;  // file, folder, glob or database URL; results: ".sluice/data/<name>"
  std::string table;     // the table inside an SQLite file or a PostgreSQL database, else empty
  int64_t size_bytes = 0;
  int64_t modified_micros = 0;  // newest modification time of its files (0 when unknown)
  std::string owner;            // the files' owner (user name), or who committed the result
  std::string fingerprint;      // what a re-scan compares first (sizes and modification times)
  std::string content_hash;     // what a re-scan compares when the fingerprint changed
  int64_t version = 0;          // results: the latest version; sources: scans that saw a change
  int64_t rows = 0;
  int64_t scanned_micros = 0;     // last scan or commit
  int64_t changed_micros = 0;     // last scan or commit that found the content changed (freshness)
  std::string sample_json;        // a few rows, as a JSON array of objects
  std::string description;        // set by `sluice catalog describe`; kept across re-scans
  std::vector<std::string> tags;  // set by `sluice catalog tag`; kept across re-scans, sorted
};

/// Is one column of a dataset as profiled at the dataset's `version`.
struct DatasetColumn {
  ColumnProfile profile;
  ColumnSemantics semantics;
};

/// Is one edge of lineage: `to` (a dataset, or one of its columns) was made from `from`.
/// Columns are empty for dataset-level edges.
struct LineageEdge {
  std::string from_dataset;
  std::string from_column;
  std::string to_dataset;
  std::string to_column;
  int64_t to_version = 0;
  int64_t run_id = 0;        // 0 when not made by a recorded run
  int64_t from_version = 0;  // the input's version read (0 when it has none: files, sources)
};

/// Is what one expectation of a result (`CONSTRAINT name EXPECT (expr) ON VIOLATION action`)
/// found in one version: rows where `expression` was false or NULL are violations.
struct ExpectationResult {
  std::string name;
  std::string expression;  // as SQL text
  std::string action;      // "warn", "drop_row" or "fail"
  int64_t rows_checked = 0;
  int64_t violations = 0;
  std::string dataset;  // filled when read back from the catalog
  int64_t version = 0;  // filled when read back from the catalog
};

/// Is what a version was made from, recorded with it in the same transaction: lineage edges
/// into it (their `to_dataset` and `to_version` are set by the commit) and its expectations.
struct VersionProvenance {
  std::vector<LineageEdge> lineage;
  std::vector<ExpectationResult> expectations;
};

/// Is a notebook cell as of its last successful run: what an incremental run compares.
struct CellState {
  std::string notebook;      // the notebook's path relative to the workspace
  std::string cell;          // the cell's name
  std::string state_hash;    // of the cell's text and its inputs' versions
  std::string inputs_json;   // {"name": "version token", ...}
  std::string outputs_json;  // {"name": "version token", ...}
  int64_t run_id = 0;
  int64_t finished_micros = 0;
};

/// Is one run of a notebook (or of any job) as the catalog records it.
struct RunRecord {
  int64_t id = 0;
  std::string notebook;
  std::string notebook_hash;
  std::string status;  // "running", "succeeded", "failed"
  int64_t started_micros = 0;
  int64_t finished_micros = 0;
  std::string error;
  std::string details_json;  // per-cell status, timings, rows, versions
};

/// Is one version of a trained model.
struct ModelRecord {
  std::string name;
  int64_t version = 0;
  std::string model_type;
  int64_t created_micros = 0;
  std::string artifact_path;  // relative to the workspace
  std::string options_json;
  std::string metrics_json;
  std::string details_json = "{}";  // training query, cell, run, inputs, hyperparameters, timings
};

/// Is one hyperparameter tuning trial of a model version.
struct TrialRecord {
  std::string model;
  int64_t version = 0;
  int64_t trial_id = 0;
  std::string details_json;  // hyperparameters, metrics, objective, budget, seconds, best, error
};

/// Is one answer of a full-text search over the catalog: the dataset and what matched.
struct SearchHit {
  std::string dataset;
  std::string kind;
  std::string snippet;  // the matched text, with the matched words marked [like this]
  double rank = 0;      // larger is better
};

}  // namespace sluice::catalog
