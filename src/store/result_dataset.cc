#include "store/result_dataset.h"

#include <pwd.h>
#include <unistd.h>

#include "catalog/semantics.h"

namespace sluice::store {
namespace {

// Returns the name of the user this process runs as ("" when unknown).
std::string UserName() {
  passwd* entry = getpwuid(geteuid());
  return entry == nullptr ? "" : entry->pw_name;
}

}  // namespace

ResultDataset DescribeResult(const catalog::VersionInfo& info, catalog::TableProfile profile,
                             const std::optional<catalog::DatasetRecord>& previous) {
  ResultDataset dataset;
  catalog::DatasetRecord& record = dataset.record;
  if (previous) record = *previous;
  record.name = info.result;
  record.kind = "result";
  record.format = "parquet";
  record.location = ".sluice/data/" + info.result;
  record.table.clear();
  record.size_bytes = info.num_bytes;
  record.modified_micros = info.created_micros;
  record.owner = UserName();
  record.fingerprint.clear();
  record.content_hash.clear();
  record.version = info.version;
  record.rows = info.num_rows;
  record.scanned_micros = info.created_micros;
  record.changed_micros = info.created_micros;
  std::vector<catalog::ColumnSemantics> semantics = catalog::InferSemantics(profile.columns);
  for (size_t i = 0; i < profile.columns.size(); ++i) {
    dataset.columns.push_back({std::move(profile.columns[i]), semantics[i]});
  }
  return dataset;
}

}  // namespace sluice::store
