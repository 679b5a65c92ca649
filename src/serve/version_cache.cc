#include "serve/version_cache.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "serve/pii_mask.h"
#include "store/version_scan.h"

namespace sluice::serve {
namespace {

// Columns tried for an inferred key, at most.
constexpr size_t kInferredKeyCandidates = 3;

bool Keyable(core::TypeId type) {
  return type == core::TypeId::kVarchar || type == core::TypeId::kBigint ||
         type == core::TypeId::kInteger || type == core::TypeId::kDate;
}

// Fills `index.rows` from column `column` of `batches`; false when a value is NULL or
// repeats.
bool IndexColumn(KeyIndex& index, const std::vector<core::Batch>& batches, size_t column) {
  index.column = column;
  index.rows.clear();
  for (uint32_t b = 0; b < batches.size(); ++b) {
    const core::Batch& batch = batches[b];
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      core::Value value = batch.GetValue(column, row);
      if (value.is_null() || !index.rows.emplace(value.ToString(), std::pair{b, row}).second) {
        return false;
      }
    }
  }
  return true;
}

// Returns the columns to try as the key of `info`: its declared single-column key, else the
// first few columns without NULLs of a type that makes a good key.
std::vector<size_t> KeyCandidates(const catalog::VersionInfo& info) {
  for (const std::vector<size_t>& key : info.unique_keys) {
    if (key.size() == 1) return key;
  }
  std::vector<size_t> candidates;
  for (size_t c = 0; c < info.columns.size() && candidates.size() < kInferredKeyCandidates; ++c) {
    if (info.columns[c].null_count == 0 && Keyable(info.schema->field(c).type)) {
      candidates.push_back(c);
    }
  }
  return candidates;
}

// Returns the sizes and modification times of `path` and its write-ahead log.
std::string FileStamp(const std::string& path) {
  std::string stamp;
  for (const std::string& file : {path, path + "-wal"}) {
    struct stat status {};
    if (::stat(file.c_str(), &status) != 0) continue;
    stamp +=
        fmt::format("{}:{}.{};", status.st_size, status.st_mtim.tv_sec, status.st_mtim.tv_nsec);
  }
  return stamp;
}

}  // namespace

std::shared_ptr<const std::vector<core::Batch>> ServedVersion::Rows(size_t max_rows) const {
  std::call_once(rows_once_, [&] {
    if (info().num_rows > static_cast<int64_t>(max_rows)) return;
    rows_ = std::make_shared<const std::vector<core::Batch>>(store::ReadVersion(*pin_));
  });
  return rows_;
}

const KeyIndex* ServedVersion::Index(size_t max_rows) const {
  std::call_once(index_once_, [&] {
    std::shared_ptr<const std::vector<core::Batch>> rows = Rows(max_rows);
    if (rows == nullptr) return;
    auto index = std::make_unique<KeyIndex>();
    for (size_t column : KeyCandidates(info())) {
      if (IndexColumn(*index, *rows, column)) {
        index_ = std::move(index);
        return;
      }
    }
  });
  return index_.get();
}

std::shared_ptr<const ServedVersion> VersionCache::Get(const std::string& name,
                                                       std::optional<int64_t> version) {
  if (version) return Make(name, store_.Pin(name, version));
  std::string stamp = CatalogStamp();
  std::lock_guard lock(mutex_);
  auto found = latest_.find(name);
  if (found != latest_.end()) {
    Latest& latest = found->second;
    if (!stamp.empty() && latest.stamp == stamp) return latest.served;
    std::vector<int64_t> versions = store_.catalog().Versions(name);
    if (!versions.empty() && versions.back() == latest.served->info().version) {
      latest.stamp = stamp;
      return latest.served;
    }
  }
  std::shared_ptr<const ServedVersion> served = Make(name, store_.Pin(name));
  if (served == nullptr) {
    latest_.erase(name);
    return nullptr;
  }
  latest_[name] = {served, stamp};
  return served;
}

std::shared_ptr<const ServedVersion> VersionCache::Make(
    const std::string& name, std::shared_ptr<const store::PinnedVersion> pin) {
  if (pin == nullptr) return nullptr;
  const catalog::VersionInfo& info = pin->info();
  std::vector<bool> pii = PiiColumns(store_.catalog(), name, *info.schema, info.version);
  return std::make_shared<const ServedVersion>(std::move(pin), std::move(pii));
}

std::string VersionCache::CatalogStamp() const {
  if (store_.catalog().backend() != catalog::MetaBackend::kSqlite) return "";
  return FileStamp(store_.catalog().display_name());
}

}  // namespace sluice::serve
