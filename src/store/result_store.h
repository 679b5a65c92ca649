#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog_db.h"
#include "catalog/column_profiler.h"
#include "catalog/version_info.h"
#include "core/batch.h"
#include "io/parquet/parquet_writer.h"
#include "store/part_writer.h"

namespace sluice::store {

/// Configures a result store.
struct StoreOptions {
  /// How long a writer waits for another writer of the same result before it gives up.
  std::chrono::milliseconds lock_timeout{60000};
  /// Rows per Parquet part; a larger result is written as several parts, concurrently.
  size_t part_rows = 1 << 20;
  io::ParquetCompression compression = io::ParquetCompression::kZstd;
};

/// Says how a commit relates to the versions that exist.
enum class CommitMode {
  kCreate,   // the result must not exist yet (CREATE TABLE)
  kReplace,  // a new version replacing the rows, whether or not the result exists (OR REPLACE)
  kAppend,   // a new version holding the latest version's parts plus the new rows (INSERT)
};

/// Is one commit: the rows of a new version of `name` and its constraints.
struct CommitRequest {
  std::string name;
  CommitMode mode = CommitMode::kCreate;
  core::SchemaPtr schema;
  std::vector<core::Batch> batches;              // rows (kAppend: only the new ones)
  std::vector<bool> not_null;                    // per column; empty: none (kAppend: kept)
  std::vector<std::vector<size_t>> unique_keys;  // kAppend: kept from the latest version
  /// Runs under the result's lock before anything is written, with the latest version (null
  /// when there is none); throws to refuse the commit (constraint checks).
  std::function<void(const catalog::VersionInfo* latest)> check;
  /// Is recorded with the version: lineage edges into it and its expectation results.
  catalog::VersionProvenance provenance;
  /// Set when several writers write the new parts together (the ranks of a job, each holding
  /// every row, the others calling WriteShare): this commit writes `share`'s parts, and
  /// `write_together(folder, write_mine)` has the others write theirs into `folder` while it
  /// calls `write_mine`, and returns every part in part order. Called only when there are
  /// rows to write, after `check`; it throws when any writer failed.
  PartShare share;
  std::function<std::vector<WrittenPart>(
      const std::string& folder, const std::function<std::vector<WrittenPart>()>& write_mine)>
      write_together;
};

struct PinTable;

/// Is a committed version held open for reading: garbage collection in this process keeps its
/// parts while any reference to the pin lives.
class PinnedVersion {
 public:
  PinnedVersion(catalog::VersionInfo info, std::string data_dir, std::shared_ptr<PinTable> pins);
  ~PinnedVersion();
  PinnedVersion(const PinnedVersion&) = delete;
  PinnedVersion& operator=(const PinnedVersion&) = delete;

  const catalog::VersionInfo& info() const { return info_; }
  /// Returns the absolute path of part `i`.
  std::string PartPath(size_t i) const;

 private:
  catalog::VersionInfo info_;
  std::string data_dir_;
  std::shared_ptr<PinTable> pins_;
};

/// Is the versioned result store of a workspace: `.sluice/catalog.db` records results and
/// versions, `.sluice/data/<name>/<version>/part-<rank>-<n>.parquet` holds their rows. A commit
/// writes parts into `.sluice/tmp/`, flushes them, renames the folder into place and then records
/// the version in one catalog transaction; Open removes what an interrupted commit left.
/// Writers of one result are serialized by `.sluice/locks/<name>.lock` (threads and processes).
/// Thread-safe.
class ResultStore {
 public:
  /// Opens the workspace in folder `workspace`, creating `.sluice/` when missing, and removes
  /// leftovers of interrupted commits (of results no live writer holds). Throws IoError.
  static std::unique_ptr<ResultStore> Open(const std::string& workspace, StoreOptions options = {});
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  const std::string& workspace() const { return workspace_; }
  /// Returns the `.sluice` folder.
  const std::string& state_dir() const { return state_dir_; }
  catalog::CatalogDb& catalog() { return *catalog_; }

  /// Returns the names of every result, sorted.
  std::vector<std::string> ResultNames();
  /// Returns version `version` (the latest when absent) of result `name`, pinned; nullptr when
  /// there is no such result. Throws UserError naming the versions that exist when `version`
  /// is not one of them.
  std::shared_ptr<const PinnedVersion> Pin(std::string_view name,
                                           std::optional<int64_t> version = std::nullopt);
  /// Writes `request`'s rows as new parts and commits the new version; then collects the
  /// result's garbage. Throws UserError when kCreate finds the result or kAppend does not, when
  /// the result is busy past the lock timeout, or when `check` throws; IoError when writing fails.
  /// Nothing is committed when it throws.
  catalog::VersionInfo Commit(CommitRequest request);
  /// Writes `share`'s parts of a commit that another process runs into its temporary folder
  /// `folder` (see CommitRequest::write_together). Throws IoError when writing fails, and
  /// InternalError when `folder` is not a temporary folder of this workspace.
  std::vector<WrittenPart> WriteShare(const std::string& folder, const core::SchemaPtr& schema,
                                      const std::vector<core::Batch>& batches, PartShare share);
  /// Removes version `version` of `name` as if it had never been committed (a notebook cell
  /// that fails after committing it); the version before becomes the latest again. A query of
  /// this process still reading the version keeps its files until the next open.
  void Retract(std::string_view name, int64_t version);
  /// Drops result `name` with every version and its folder; returns false when there was none.
  bool Drop(std::string_view name);

  /// Returns how many versions each result keeps (setting `retention_versions`, default 10).
  int64_t retention_versions();
  /// Persists how many versions each result keeps (at least 1) and collects garbage now.
  void SetRetentionVersions(int64_t versions);
  /// Deletes the versions of `name` beyond the retention that no query of this process reads,
  /// and the parts no remaining version references. REQUIRES: the caller holds `name`'s lock.
  void CollectGarbage(std::string_view name);

 private:
  ResultStore(std::string workspace, StoreOptions options);
  std::string LockPath(std::string_view name) const;
  std::unique_ptr<class FileLock> LockResult(std::string_view name);
  void Recover();
  void RecoverResult(const std::string& name);
  void WriteNewParts(CommitRequest& request, catalog::VersionInfo& info,
                     catalog::TableProfiler& profile);
  void RemoveParts(std::string_view name, const std::vector<std::string>& paths);

  std::string workspace_;
  std::string state_dir_;
  std::string data_dir_;
  std::string tmp_dir_;
  std::string lock_dir_;
  StoreOptions options_;
  std::unique_ptr<catalog::CatalogDb> catalog_;
  std::shared_ptr<PinTable> pins_;
};

/// Checks that `name` can name a folder of the store; throws UserError when it cannot.
void CheckResultName(std::string_view name);

}  // namespace sluice::store
