// CatalogDb: datasets with their profiled columns, tags and descriptions.

#include <algorithm>
#include <unordered_map>

#include "base/error.h"
#include "catalog/catalog_db.h"
#include "catalog/catalog_transaction.h"
#include "catalog/column_profile_json.h"

namespace sluice::catalog {
namespace {

constexpr const char* kDatasetColumns =
    "name, kind, format, location, table_name, size_bytes, modified_micros, owner, fingerprint, "
    "content_hash, version, num_rows, scanned_micros, changed_micros, sample_json, description";

DatasetRecord ReadDataset(const MetaRow& row) {
  DatasetRecord dataset;
  dataset.name = row.Text(0);
  dataset.kind = row.Text(1);
  dataset.format = row.Text(2);
  dataset.location = row.Text(3);
  dataset.table = row.Text(4);
  dataset.size_bytes = row.Int(5);
  dataset.modified_micros = row.Int(6);
  dataset.owner = row.Text(7);
  dataset.fingerprint = row.Text(8);
  dataset.content_hash = row.Text(9);
  dataset.version = row.Int(10);
  dataset.rows = row.Int(11);
  dataset.scanned_micros = row.Int(12);
  dataset.changed_micros = row.Int(13);
  dataset.sample_json = row.Text(14);
  dataset.description = row.Text(15);
  return dataset;
}

// Returns `text` as text every backend stores (PostgreSQL refuses bytes that are not UTF-8);
// profile_json holds the same value, made valid the same way.
MetaValue Utf8(const std::optional<std::string>& text) {
  return text ? MetaValue(ValidUtf8(*text)) : MetaValue();
}

SemanticType SemanticFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(SemanticType::kBirthDate); ++i) {
    auto type = static_cast<SemanticType>(i);
    if (SemanticTypeName(type) == name) return type;
  }
  return SemanticType::kUnknown;
}

}  // namespace

bool CatalogDb::LockDataset(std::string_view name) {
  // Later statements of the transaction read the dataset's tags and columns to refresh its
  // search text; on PostgreSQL the row lock keeps two writers from interleaving there.
  const char* sql = backend() == MetaBackend::kPostgres
                        ? "SELECT 1 FROM datasets WHERE name = ? FOR UPDATE"
                        : "SELECT 1 FROM datasets WHERE name = ?";
  return !db_->Query(sql, {name}).empty();
}

void CatalogDb::PutDataset(const DatasetRecord& dataset,
                           const std::vector<DatasetColumn>& columns) {
  Transaction transaction(*this, true);
  WriteDataset(dataset, columns);
  transaction.Commit();
}

void CatalogDb::WriteDataset(const DatasetRecord& dataset,
                             const std::vector<DatasetColumn>& columns) {
  bool existed = LockDataset(dataset.name);
  db_->Execute(
      std::string("INSERT INTO datasets (") + kDatasetColumns +
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
          "SET kind = excluded.kind, format = excluded.format, location = excluded.location, "
          "table_name = excluded.table_name, size_bytes = excluded.size_bytes, "
          "modified_micros = excluded.modified_micros, owner = excluded.owner, "
          "fingerprint = excluded.fingerprint, content_hash = excluded.content_hash, "
          "version = excluded.version, num_rows = excluded.num_rows, "
          "scanned_micros = excluded.scanned_micros, changed_micros = excluded.changed_micros, "
          "sample_json = excluded.sample_json",
      {dataset.name, dataset.kind, dataset.format, dataset.location, dataset.table,
       dataset.size_bytes, dataset.modified_micros, dataset.owner, dataset.fingerprint,
       dataset.content_hash, dataset.version, dataset.rows, dataset.scanned_micros,
       dataset.changed_micros, dataset.sample_json, dataset.description});
  if (!existed) {
    for (const std::string& tag : dataset.tags) {
      db_->Execute("INSERT INTO tags (dataset, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                   {dataset.name, tag});
    }
  }
  InsertDatasetColumns(dataset, columns);
  RefreshSearchText(dataset.name);
}

void CatalogDb::InsertDatasetColumns(const DatasetRecord& dataset,
                                     const std::vector<DatasetColumn>& columns) {
  db_->Execute("DELETE FROM dataset_columns WHERE dataset = ? AND version = ?",
               {dataset.name, dataset.version});
  for (size_t i = 0; i < columns.size(); ++i) {
    const ColumnProfile& profile = columns[i].profile;
    const ColumnSemantics& semantics = columns[i].semantics;
    db_->Execute(
        "INSERT INTO dataset_columns (dataset, version, ordinal, name, type, semantic, "
        "semantic_confidence, pii, pii_reason, non_null, null_fraction, distinct_count, "
        "min_value, max_value, mean, stddev, inferred_type, type_failure_fraction, "
        "profile_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {dataset.name, dataset.version, static_cast<int64_t>(i), profile.name,
         core::TypeName(profile.type), SemanticTypeName(semantics.type), semantics.confidence,
         int64_t{semantics.pii}, semantics.pii_reason, profile.non_null, profile.null_fraction,
         profile.distinct, Utf8(profile.min), Utf8(profile.max), profile.mean, profile.stddev,
         core::TypeName(profile.inferred_type), profile.type_failure_fraction,
         ProfileToJson(profile)});
  }
}

