#include "catalog/catalog_db.h"

#include <algorithm>

#include "base/error.h"
#include "catalog/catalog_schema.h"
#include "catalog/catalog_transaction.h"
#include "core/datetime.h"

namespace sluice::catalog {
namespace {

// Returns "0,1;2" for {{0, 1}, {2}}.
std::string FormatKeys(const std::vector<std::vector<size_t>>& keys) {
  std::string text;
  for (const auto& key : keys) {
    if (!text.empty()) text += ';';
    for (size_t i = 0; i < key.size(); ++i) text += (i > 0 ? "," : "") + std::to_string(key[i]);
  }
  return text;
}

std::vector<std::vector<size_t>> ParseKeys(std::string_view text) {
  std::vector<std::vector<size_t>> keys;
  if (text.empty()) return keys;
  keys.emplace_back();
  size_t number = 0;
  for (char c : text) {
    if (c == ';' || c == ',') {
      keys.back().push_back(number);
      number = 0;
      if (c == ';') keys.emplace_back();
    } else {
      number = number * 10 + static_cast<size_t>(c - '0');
    }
  }
  keys.back().push_back(number);
  return keys;
}

}  // namespace

std::unique_ptr<CatalogDb> CatalogDb::Open(const std::string& location) {
  std::unique_ptr<MetaDb> db =
      IsPostgresUrl(location) ? OpenPostgresMetaDb(location) : OpenSqliteMetaDb(location);
  std::unique_ptr<CatalogDb> catalog(new CatalogDb(std::move(db)));
  catalog->Migrate();
  return catalog;
}

CatalogDb::CatalogDb(std::unique_ptr<MetaDb> db) : db_(std::move(db)) {}

CatalogDb::~CatalogDb() = default;

void CatalogDb::Migrate() {
  Transaction transaction(*this, true);
  int version = db_->ReadSchemaVersion();
  if (version > CatalogSchemaVersion()) {
    Throw<DataError>(
        "the catalog '{}' has schema version {}, newer than this sluice knows ({}); upgrade "
        "sluice",
        display_name(), version, CatalogSchemaVersion());
  }
  if (version == CatalogSchemaVersion()) return;
  for (; version < CatalogSchemaVersion(); ++version) {
    db_->ExecuteScript(CatalogMigration(version, backend()));
  }
  db_->WriteSchemaVersion(version);
  transaction.Commit();
}

int CatalogDb::schema_version() {
  std::lock_guard lock(mutex_);
  return db_->ReadSchemaVersion();
}

void CatalogDb::LockResult(std::string_view name) {
  // SQLite's write transactions exclude each other already; PostgreSQL's lock rows.
  if (backend() == MetaBackend::kPostgres) {
    db_->Query("SELECT 1 FROM results WHERE name = ? FOR UPDATE", {name});
  }
}

std::vector<std::string> CatalogDb::ResultNames() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const MetaRow& row :
       db_->Query("SELECT name FROM results WHERE EXISTS "
                  "(SELECT 1 FROM versions WHERE versions.result = results.name)")) {
    names.push_back(row.Text(0));
  }
  // Sorted as bytes, as on SQLite; PostgreSQL may collate text by locale.
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<int64_t> CatalogDb::Versions(std::string_view name) {
  std::lock_guard lock(mutex_);
  std::vector<int64_t> versions;
  for (const MetaRow& row :
       db_->Query("SELECT version FROM versions WHERE result = ? ORDER BY version", {name})) {
    versions.push_back(row.Int(0));
  }
  return versions;
}

std::optional<VersionInfo> CatalogDb::FindVersion(std::string_view name, int64_t version) {
  Transaction transaction(*this, false);
  std::vector<MetaRow> rows = db_->Query(
      "SELECT created_micros, num_rows, num_bytes, unique_keys FROM versions "
      "WHERE result = ? AND version = ?",
      {name, version});
  if (rows.empty()) return std::nullopt;
  VersionInfo info;
  info.result = std::string(name);
  info.version = version;
  info.created_micros = rows[0].Int(0);
  info.num_rows = rows[0].Int(1);
  info.num_bytes = rows[0].Int(2);
  info.unique_keys = ParseKeys(rows[0].Text(3));
  LoadColumns(info);
  info.parts = LoadParts(name, version);
  transaction.Commit();
  return info;
}

void CatalogDb::LoadColumns(VersionInfo& info) {
  std::vector<core::Field> fields;
  for (const MetaRow& row :
       db_->Query("SELECT name, type, not_null, null_count, min_value, max_value FROM "
                  "version_columns WHERE result = ? AND version = ? ORDER BY ordinal",
                  {info.result, info.version})) {
    auto type = core::TypeFromName(row.Text(1));
    if (!type) Throw<DataError>("catalog '{}': unknown type {}", display_name(), row.Text(1));
    fields.push_back({row.Text(0), *type});
    ColumnInfo column;
    column.not_null = row.Int(2) != 0;
    column.null_count = row.Int(3);
    column.min = ParseStatistic(row.IsNull(4), row.Text(4), *type);
    column.max = ParseStatistic(row.IsNull(5), row.Text(5), *type);
    info.columns.push_back(std::move(column));
  }
  info.schema = std::make_shared<core::Schema>(std::move(fields));
}

