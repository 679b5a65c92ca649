// Recovery at open: removes what interrupted commits, drops and collections left behind. Each
// result is cleaned only while its lock is free, so a live writer (thread or process) keeps its
// temporary folder and the version folder it has renamed but not yet recorded.

#include <filesystem>
#include <set>

#include <spdlog/spdlog.h>

#include "store/file_lock.h"
#include "store/result_store.h"

namespace sluice::store {

namespace fs = std::filesystem;

namespace {

void RemoveQuietly(const fs::path& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
  spdlog::info("store recovery removed '{}'", path.string());
}

}  // namespace

void ResultStore::Recover() {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(tmp_dir_, error)) {
    std::string folder = entry.path().filename().string();
    size_t at = folder.rfind('@');
    if (at == std::string::npos) {
      RemoveQuietly(entry.path());
      continue;
    }
    if (auto lock = FileLock::TryAcquire(LockPath(folder.substr(0, at)))) {
      RemoveQuietly(entry.path());
    }
  }
  for (const auto& entry : fs::directory_iterator(data_dir_, error)) {
    if (!entry.is_directory()) continue;
    RecoverResult(entry.path().filename().string());
  }
}

void ResultStore::RecoverResult(const std::string& name) {
  auto lock = FileLock::TryAcquire(LockPath(name));
  if (lock == nullptr) return;
  fs::path folder = fs::path(data_dir_) / name;
  std::vector<int64_t> versions = catalog_->Versions(name);
  if (versions.empty()) {
    RemoveQuietly(folder);
    return;
  }
  std::set<std::string> live_versions;
  for (int64_t version : versions) live_versions.insert(std::to_string(version));
  std::set<std::string> referenced;
  for (const std::string& path : catalog_->PartPaths(name)) referenced.insert(path);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    std::string version = entry.path().filename().string();
    if (live_versions.contains(version)) continue;
    if (!entry.is_directory()) {
      RemoveQuietly(entry.path());
      continue;
    }
    // A version no catalog row names: its files go unless a retained version reuses them.
    std::error_code inner;
    for (const auto& file : fs::directory_iterator(entry.path(), inner)) {
      std::string relative = name + "/" + version + "/" + file.path().filename().string();
      if (!referenced.contains(relative)) RemoveQuietly(file.path());
    }
    if (fs::is_empty(entry.path(), inner)) RemoveQuietly(entry.path());
  }
  CollectGarbage(name);
}

}  // namespace sluice::store
