#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/dataset_record.h"
#include "catalog/meta_db.h"
#include "catalog/version_info.h"

namespace sluice::catalog {

/// Is the workspace catalog: results, their versions with parts, statistics and constraints,
/// settings, source definitions, and the datasets the catalog knows with their profiled
/// columns, tags, lineage, runs and models. All SQL of the store and the catalog lives here,
/// written once over MetaDb for its two backends: a SQLite file (`.sluice/catalog.db`, WAL
/// mode; the default) or a PostgreSQL database (`catalog: postgresql://…` in sluice.yaml) that
/// several processes on several machines share. Each method is one transaction. Thread-safe;
/// several processes may open the same catalog (SQLite serializes writers, waiting up to a busy
/// timeout; PostgreSQL locks the rows a writer changes). Failures throw IoError naming the file
/// or the URL (without its password).
class CatalogDb {
 public:
  /// Opens the catalog at `location` and migrates it to the newest schema version: a
  /// PostgreSQL database when `location` is a postgresql:// or postgres:// URL, else a SQLite
  /// file (created if needed). Throws DataError when the catalog was written by a newer Sluice
  /// or is not a catalog, IoError when it cannot be opened or reached.
  static std::unique_ptr<CatalogDb> Open(const std::string& location);
  ~CatalogDb();
  CatalogDb(const CatalogDb&) = delete;
  CatalogDb& operator=(const CatalogDb&) = delete;

  /// Returns the backend the catalog is in.
  MetaBackend backend() const { return db_->backend(); }
  /// Returns the catalog as messages name it: a path, or a URL without its password.
  const std::string& display_name() const { return db_->display_name(); }
  /// Returns the schema version of the catalog.
  int schema_version();
  /// Returns the names of every result with at least one version, sorted.
  std::vector<std::string> ResultNames();
  /// Returns the committed versions of `name`, ascending (empty when there is no such result).
  std::vector<int64_t> Versions(std::string_view name);
  /// Returns version `version` of `name` with its parts and columns, or nothing.
  std::optional<VersionInfo> FindVersion(std::string_view name, int64_t version);
  /// Reserves and returns a number for the next version of `name` (1 for a new result): no
  /// two calls, in this process or another on the same catalog, get the same number, and a
  /// number reserved but never recorded is skipped.
  int64_t NextVersion(std::string_view name);
  /// Records `info` as a new version (creating the result when needed), when `dataset` is
  /// given the result as a dataset with `columns` as PutDataset does, and when `provenance` is
  /// given its lineage edges and expectation results, in one transaction. Throws IoError when
  /// that version of the result is already recorded.
  void AddVersion(const VersionInfo& info, const DatasetRecord* dataset = nullptr,
                  const std::vector<DatasetColumn>* columns = nullptr,
                  const VersionProvenance* provenance = nullptr);
  /// Removes version `version` of `name` as if it had never been committed (the result's
  /// dataset record goes back to the version before, or away when there is none); returns the
  /// part paths no remaining version references.
  std::vector<std::string> RetractVersion(std::string_view name, int64_t version);
  /// Deletes `versions` of `name`; returns the part paths no remaining version references.
  std::vector<std::string> DeleteVersions(std::string_view name,
                                          const std::vector<int64_t>& versions);
  /// Deletes result `name` with every version; returns false when it had no version.
  bool DropResult(std::string_view name);
  /// Returns every part path that some version of `name` references.
  std::vector<std::string> PartPaths(std::string_view name);

  /// Returns setting `name`, or nothing when it was never set.
  std::optional<std::string> GetSetting(std::string_view name);
  /// Stores setting `name`.
  void PutSetting(std::string_view name, std::string_view value);

  /// Records (or replaces) the definition of source or sink `name`.
  void RecordSource(std::string_view name, std::string_view kind, std::string_view sql);
  /// Forgets source or sink `name`; returns false when there was none.
  bool ForgetSource(std::string_view name);
  /// Returns every recorded source and sink, in the order they were first recorded.
  std::vector<SourceDefinition> Sources();

  // Datasets: scanned sources and committed results with their profiled columns.