std::vector<PartInfo> CatalogDb::LoadParts(std::string_view name, int64_t version) {
  std::vector<PartInfo> parts;
  for (const MetaRow& row :
       db_->Query("SELECT p.path, p.num_rows, p.num_bytes FROM version_parts v JOIN parts p "
                  "ON p.path = v.path WHERE v.result = ? AND v.version = ? ORDER BY v.ordinal",
                  {name, version})) {
    parts.push_back({row.Text(0), row.Int(1), row.Int(2)});
  }
  return parts;
}

int64_t CatalogDb::NextVersion(std::string_view name) {
  std::lock_guard lock(mutex_);
  // One statement that takes the result's row (or makes it), so concurrent callers queue.
  // Repeated after a lost connection, it skips a number, which is allowed.
  std::vector<MetaRow> rows = db_->Query(
      "INSERT INTO results (name, next_version, created_micros) VALUES (?, 2, ?) "
      "ON CONFLICT (name) DO UPDATE SET next_version = results.next_version + 1 "
      "RETURNING next_version - 1",
      {name, core::NowMicros()});
  return rows.at(0).Int(0);
}

void CatalogDb::AddVersion(const VersionInfo& info, const DatasetRecord* dataset,
                           const std::vector<DatasetColumn>* columns,
                           const VersionProvenance* provenance) {
  Transaction transaction(*this, true);
  int64_t now = info.created_micros != 0 ? info.created_micros : core::NowMicros();
  db_->Execute(
      "INSERT INTO results (name, next_version, created_micros) VALUES (?, ?, ?) "
      "ON CONFLICT (name) DO UPDATE SET next_version = CASE WHEN results.next_version > "
      "excluded.next_version THEN results.next_version ELSE excluded.next_version END",
      {info.result, info.version + 1, now});
  if (!db_->Query("SELECT 1 FROM versions WHERE result = ? AND version = ?",
                  {info.result, info.version})
           .empty()) {
    Throw<IoError>("catalog '{}': version {} of result \"{}\" is already recorded", display_name(),
                   info.version, info.result);
  }
  db_->Execute(
      "INSERT INTO versions (result, version, created_micros, num_rows, num_bytes, "
      "unique_keys) VALUES (?, ?, ?, ?, ?, ?)",
      {info.result, info.version, now, info.num_rows, info.num_bytes,
       FormatKeys(info.unique_keys)});
  InsertColumns(info);
  InsertParts(info);
  if (dataset != nullptr)
    WriteDataset(*dataset, columns != nullptr ? *columns : std::vector<DatasetColumn>{});
  if (provenance != nullptr) InsertProvenance(info, *provenance);
  transaction.Commit();
}

void CatalogDb::InsertColumns(const VersionInfo& info) {
  for (size_t c = 0; c < info.schema->num_fields(); ++c) {
    const ColumnInfo& column = info.columns[c];
    auto statistic = [](const core::Value& value) {
      return value.is_null() ? MetaValue() : MetaValue(value.ToString());
    };
    db_->Execute(
        "INSERT INTO version_columns (result, version, ordinal, name, type, not_null, "
        "null_count, min_value, max_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {info.result, info.version, static_cast<int64_t>(c), info.schema->field(c).name,
         core::TypeName(info.schema->field(c).type), int64_t{column.not_null}, column.null_count,
         statistic(column.min), statistic(column.max)});
  }
}

void CatalogDb::InsertParts(const VersionInfo& info) {
  for (size_t p = 0; p < info.parts.size(); ++p) {
    const PartInfo& part = info.parts[p];
    db_->Execute(
        "INSERT INTO parts (path, result, num_rows, num_bytes) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (path) DO NOTHING",
        {part.path, info.result, part.num_rows, part.num_bytes});
    db_->Execute("INSERT INTO version_parts (result, version, ordinal, path) VALUES (?, ?, ?, ?)",
                 {info.result, info.version, static_cast<int64_t>(p), part.path});
  }
}

std::vector<std::string> CatalogDb::DeleteVersions(std::string_view name,
                                                   const std::vector<int64_t>& versions) {
  Transaction transaction(*this, true);
  LockResult(name);
  for (int64_t version : versions) {
    for (const char* sql : {"DELETE FROM version_parts WHERE result = ? AND version = ?",
                            "DELETE FROM version_columns WHERE result = ? AND version = ?",
                            "DELETE FROM dataset_columns WHERE dataset = ? AND version = ?",
                            "DELETE FROM expectations WHERE dataset = ? AND version = ?",
                            "DELETE FROM versions WHERE result = ? AND version = ?"}) {
      db_->Execute(sql, {name, version});
    }
  }
  std::vector<std::string> paths = DeleteUnreferencedParts(name);
  transaction.Commit();
  return paths;
}

