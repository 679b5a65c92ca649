#pragma once

// The versions a serving process reads: the latest version of each result, pinned while it is
// the latest, found again only when the catalog changed; a background thread that notices new
// versions by itself and prepares them (rows in memory, key index, groups) before requests
// need them.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "serve/served_version.h"
#include "store/result_store.h"

namespace sluice::serve {

/// Configures a VersionCache.
struct VersionCacheOptions {
  /// Is the most rows a version may have for its rows to be held in memory.
  size_t max_rows = 1 << 20;
  /// Prepares versions on a background thread: at start the latest version of every result,
  /// then each new version as soon as the catalog has it. Without it nothing is prepared
  /// (requests scan).
  bool prepare = true;
  /// Is how often the background thread looks for new versions: a SQLite catalog's files are
  /// looked at (two stat calls), a PostgreSQL catalog is asked at `remote_poll` instead.
  std::chrono::milliseconds poll{20};
  std::chrono::milliseconds remote_poll{1000};
  /// Is called on the background thread after a version has been prepared.
  std::function<void(const std::string& name, const ServedVersion& served)> on_prepared;
};

/// Hands out the versions to serve. Thread-safe.
class VersionCache {
 public:
  /// Serves the results of `store`; starts the background thread when `options.prepare`.
  explicit VersionCache(store::ResultStore& store, VersionCacheOptions options = {});
  /// Stops the background thread (after the preparation it is in).
  ~VersionCache();
  VersionCache(const VersionCache&) = delete;
  VersionCache& operator=(const VersionCache&) = delete;

  /// Returns version `version` of result `name` (the latest when absent), or nullptr when there
  /// is no such result. The latest version number is asked of the catalog again only after the
  /// catalog changed (always for a PostgreSQL catalog), and the version pinned again only when
  /// that number changed, so a new version is picked up by the next request, prepared or not
  /// (then it is prepared in the background). Never prepares: a version not yet prepared has
  /// no rows() or index(). Throws UserError for a version that does not exist.
  std::shared_ptr<const ServedVersion> Get(const std::string& name, std::optional<int64_t> version);
  /// Asks the background thread to group `served`'s rows by `column` (ServedVersion::Group).
  void RequestGroups(const std::shared_ptr<const ServedVersion>& served, size_t column);
  /// Returns the latest version of `name` seen so far, without asking the catalog; nullptr
  /// when none was.
  std::shared_ptr<const ServedVersion> Current(const std::string& name);

 private:
  // Is the latest version of a result as last seen, and the catalog stamp it was seen at.
  struct Entry {
    std::shared_ptr<const ServedVersion> served;
    std::string stamp;
  };
  // Is work for the background thread: Prepare `served` (when `prepare`), then group its rows
  // by `columns`.
  struct Job {
    std::string name;
    std::shared_ptr<const ServedVersion> served;
    bool prepare = false;
    std::vector<size_t> columns;
  };

  // Returns what changes whenever the catalog does: a SQLite catalog's files' sizes and
  // modification times; "" for a PostgreSQL catalog, or a SQLite one modified in the last
  // 100 ms (either is then asked each time).
  std::string CatalogStamp() const;
  std::shared_ptr<const ServedVersion> Make(const std::string& name,
                                            std::shared_ptr<const store::PinnedVersion> pin);
  // Returns the latest version of `name` as Get does, given the catalog's `stamp`.
  std::shared_ptr<const ServedVersion> Latest(const std::string& name, const std::string& stamp);
  // Installs `served` as the latest version of `name` and queues its preparation.
  // REQUIRES: mutex_ held.
  void Install(const std::string& name, std::shared_ptr<const ServedVersion> served,
               const std::string& stamp);
  // The background thread: looks for new versions and runs the queued jobs until stopped.
  void Run();
  // Finds the latest version of every result, pinning the new ones (which queues them).
  void Refresh();
  void RunJob(const Job& job);

  store::ResultStore& store_;
  VersionCacheOptions options_;
  std::mutex mutex_;
  std::map<std::string, Entry> latest_;  // by mutex_
  std::deque<Job> jobs_;                 // by mutex_
  bool stopping_ = false;                // by mutex_
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace sluice::serve