std::optional<DatasetRecord> CatalogDb::FindDataset(std::string_view name) {
  Transaction transaction(*this, false);
  std::vector<MetaRow> rows = db_->Query(
      std::string("SELECT ") + kDatasetColumns + " FROM datasets WHERE name = ?", {name});
  if (rows.empty()) return std::nullopt;
  DatasetRecord dataset = ReadDataset(rows[0]);
  dataset.tags = LoadTags(name);
  transaction.Commit();
  return dataset;
}

std::vector<DatasetRecord> CatalogDb::Datasets() {
  Transaction transaction(*this, false);
  std::vector<DatasetRecord> datasets;
  for (const MetaRow& row :
       db_->Query(std::string("SELECT ") + kDatasetColumns + " FROM datasets")) {
    datasets.push_back(ReadDataset(row));
  }
  std::vector<MetaRow> tag_rows = db_->Query("SELECT dataset, tag FROM tags");
  transaction.Commit();
  // Sorted here, not by SQL: PostgreSQL may collate by locale, and names compare as bytes.
  std::sort(datasets.begin(), datasets.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::unordered_map<std::string, std::vector<std::string>> tags;
  for (const MetaRow& row : tag_rows) tags[row.Text(0)].push_back(row.Text(1));
  for (DatasetRecord& dataset : datasets) {
    auto found = tags.find(dataset.name);
    if (found == tags.end()) continue;
    dataset.tags = std::move(found->second);
    std::sort(dataset.tags.begin(), dataset.tags.end());
  }
  return datasets;
}

std::vector<std::string> CatalogDb::LoadTags(std::string_view name) {
  std::vector<std::string> tags;
  for (const MetaRow& row : db_->Query("SELECT tag FROM tags WHERE dataset = ?", {name})) {
    tags.push_back(row.Text(0));
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

std::vector<DatasetColumn> CatalogDb::DatasetColumns(std::string_view name, int64_t version) {
  Transaction transaction(*this, false);
  if (version == 0) {
    std::vector<MetaRow> rows = db_->Query("SELECT version FROM datasets WHERE name = ?", {name});
    if (rows.empty()) return {};
    version = rows[0].Int(0);
  }
  std::vector<DatasetColumn> columns;
  for (const MetaRow& row :
       db_->Query("SELECT semantic, semantic_confidence, pii, pii_reason, profile_json FROM "
                  "dataset_columns WHERE dataset = ? AND version = ? ORDER BY ordinal",
                  {name, version})) {
    DatasetColumn column;
    column.semantics.type = SemanticFromName(row.Text(0));
    column.semantics.confidence = row.Double(1);
    column.semantics.pii = row.Int(2) != 0;
    column.semantics.pii_reason = row.Text(3);
    column.profile = ProfileFromJson(row.Text(4));
    columns.push_back(std::move(column));
  }
  transaction.Commit();
  return columns;
}

bool CatalogDb::DropDataset(std::string_view name) {
  Transaction transaction(*this, true);
  LockDataset(name);
  db_->Execute("DELETE FROM dataset_search WHERE dataset = ?", {name});
  db_->Execute("DELETE FROM dataset_columns WHERE dataset = ?", {name});
  db_->Execute("DELETE FROM tags WHERE dataset = ?", {name});
  db_->Execute("DELETE FROM expectations WHERE dataset = ?", {name});
  db_->Execute("DELETE FROM lineage WHERE from_dataset = ? OR to_dataset = ?", {name, name});
  bool dropped = db_->Execute("DELETE FROM datasets WHERE name = ?", {name}) > 0;
  transaction.Commit();
  return dropped;
}

void CatalogDb::AddTag(std::string_view name, std::string_view tag) {
  if (tag.empty()) Throw<UserError>("a tag cannot be empty");
  Transaction transaction(*this, true);
  if (!LockDataset(name)) Throw<UserError>("the catalog has no dataset \"{}\"", name);
  db_->Execute("INSERT INTO tags (dataset, tag) VALUES (?, ?) ON CONFLICT DO NOTHING", {name, tag});
  RefreshSearchText(name);
  transaction.Commit();
}

bool CatalogDb::RemoveTag(std::string_view name, std::string_view tag) {
  Transaction transaction(*this, true);
  if (!LockDataset(name)) return false;
  if (db_->Execute("DELETE FROM tags WHERE dataset = ? AND tag = ?", {name, tag}) == 0) {
    return false;
  }
  RefreshSearchText(name);
  transaction.Commit();
  return true;
}

void CatalogDb::Describe(std::string_view name, std::string_view description) {
  Transaction transaction(*this, true);
  if (!LockDataset(name)) Throw<UserError>("the catalog has no dataset \"{}\"", name);
  db_->Execute("UPDATE datasets SET description = ? WHERE name = ?", {description, name});
  RefreshSearchText(name);
  transaction.Commit();
}

}  // namespace sluice::catalog