std::vector<std::string> CatalogDb::RetractVersion(std::string_view name, int64_t version) {
  Transaction transaction(*this, true);
  LockResult(name);
  for (const char* sql : {"DELETE FROM version_parts WHERE result = ? AND version = ?",
                          "DELETE FROM version_columns WHERE result = ? AND version = ?",
                          "DELETE FROM dataset_columns WHERE dataset = ? AND version = ?",
                          "DELETE FROM expectations WHERE dataset = ? AND version = ?",
                          "DELETE FROM lineage WHERE to_dataset = ? AND to_version = ?",
                          "DELETE FROM versions WHERE result = ? AND version = ?"}) {
    db_->Execute(sql, {name, version});
  }
  std::vector<MetaRow> previous = db_->Query(
      "SELECT version, num_rows FROM versions WHERE result = ? ORDER BY version DESC LIMIT 1",
      {name});
  if (previous.empty()) {
    for (const char* sql :
         {"DELETE FROM tags WHERE dataset = ?", "DELETE FROM dataset_search WHERE dataset = ?",
          "DELETE FROM datasets WHERE name = ? AND kind = 'result'"}) {
      db_->Execute(sql, {name});
    }
  } else {
    db_->Execute("UPDATE datasets SET version = ?, num_rows = ? WHERE name = ? AND kind = 'result'",
                 {previous[0].Int(0), previous[0].Int(1), name});
  }
  std::vector<std::string> paths = DeleteUnreferencedParts(name);
  transaction.Commit();
  return paths;
}

std::vector<std::string> CatalogDb::DeleteUnreferencedParts(std::string_view name) {
  std::vector<std::string> paths;
  for (const MetaRow& row :
       db_->Query("DELETE FROM parts WHERE result = ? AND path NOT IN "
                  "(SELECT path FROM version_parts WHERE result = ?) RETURNING path",
                  {name, name})) {
    paths.push_back(row.Text(0));
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool CatalogDb::DropResult(std::string_view name) {
  Transaction transaction(*this, true);
  LockResult(name);
  db_->Execute("DELETE FROM version_parts WHERE result = ?", {name});
  db_->Execute("DELETE FROM version_columns WHERE result = ?", {name});
  bool dropped = db_->Execute("DELETE FROM versions WHERE result = ?", {name}) > 0;
  db_->Execute("DELETE FROM parts WHERE result = ?", {name});
  db_->Execute("DELETE FROM results WHERE name = ?", {name});
  transaction.Commit();
  return dropped;
}

std::vector<std::string> CatalogDb::PartPaths(std::string_view name) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> paths;
  for (const MetaRow& row : db_->Query("SELECT path FROM parts WHERE result = ?", {name})) {
    paths.push_back(row.Text(0));
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::optional<std::string> CatalogDb::GetSetting(std::string_view name) {
  std::lock_guard lock(mutex_);
  std::vector<MetaRow> rows = db_->Query("SELECT value FROM settings WHERE name = ?", {name});
  if (rows.empty()) return std::nullopt;
  return rows[0].Text(0);
}

void CatalogDb::PutSetting(std::string_view name, std::string_view value) {
  std::lock_guard lock(mutex_);
  db_->Execute(
      "INSERT INTO settings (name, value) VALUES (?, ?) "
      "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
      {name, value});
}

void CatalogDb::RecordSource(std::string_view name, std::string_view kind, std::string_view sql) {
  std::lock_guard lock(mutex_);
  db_->Execute(
      "INSERT INTO sources (name, kind, sql, created_micros, position) VALUES (?, ?, ?, ?, "
      "(SELECT COALESCE(MAX(position), 0) + 1 FROM sources)) "
      "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, sql = excluded.sql",
      {name, kind, sql, core::NowMicros()});
}

bool CatalogDb::ForgetSource(std::string_view name) {
  Transaction transaction(*this, true);  // repeated, the count would say "none"
  bool forgotten = db_->Execute("DELETE FROM sources WHERE name = ?", {name}) > 0;
  transaction.Commit();
  return forgotten;
}

std::vector<SourceDefinition> CatalogDb::Sources() {
  std::lock_guard lock(mutex_);
  std::vector<SourceDefinition> sources;
  for (const MetaRow& row :
       db_->Query("SELECT name, kind, sql, created_micros FROM sources ORDER BY position, name")) {
    sources.push_back({row.Text(0), row.Text(1), row.Text(2), row.Int(3)});
  }
  return sources;
}

}  // namespace sluice::catalog
