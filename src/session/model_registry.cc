#include "session/model_registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "base/error.h"
#include "catalog/catalog_db.h"
#include "store/file_lock.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

namespace fs = std::filesystem;

constexpr auto kLockTimeout = std::chrono::seconds(60);

std::string TransformOf(const catalog::ModelRecord& record) {
  try {
    boost::json::object details = boost::json::parse(record.details_json).as_object();
    if (const auto* transform = details.if_contains("transform")) {
      return std::string(transform->as_string());
    }
  } catch (const std::exception&) {
  }
  return "";
}

void SyncFolder(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Writes `model` into `temp` and renames it to `final` (replacing a folder left by a commit that
// died before its catalog record); on failure nothing of it stays.
void WriteArtifact(const ml::Model& model, const std::string& folder, const std::string& temp,
                   const std::string& final) {
  std::error_code ignored;
  try {
    fs::remove_all(temp);
    fs::remove_all(final);
    fs::create_directories(temp);
    model.Save(temp);
    fs::rename(temp, final);
    SyncFolder(folder);
  } catch (const fs::filesystem_error& error) {
    fs::remove_all(temp, ignored);
    Throw<IoError>("cannot write the model to {}: {}", final, error.code().message());
  } catch (...) {
    fs::remove_all(temp, ignored);
    throw;
  }
}

}  // namespace

ModelRegistry::ModelRegistry(store::ResultStore* store) : store_(store) {}

std::string ModelRegistry::ModelFolder(std::string_view name) const {
  return store_->state_dir() + "/models/" + std::string(name);
}

std::shared_ptr<const ModelVersion> ModelRegistry::Find(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto cached = models_.find(name);
  if (store_ == nullptr) return cached == models_.end() ? nullptr : cached->second;
  const catalog::ModelRecord* latest = nullptr;
  std::vector<catalog::ModelRecord> records = store_->catalog().Models();
  for (const catalog::ModelRecord& record : records) {
    if (record.name == name) latest = &record;  // sorted by version
  }
  if (latest == nullptr) {
    if (cached != models_.end()) models_.erase(cached);
    return nullptr;
  }
  if (cached != models_.end() && cached->second->record.version == latest->version) {
    return cached->second;
  }
  auto loaded = Load(*latest);
  models_[std::string(name)] = loaded;
  return loaded;
}

std::shared_ptr<const ModelVersion> ModelRegistry::Load(const catalog::ModelRecord& record) {
  auto version = std::make_shared<ModelVersion>();
  version->record = record;
  version->trials = store_->catalog().Trials(record.name);
  std::erase_if(version->trials, [&](const auto& t) { return t.version != record.version; });
  version->model = ml::Model::Load(store_->workspace() + "/" + record.artifact_path);
  version->transform = TransformOf(record);
  return version;
}

int64_t ModelRegistry::Commit(const std::string& name, std::shared_ptr<const ml::Model> model,
                              catalog::ModelRecord record, std::vector<catalog::TrialRecord> trials,
                              const std::vector<catalog::LineageEdge>& lineage,
                              const std::string& transform) {
  auto version = std::make_shared<ModelVersion>();
  version->model = std::move(model);
  version->transform = transform;
  record.name = name;
  std::lock_guard lock(mutex_);
  if (store_ == nullptr) {
    record.version = ++next_version_[name];
    for (auto& trial : trials) trial.version = record.version;
    version->record = std::move(record);
    version->trials = std::move(trials);
    models_[name] = version;
    return version->record.version;
  }
  std::string folder = ModelFolder(name);
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) Throw<IoError>("cannot make {}: {}", folder, error.message());
  auto file_lock = store::FileLock::Acquire(folder + "/.lock", kLockTimeout, "model " + name);
  record.version = 1;
  for (const catalog::ModelRecord& existing : store_->catalog().Models()) {
    if (existing.name == name) record.version = std::max(record.version, existing.version + 1);
  }
  std::string final_folder = folder + "/" + std::to_string(record.version);
  std::string temp_folder =
      folder + "/.tmp-" + std::to_string(record.version) + "-" + std::to_string(::getpid());
  WriteArtifact(*version->model, folder, temp_folder, final_folder);
  record.artifact_path = fs::relative(final_folder, store_->workspace()).string();
  for (auto& trial : trials) trial.version = record.version;
  try {
    store_->catalog().PutModel(record, trials, lineage);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(final_folder, ignored);
    throw;
  }
  version->record = std::move(record);
  version->trials = std::move(trials);
  models_[name] = version;
  return version->record.version;
}

void ModelRegistry::Forget(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto found = models_.find(name); found != models_.end()) models_.erase(found);
}

bool ModelRegistry::Drop(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto found = models_.find(name);
  bool cached = found != models_.end();
  if (cached) models_.erase(found);
  if (store_ == nullptr) return cached;
  bool recorded = !store_->catalog().DeleteModel(name).empty();
  std::error_code ignored;
  fs::remove_all(ModelFolder(name), ignored);
  return recorded;
}

std::vector<std::string> ModelRegistry::Names() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  if (store_ == nullptr) {
    for (const auto& [name, version] : models_) names.push_back(name);
    return names;
  }
  for (const catalog::ModelRecord& record : store_->catalog().Models()) {
    if (names.empty() || names.back() != record.name) names.push_back(record.name);
  }
  return names;
}

}  // namespace sluice::session