  /// Records `dataset` (replacing a record of that name, but keeping its description and
  /// tags) with its columns at `dataset.version`, and refreshes its search text; one
  /// transaction.
  void PutDataset(const DatasetRecord& dataset, const std::vector<DatasetColumn>& columns);
  /// Returns dataset `name`, or nothing.
  std::optional<DatasetRecord> FindDataset(std::string_view name);
  /// Returns every dataset, sorted by name.
  std::vector<DatasetRecord> Datasets();
  /// Returns the columns of `name` at `version` (0: its current version), in order.
  std::vector<DatasetColumn> DatasetColumns(std::string_view name, int64_t version = 0);
  /// Forgets dataset `name` with its columns, tags and lineage; false when there was none.
  bool DropDataset(std::string_view name);
  /// Adds `tag` to dataset `name`; throws UserError when there is no such dataset.
  void AddTag(std::string_view name, std::string_view tag);
  /// Removes `tag` from dataset `name`; false when it did not have it.
  bool RemoveTag(std::string_view name, std::string_view tag);
  /// Sets the description of dataset `name`; throws UserError when there is no such dataset.
  void Describe(std::string_view name, std::string_view description);
  /// Full-text search over names, descriptions, tags, column names and semantic types, best
  /// first (SQLite FTS5; PostgreSQL full-text search on that backend).
  std::vector<SearchHit> Search(std::string_view text, size_t limit = 20);

  /// Records lineage edges (one transaction).
  void AddLineage(const std::vector<LineageEdge>& edges);
  /// Returns the edges into and out of dataset `name` (every edge when `name` is empty).
  std::vector<LineageEdge> Lineage(std::string_view name = {});

  /// Returns the expectation results of `name` at `version` (every version when 0), by
  /// version then name.
  std::vector<ExpectationResult> Expectations(std::string_view name, int64_t version = 0);

  /// Records (or replaces) the state of a notebook cell after a successful run.
  void PutCellState(const CellState& state);
  /// Returns the recorded states of the cells of `notebook`, by cell name.
  std::vector<CellState> CellStates(std::string_view notebook);

  /// Records a run as started; returns its id.
  int64_t StartRun(const RunRecord& run);
  /// Records the end of run `run.id`: status, finish time, error and details.
  void FinishRun(const RunRecord& run);
  /// Returns the runs of `notebook` (all runs when empty), newest first.
  std::vector<RunRecord> Runs(std::string_view notebook = {});

  /// Records a model version with its tuning trials and the lineage edges into it, in one
  /// transaction.
  void PutModel(const ModelRecord& model, const std::vector<TrialRecord>& trials = {},
                const std::vector<LineageEdge>& lineage = {});
  /// Returns every model version, by name then version.
  std::vector<ModelRecord> Models();
  /// Returns the trials of model `name` (every model when empty) by model, version and id.
  std::vector<TrialRecord> Trials(std::string_view name = {});
  /// Removes every version of model `name` with its trials and lineage; returns the versions
  /// removed.
  std::vector<ModelRecord> DeleteModel(std::string_view name);

 private:
  class Transaction;
  explicit CatalogDb(std::unique_ptr<MetaDb> db);
  void Migrate();
  void LockResult(std::string_view name);
  bool LockDataset(std::string_view name);
  std::vector<PartInfo> LoadParts(std::string_view name, int64_t version);
  void LoadColumns(VersionInfo& info);
  void InsertColumns(const VersionInfo& info);
  void InsertParts(const VersionInfo& info);
  void InsertProvenance(const VersionInfo& info, const VersionProvenance& provenance);
  // Deletes the parts of `name` no version references; returns their paths, sorted.
  // REQUIRES: inside a transaction holding the result's lock.
  std::vector<std::string> DeleteUnreferencedParts(std::string_view name);
  void InsertLineage(const LineageEdge& edge);
  void WriteDataset(const DatasetRecord& dataset, const std::vector<DatasetColumn>& columns);
  void InsertDatasetColumns(const DatasetRecord& dataset,
                            const std::vector<DatasetColumn>& columns);
  std::vector<std::string> LoadTags(std::string_view name);
  void RefreshSearchText(std::string_view name);

  std::unique_ptr<MetaDb> db_;
  std::recursive_mutex mutex_;
};

}  // namespace sluice::catalog
