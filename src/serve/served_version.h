#pragma once

// One version of a result as a serving process holds it: pinned, its rows in memory with a
// hash index on its key (so `?key=eq.v` is a lookup, not a scan), its rows grouped by the
// values of the columns requests filter on with `eq` (so such a filter reads one group, not
// the whole version), and the answers already given. VersionCache builds the index and the
// groups off the request path.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "serve/response_cache.h"
#include "store/result_store.h"

namespace sluice::serve {

/// Is a hash index on the key column of a version's rows (ServedVersion::rows).
struct KeyIndex {
  size_t column = 0;                                                    // the key column
  std::unordered_map<std::string, std::pair<uint32_t, uint32_t>> rows;  // key text -> (batch, row)
};

/// Is a copy of a version's rows in which the rows of each value of one column are together,
/// so that the rows where `column = v` all lie in a short run of batches.
struct ColumnGroups {
  /// Is the half-open range of `batches` holding every row of one value (and maybe others).
  struct Range {
    uint32_t begin = 0;
    uint32_t end = 0;
  };
  size_t column = 0;
  std::vector<core::Batch> batches;  // the rows (without the column's NULLs), of kVectorSize
  std::unordered_map<std::string, Range> ranges;  // value text (Value::ToString) -> batches
};

/// Returns whether values of `type` have one text each (Value::ToString), so that equal
/// values, and only those, have equal texts: what indexes and groups are keyed by.
bool HasCanonicalText(core::TypeId type);

/// Is one pinned version as served. Thread-safe; the accessors never block.
class ServedVersion {
 public:
  /// Serves `pin`, whose columns `pii` marks as personal data (per column); its rows are held
  /// in memory (by Prepare) only when it has at most `max_rows` rows.
  ServedVersion(std::shared_ptr<const store::PinnedVersion> pin, std::vector<bool> pii,
                size_t max_rows)
      : pin_(std::move(pin)), pii_(std::move(pii)), max_rows_(max_rows) {}
  ServedVersion(const ServedVersion&) = delete;
  ServedVersion& operator=(const ServedVersion&) = delete;

  const std::shared_ptr<const store::PinnedVersion>& pin() const { return pin_; }
  const catalog::VersionInfo& info() const { return pin_->info(); }
  /// Returns, per column, whether the catalog flags it as personal data.
  const std::vector<bool>& pii() const { return pii_; }

  /// Reads every row into memory and builds the key index: on the declared single-column key,
  /// else on the first column (of at most three without NULLs) whose values are all distinct.
  /// Does nothing for a version of more than `max_rows` rows. Blocks; the first call does the
  /// work, later ones wait for it (VersionCache calls it on its own thread).
  void Prepare() const;
  /// Returns whether Prepare has finished.
  bool prepared() const { return prepared_.load(std::memory_order_acquire); }
  /// Returns every row, or null before Prepare has finished or for too large a version.
  std::shared_ptr<const std::vector<core::Batch>> rows() const;
  /// Returns the key index, or null before Prepare has finished or when there is no key.
  const KeyIndex* index() const { return prepared() ? index_.get() : nullptr; }

  /// Groups the rows by the values of `column` (see ColumnGroups). Blocks; does nothing before
  /// Prepare has finished, for a column whose values have no canonical text, or when the
  /// column is already grouped.
  void Group(size_t column) const;
  /// Returns the rows grouped by `column`, or null when Group(column) has not finished.
  std::shared_ptr<const ColumnGroups> groups(size_t column) const;
  /// Returns the columns the rows have been grouped by.
  std::vector<size_t> grouped_columns() const;
  /// Returns the answers to rows requests of this version kept so far.
  ResponseCache& responses() const { return responses_; }

 private:
  std::shared_ptr<const store::PinnedVersion> pin_;
  std::vector<bool> pii_;
  size_t max_rows_;
  mutable std::once_flag prepare_once_;
  mutable std::atomic<bool> prepared_{false};
  // Written once by Prepare before `prepared_` is set; read only after it is.
  mutable std::shared_ptr<const std::vector<core::Batch>> rows_;
  mutable std::unique_ptr<const KeyIndex> index_;
  mutable std::mutex groups_mutex_;
  mutable std::map<size_t, std::shared_ptr<const ColumnGroups>> groups_;  // by groups_mutex_
  mutable ResponseCache responses_;
};

}  // namespace sluice::serve
