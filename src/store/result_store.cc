#include "store/result_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "base/log.h"
#include "catalog/sample_rows.h"
#include "core/datetime.h"
#include "store/file_lock.h"
#include "store/part_writer.h"
#include "store/result_dataset.h"
#include "store/workspace.h"

namespace sluice::store {

namespace fs = std::filesystem;

/// Counts, per (result, version), the pins alive in this process.
struct PinTable {
  std::mutex mutex;
  std::map<std::pair<std::string, int64_t>, int> counts;

  bool IsPinned(std::string_view name, int64_t version) {
    std::lock_guard lock(mutex);
    return counts.contains({std::string(name), version});
  }
};

namespace {

constexpr int64_t kDefaultRetention = 10;
constexpr std::string_view kRetentionSetting = "retention_versions";
constexpr size_t kSampleRows = 5;

// Makes `path` exist and flushes its parent, so that a rename into it survives a crash.
void MakeDirectory(const std::string& path) {
  if (fs::is_directory(path)) return;
  std::error_code error;
  fs::create_directories(path, error);
  if (error) Throw<IoError>("cannot create the folder '{}': {}", path, error.message());
  SyncPath(fs::path(path).parent_path().string());
}

// Returns a folder name under `.sluice/tmp/` unique across threads and processes; the result
// name comes first so that recovery knows whose lock guards it.
std::string TempName(std::string_view name) {
  static std::atomic<uint64_t> counter = 0;
  return fmt::format("{}@{}-{}", name, getpid(), counter++);
}

// Returns the new version before its new parts: empty, or the latest one's parts and
// statistics when appending.
catalog::VersionInfo StartVersion(const CommitRequest& request, const catalog::VersionInfo* latest,
                                  int64_t version) {
  catalog::VersionInfo info;
  info.result = request.name;
  info.version = version;
  info.created_micros = core::NowMicros();
  info.schema = request.schema;
  info.columns.resize(request.schema->num_fields());
  if (request.mode != CommitMode::kAppend) {
    for (size_t c = 0; c < request.not_null.size() && c < info.columns.size(); ++c) {
      info.columns[c].not_null = request.not_null[c];
    }
    info.unique_keys = request.unique_keys;
    return info;
  }
  if (!(*latest->schema == *request.schema)) {
    Throw<UserError>(
        "table \"{}\" was replaced with other columns ({}) while rows ({}) were being inserted; "
        "run the INSERT again",
        request.name, latest->schema->ToString(), request.schema->ToString());
  }
  info.columns = latest->columns;
  info.unique_keys = latest->unique_keys;
  info.parts = latest->parts;
  info.num_rows = latest->num_rows;
  info.num_bytes = latest->num_bytes;
  return info;
}

}  // namespace

PinnedVersion::PinnedVersion(catalog::VersionInfo info, std::string data_dir,
                             std::shared_ptr<PinTable> pins)
    : info_(std::move(info)), data_dir_(std::move(data_dir)), pins_(std::move(pins)) {
  std::lock_guard lock(pins_->mutex);
  ++pins_->counts[{info_.result, info_.version}];
}

PinnedVersion::~PinnedVersion() {
  std::lock_guard lock(pins_->mutex);
  auto found = pins_->counts.find({info_.result, info_.version});
  if (found != pins_->counts.end() && --found->second == 0) pins_->counts.erase(found);
}

std::string PinnedVersion::PartPath(size_t i) const {
  return data_dir_ + "/" + info_.parts[i].path;
}

void CheckResultName(std::string_view name) {
  bool bad = name.empty() || name == "." || name == ".." ||
             name.find_first_of(std::string_view("/\\@\0", 4)) != std::string_view::npos;
  if (bad) {
    Throw<UserError>(
        "\"{}\" cannot name a stored result: names must be non-empty and hold no '/', '\\' or "
        "'@'",
        name);
  }
}

ResultStore::ResultStore(std::string workspace, StoreOptions options)
    : workspace_(std::move(workspace)),
      state_dir_(workspace_ + "/.sluice"),
      data_dir_(state_dir_ + "/data"),
      tmp_dir_(state_dir_ + "/tmp"),
      lock_dir_(state_dir_ + "/locks"),
      options_(options),
      pins_(std::make_shared<PinTable>()) {}

ResultStore::~ResultStore() = default;

std::unique_ptr<ResultStore> ResultStore::Open(const std::string& workspace, StoreOptions options) {
  std::error_code error;
  std::string root = fs::absolute(workspace, error).lexically_normal().string();
  if (root.size() > 1 && root.back() == '/') root.pop_back();
  if (!fs::is_directory(root)) Throw<IoError>("the workspace folder '{}' does not exist", root);
  std::unique_ptr<ResultStore> store(new ResultStore(root, options));
  for (const std::string& dir :
       {store->state_dir_, store->data_dir_, store->tmp_dir_, store->lock_dir_}) {
    MakeDirectory(dir);
  }
  store->catalog_ = catalog::CatalogDb::Open(CatalogLocation(root));
  store->Recover();
  return store;
}

std::string ResultStore::LockPath(std::string_view name) const {
  return fmt::format("{}/{}.lock", lock_dir_, name);
}

std::unique_ptr<FileLock> ResultStore::LockResult(std::string_view name) {
  return FileLock::Acquire(LockPath(name), options_.lock_timeout,
                           fmt::format("result \"{}\"", name));
}

std::vector<std::string> ResultStore::ResultNames() { return catalog_->ResultNames(); }

std::shared_ptr<const PinnedVersion> ResultStore::Pin(std::string_view name,
                                                      std::optional<int64_t> version) {
  // A version may be collected between listing and reading it; the second try sees the new list.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::vector<int64_t> versions = catalog_->Versions(name);
    if (versions.empty()) return nullptr;
    int64_t wanted = version.value_or(versions.back());
    if (std::find(versions.begin(), versions.end(), wanted) == versions.end()) {
      Throw<UserError>("table \"{}\" has no version {}; its versions are {}", name, wanted,
                       fmt::join(versions, ", "));
    }
    std::optional<catalog::VersionInfo> info = catalog_->FindVersion(name, wanted);
    if (!info) continue;
    auto pin = std::make_shared<const PinnedVersion>(std::move(*info), data_dir_, pins_);
    // Garbage collection checks pins under the result's lock; a version still listed after
    // pinning is safe from it.
    std::vector<int64_t> now = catalog_->Versions(name);
    if (std::find(now.begin(), now.end(), wanted) != now.end()) return pin;
  }
  Throw<UserError>("result \"{}\" changed while it was being opened; try again", name);
}

