#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::session {

class Database;

/// Is what a scan did with one dataset.
struct ScanOutcome {
  std::string name;      // the dataset's name in the catalog (empty when skipped)
  std::string format;    // "csv", "json", "parquet", "sqlite", "postgres"
  std::string location;  // file, folder or URL (with "#table" for database tables)
  std::string status;    // "new", "changed", "unchanged", "skipped", "failed"
  int64_t rows = 0;
  int64_t columns = 0;
  std::string reason;  // why it was skipped or failed
};

/// Finds the datasets under `inputs` (files, folders, globs, postgresql:// URLs), registers
/// each in the workspace catalog as a source queryable by name, and profiles the new and
/// changed ones (schema, rows, sample, column profiles, semantics). Inputs unchanged since the
/// last scan (same sizes and times, or else same content hash) are not read again. A dataset
/// that cannot be read is reported as failed; the others are still scanned. Throws UserError
/// when `database` is not a workspace or an input does not exist.
std::vector<ScanOutcome> ScanDatasets(Database& database, const std::vector<std::string>& inputs);

}  // namespace sluice::session
