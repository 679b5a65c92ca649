#pragma once

// The versions a serving process reads: the latest version of each result, pinned while it is
// the latest, found again only when the catalog changed; and, for a version with a key, its
// rows in memory with a hash index from key to row, so `?key=eq.v` is a lookup, not a scan.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "store/result_store.h"

namespace sluice::serve {

/// Is a hash index on the key column of a version's rows (ServedVersion::Rows).
struct KeyIndex {
  size_t column = 0;                                                    // the key column
  std::unordered_map<std::string, std::pair<uint32_t, uint32_t>> rows;  // key text -> (batch, row)
};

/// Is one pinned version as served. Thread-safe.
class ServedVersion {
 public:
  /// Serves `pin`, whose columns `pii` marks as personal data (per column).
  ServedVersion(std::shared_ptr<const store::PinnedVersion> pin, std::vector<bool> pii)
      : pin_(std::move(pin)), pii_(std::move(pii)) {}

  const std::shared_ptr<const store::PinnedVersion>& pin() const { return pin_; }
  const catalog::VersionInfo& info() const { return pin_->info(); }
  /// Returns, per column, whether the catalog flags it as personal data.
  const std::vector<bool>& pii() const { return pii_; }
  /// Returns every row of the version, read at the first call and kept in memory, or null when
  /// the version has over `max_rows` rows (the same limit at every call).
  std::shared_ptr<const std::vector<core::Batch>> Rows(size_t max_rows) const;
  /// Returns the version's key index over Rows(max_rows), built at the first call: on its
  /// declared single-column key, else on the first column (of at most three without NULLs)
  /// whose values are all distinct. Null when there is no such column or no Rows.
  const KeyIndex* Index(size_t max_rows) const;

 private:
  std::shared_ptr<const store::PinnedVersion> pin_;
  std::vector<bool> pii_;
  mutable std::once_flag rows_once_;
  mutable std::shared_ptr<const std::vector<core::Batch>> rows_;
  mutable std::once_flag index_once_;
  mutable std::unique_ptr<const KeyIndex> index_;
};

/// Hands out the versions to serve. Thread-safe.
class VersionCache {
 public:
  explicit VersionCache(store::ResultStore& store) : store_(store) {}

  /// Returns version `version` of result `name` (the latest when absent), or nullptr when there
  /// is no such result. The latest version number is asked of the catalog again only after the
  /// catalog changed (always for a PostgreSQL catalog), and the version pinned again only when
  /// that number changed, so a new version is picked up by the next request. Throws UserError
  /// for a version that does not exist.
  std::shared_ptr<const ServedVersion> Get(const std::string& name, std::optional<int64_t> version);

 private:
  // Returns what changes whenever the catalog does: a SQLite catalog's files' sizes and
  // modification times; "" for a PostgreSQL catalog (which is then asked each time).
  std::string CatalogStamp() const;
  std::shared_ptr<const ServedVersion> Make(const std::string& name,
                                            std::shared_ptr<const store::PinnedVersion> pin);

  // Is the latest version of a result as last seen, and the catalog stamp it was seen at.
  struct Latest {
    std::shared_ptr<const ServedVersion> served;
    std::string stamp;
  };

  store::ResultStore& store_;
  std::mutex mutex_;
  std::map<std::string, Latest> latest_;
};

}  // namespace sluice::serve