catalog::VersionInfo ResultStore::Commit(CommitRequest request) {
  CheckResultName(request.name);
  auto lock = LockResult(request.name);
  std::vector<int64_t> versions = catalog_->Versions(request.name);
  std::optional<catalog::VersionInfo> latest;
  if (!versions.empty()) latest = catalog_->FindVersion(request.name, versions.back());
  if (request.mode == CommitMode::kCreate && latest) {
    Throw<UserError>("table \"{}\" already exists", request.name);
  }
  if (request.mode == CommitMode::kAppend && !latest) {
    Throw<UserError>("table \"{}\" does not exist", request.name);
  }
  if (request.check) request.check(latest ? &*latest : nullptr);
  catalog::VersionInfo info =
      StartVersion(request, latest ? &*latest : nullptr, catalog_->NextVersion(request.name));
  // The catalog's profile of the version: its kept parts read again, its new rows profiled
  // while they are written.
  catalog::TableProfiler profile(*request.schema);
  std::vector<std::string> kept;
  for (const catalog::PartInfo& part : info.parts) kept.push_back(data_dir_ + "/" + part.path);
  ProfileParts(kept, profile);
  std::string sample = catalog::SampleRowsJson(request.batches, *request.schema, kSampleRows);
  WriteNewParts(request, info, profile);
  ResultDataset dataset =
      DescribeResult(info, profile.Finish(), catalog_->FindDataset(info.result));
  if (kept.empty() || dataset.record.sample_json.empty()) dataset.record.sample_json = sample;
  catalog_->AddVersion(info, &dataset.record, &dataset.columns, &request.provenance);
  CollectGarbage(request.name);
  return info;
}

void ResultStore::WriteNewParts(CommitRequest& request, catalog::VersionInfo& info,
                                catalog::TableProfiler& profile) {
  size_t rows = 0;
  for (const core::Batch& batch : request.batches) rows += batch.num_rows();
  if (rows == 0) return;
  std::string temp = tmp_dir_ + "/" + TempName(request.name);
  MakeDirectory(temp);
  std::vector<WrittenPart> written;
  auto write_mine = [&] {
    return WriteParts(temp, request.schema, request.batches, options_.part_rows,
                      options_.compression, request.share, &profile);
  };
  try {
    written = request.write_together ? request.write_together(temp, write_mine) : write_mine();
    SyncPath(temp);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw;
  }
  request.batches.clear();
  std::string relative = fmt::format("{}/{}", request.name, info.version);
  std::string target = data_dir_ + "/" + relative;
  MakeDirectory(data_dir_ + "/" + request.name);
  // A folder already there has no catalog row (this writer holds the lock): a crash leftover.
  std::error_code ignored;
  fs::remove_all(target, ignored);
  RenameDurably(temp, target);
  for (const WrittenPart& part : written) {
    info.parts.push_back(
        {relative + "/" + part.file_name, part.summary.num_rows, part.summary.file_bytes});
    info.num_rows += part.summary.num_rows;
    info.num_bytes += part.summary.file_bytes;
    MergeStatistics(info.columns, *info.schema, part.summary);
  }
}

