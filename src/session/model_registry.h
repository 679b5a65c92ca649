#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/dataset_record.h"
#include "ml/model.h"

namespace sluice::store {
class ResultStore;
}  // namespace sluice::store

namespace sluice::session {

/// Is one version of a model as queries use it: the trained model and what the catalog records
/// about it (options, metrics, details with the TRANSFORM clause, trials).
struct ModelVersion {
  catalog::ModelRecord record;
  std::vector<catalog::TrialRecord> trials;
  std::shared_ptr<const ml::Model> model;
  std::string transform;  // the TRANSFORM items as SQL (empty without TRANSFORM)
};

/// Holds the models of a database: in a workspace, artifacts under `.sluice/models/<name>/<v>/`
/// recorded in the catalog (loaded at first use and cached per version); in memory otherwise.
/// Thread-safe.
class ModelRegistry {
 public:
  /// Keeps models in `store`'s workspace, or in memory when `store` is null.
  explicit ModelRegistry(store::ResultStore* store);

  /// Returns the latest version of model `name`, or nullptr when there is none. Throws
  /// DataError when its artifact cannot be read.
  std::shared_ptr<const ModelVersion> Find(std::string_view name);
  /// Stores `model` as the next version of `name` with its catalog records (their name, version
  /// and artifact path are filled here) and lineage edges; returns the version. The artifact is
  /// written to a temporary folder, synced and renamed before one catalog transaction records
  /// it, so a failure leaves the previous version as it was.
  int64_t Commit(const std::string& name, std::shared_ptr<const ml::Model> model,
                 catalog::ModelRecord record, std::vector<catalog::TrialRecord> trials,
                 const std::vector<catalog::LineageEdge>& lineage, const std::string& transform);
  /// Removes every version of model `name`; returns false when there was none.
  bool Drop(std::string_view name);
  /// Forgets the version of `name` held in memory, so that the next Find() reads the workspace
  /// again (another process, rank 0 of a run, committed a newer one).
  void Forget(std::string_view name);
  /// Returns the names of the models, sorted.
  std::vector<std::string> Names();

 private:
  std::string ModelFolder(std::string_view name) const;
  std::shared_ptr<const ModelVersion> Load(const catalog::ModelRecord& record);

  store::ResultStore* store_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const ModelVersion>, std::less<>> models_;  // latest
  std::map<std::string, int64_t, std::less<>> next_version_;  // in memory only
};

}  // namespace sluice::session
