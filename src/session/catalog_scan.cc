#include "session/catalog_scan.h"

#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "catalog/catalog_db.h"
#include "catalog/column_profiler.h"
#include "catalog/discovery.h"
#include "catalog/semantics.h"
#include "core/datetime.h"
#include "session/database.h"
#include "sql/to_sql.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

std::string DisplayLocation(const catalog::DiscoveredDataset& dataset) {
  return dataset.table.empty() ? dataset.location : dataset.location + "#" + dataset.table;
}

// Registers `dataset` as source `name` (CREATE OR REPLACE SOURCE), so queries read it by name.
void RegisterSource(Database& database, const std::string& name,
                    const catalog::DiscoveredDataset& dataset) {
  std::string location =
      dataset.format == "sqlite" ? "sqlite:" + dataset.location : dataset.location;
  std::string statement = fmt::format("CREATE OR REPLACE SOURCE {} FROM {}",
                                      sql::QuoteIdentifier(name), sql::QuoteString(location));
  if (!dataset.table.empty()) {
    statement += fmt::format(" WITH (table = {})", sql::QuoteString(dataset.table));
  }
  Connection connection(database);
  connection.Execute(statement);
}

class Scanner {
 public:
  explicit Scanner(Database& database) : database_(database), catalog_(Catalog(database)) {
    for (auto& record : catalog_.Datasets()) known_.push_back(std::move(record));
  }

  ScanOutcome Scan(const catalog::DiscoveredDataset& dataset) {
    ScanOutcome outcome;
    outcome.format = dataset.format;
    outcome.location = DisplayLocation(dataset);
    const catalog::DatasetRecord* existing = Known(dataset);
    catalog::DatasetRecord record = existing ? *existing : catalog::DatasetRecord{};
    record.name = existing ? existing->name : UniqueName(dataset.name);
    outcome.name = record.name;
    record.kind = "source";
    record.format = dataset.format;
    record.location = dataset.location;
    record.table = dataset.table;
    record.size_bytes = dataset.size_bytes;
    record.modified_micros = dataset.modified_micros;
    record.owner = dataset.owner;
    record.scanned_micros = core::NowMicros();
    try {
      bool unchanged = existing && existing->fingerprint == dataset.fingerprint;
      if (!unchanged && existing) {
        std::string hash = catalog::ContentHash(dataset);
        unchanged = !hash.empty() && hash == existing->content_hash;
        record.content_hash = hash;
      }
      record.fingerprint = dataset.fingerprint;
      std::vector<catalog::DatasetColumn> columns;
      if (unchanged) {
        columns = catalog_.DatasetColumns(record.name, record.version);
        outcome.status = "unchanged";
      } else {
        if (record.content_hash.empty()) record.content_hash = catalog::ContentHash(dataset);
        columns = Profile(dataset, record);
        outcome.status = existing ? "changed" : "new";
      }
      if (!database_.sources().Find(record.name)) RegisterSource(database_, record.name, dataset);
      catalog_.PutDataset(record, columns);
      outcome.rows = record.rows;
      outcome.columns = static_cast<int64_t>(columns.size());
      if (!existing) known_.push_back(record);
    } catch (const UserError& error) {
      outcome.status = "failed";
      outcome.reason = error.what();
    }
    return outcome;
  }

 private:
  static catalog::CatalogDb& Catalog(Database& database) {
    if (database.store() == nullptr) {
      Throw<UserError>(
          "sluice scan records datasets in a workspace catalog: run it in a workspace (sluice "
          "init) or pass --workspace DIR");
    }
    return database.store()->catalog();
  }

  // Returns the catalog's record of the dataset at the same location, or nullptr.
  const catalog::DatasetRecord* Known(const catalog::DiscoveredDataset& dataset) const {
    for (const auto& record : known_) {
      if (record.kind == "source" && record.location == dataset.location &&
          record.table == dataset.table) {
        return &record;
      }
    }
    return nullptr;
  }

  // Returns `name`, or `name_2`, `name_3`, … when a dataset or table already has it.
  std::string UniqueName(const std::string& name) const {
    auto taken = [&](const std::string& candidate) {
      for (const auto& record : known_) {
        if (record.name == candidate) return true;
      }
      return database_.FindTable(candidate) != nullptr || database_.FindView(candidate) != nullptr;
    };
    std::string candidate = name;
    for (int n = 2; taken(candidate); ++n) candidate = fmt::format("{}_{}", name, n);
    return candidate;
  }

  // Reads `dataset` once, profiling every column; fills the record's rows, sample, version.
  std::vector<catalog::DatasetColumn> Profile(const catalog::DiscoveredDataset& dataset,
                                              catalog::DatasetRecord& record) {
    auto reader = catalog::OpenDataset(dataset);
    catalog::TableProfile profile = catalog::ProfileReader(*reader);
    std::vector<catalog::ColumnSemantics> semantics = catalog::InferSemantics(profile.columns);
    std::vector<catalog::DatasetColumn> columns;
    for (size_t i = 0; i < profile.columns.size(); ++i) {
      columns.push_back({std::move(profile.columns[i]), semantics[i]});
    }
    record.rows = profile.rows;
    record.sample_json = std::move(profile.sample_json);
    record.version += 1;
    record.changed_micros = record.scanned_micros;
    return columns;
  }

  Database& database_;
  catalog::CatalogDb& catalog_;
  std::vector<catalog::DatasetRecord> known_;
};

}  // namespace

std::vector<ScanOutcome> ScanDatasets(Database& database, const std::vector<std::string>& inputs) {
  Scanner scanner(database);
  catalog::DiscoveryResult found = catalog::Discover(inputs);
  std::vector<ScanOutcome> outcomes;
  for (const auto& dataset : found.datasets) outcomes.push_back(scanner.Scan(dataset));
  for (const auto& [path, reason] : found.skipped) {
    ScanOutcome& outcome = outcomes.emplace_back();
    outcome.location = path;
    outcome.status = "skipped";
    outcome.reason = reason;
  }
  return outcomes;
}

}  // namespace sluice::session