std::vector<WrittenPart> ResultStore::WriteShare(const std::string& folder,
                                                 const core::SchemaPtr& schema,
                                                 const std::vector<core::Batch>& batches,
                                                 PartShare share) {
  if (fs::path(folder).parent_path() != fs::path(tmp_dir_)) {
    Throw<InternalError>("\"{}\" is not a temporary folder of workspace \"{}\"", folder,
                         workspace_);
  }
  return WriteParts(folder, schema, batches, options_.part_rows, options_.compression, share,
                    nullptr);
}

void ResultStore::Retract(std::string_view name, int64_t version) {
  auto lock = LockResult(name);
  std::vector<std::string> paths = catalog_->RetractVersion(name, version);
  bool pinned;
  {
    std::lock_guard pins_lock(pins_->mutex);
    pinned = pins_->counts.contains({std::string(name), version});
  }
  if (!pinned) RemoveParts(name, paths);
}

bool ResultStore::Drop(std::string_view name) {
  auto lock = LockResult(name);
  if (!catalog_->DropResult(name)) return false;
  catalog_->DropDataset(name);
  std::set<int64_t> pinned;
  {
    std::lock_guard pins_lock(pins_->mutex);
    for (const auto& [key, count] : pins_->counts) {
      if (key.first == name) pinned.insert(key.second);
    }
  }
  // A query of this process still reading the result keeps its files until the next open.
  if (pinned.empty()) {
    std::error_code ignored;
    fs::remove_all(data_dir_ + "/" + std::string(name), ignored);
  }
  return true;
}

int64_t ResultStore::retention_versions() {
  std::optional<std::string> text = catalog_->GetSetting(kRetentionSetting);
  if (!text) return kDefaultRetention;
  try {
    return std::max<int64_t>(1, std::stoll(*text));
  } catch (const std::exception&) {
    return kDefaultRetention;
  }
}

void ResultStore::SetRetentionVersions(int64_t versions) {
  if (versions < 1) Throw<UserError>("retention_versions must be at least 1, not {}", versions);
  catalog_->PutSetting(kRetentionSetting, std::to_string(versions));
  for (const std::string& name : ResultNames()) {
    auto lock = LockResult(name);
    CollectGarbage(name);
  }
}

void ResultStore::CollectGarbage(std::string_view name) {
  std::vector<int64_t> versions = catalog_->Versions(name);
  size_t keep = static_cast<size_t>(retention_versions());
  if (versions.size() <= keep) return;
  std::vector<int64_t> expired;
  for (size_t i = 0; i + keep < versions.size(); ++i) {
    if (!pins_->IsPinned(name, versions[i])) expired.push_back(versions[i]);
  }
  if (expired.empty()) return;
  std::vector<std::string> unused = catalog_->DeleteVersions(name, expired);
  RemoveParts(name, unused);
  for (int64_t version : expired) {
    // Still holds parts of later versions when they reused its files; removed once empty.
    std::error_code ignored;
    fs::remove(fmt::format("{}/{}/{}", data_dir_, name, version), ignored);
  }
  spdlog::debug("result {}: collected versions {}", name, fmt::join(expired, ", "));
}

void ResultStore::RemoveParts(std::string_view name, const std::vector<std::string>& paths) {
  std::set<std::string> folders;
  for (const std::string& path : paths) {
    std::error_code ignored;
    fs::remove(data_dir_ + "/" + path, ignored);
    folders.insert(fs::path(path).parent_path().string());
  }
  std::vector<int64_t> versions = catalog_->Versions(name);
  for (const std::string& folder : folders) {
    std::string version = fs::path(folder).filename().string();
    bool live = std::any_of(versions.begin(), versions.end(),
                            [&](int64_t v) { return std::to_string(v) == version; });
    std::error_code ignored;
    if (!live) fs::remove(data_dir_ + "/" + folder, ignored);  // only when empty
  }
}

}  // namespace sluice::store
