#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/version_info.h"

struct sqlite3;

namespace sluice::catalog {

/// Is the workspace catalog in SQLite (`.sluice/catalog.db`, WAL mode): results, their
/// versions with parts, statistics and constraints, settings, and source definitions. All SQL
/// of the store lives here, so that a PostgreSQL twin can replace it later. Each method is one
/// transaction. Thread-safe; several processes may open the same file (SQLite serializes them,
/// waiting up to a busy timeout). SQLite failures throw IoError naming the file.
class CatalogDb {
 public:
  /// Opens (creating if needed) the catalog at `path` and migrates it to the newest schema
  /// version. Throws DataError when the file was written by a newer Sluice or is not a catalog.
  static std::unique_ptr<CatalogDb> Open(const std::string& path);
  ~CatalogDb();
  CatalogDb(const CatalogDb&) = delete;
  CatalogDb& operator=(const CatalogDb&) = delete;

  /// Returns the schema version of the file (`PRAGMA user_version`).
  int schema_version();
  /// Returns the names of every result, sorted.
  std::vector<std::string> ResultNames();
  /// Returns the committed versions of `name`, ascending (empty when there is no such result).
  std::vector<int64_t> Versions(std::string_view name);
  /// Returns version `version` of `name` with its parts and columns, or nothing.
  std::optional<VersionInfo> FindVersion(std::string_view name, int64_t version);
  /// Returns the number the next version of `name` gets (1 for a new result).
  int64_t NextVersion(std::string_view name);
  /// Records `info` as a new version (creating the result when needed), in one transaction.
  void AddVersion(const VersionInfo& info);
  /// Deletes `versions` of `name`; returns the part paths no remaining version references.
  std::vector<std::string> DeleteVersions(std::string_view name,
                                          const std::vector<int64_t>& versions);
  /// Deletes result `name` with every version; returns false when there was none.
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

 private:
  class Statement;
  class Transaction;
  CatalogDb(sqlite3* db, std::string path);
  void Migrate();
  void Exec(const char* sql);
  [[noreturn]] void Fail(std::string_view what);
  std::vector<PartInfo> LoadParts(std::string_view name, int64_t version);
  void LoadColumns(VersionInfo& info);
  void InsertColumns(const VersionInfo& info);
  void InsertParts(const VersionInfo& info);

  sqlite3* db_;
  std::string path_;
  std::recursive_mutex mutex_;
};

}  // namespace sluice::catalog
