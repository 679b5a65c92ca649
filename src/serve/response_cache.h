#pragma once

// The answers to rows requests of one version, kept for the next identical request: a version
// never changes, so neither does the answer to the same query string in the same format with
// the same masking.

#include <cstddef>
#include <deque>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "serve/http.h"

namespace sluice::serve {

/// Is one answer kept: the headers and body of a 200 sent whole.
struct CachedResponse {
  Fields headers;
  std::string body;
};

/// Keeps answers up to a total size, dropping the oldest first. Thread-safe.
class ResponseCache {
 public:
  /// Is the total size of the bodies kept, at most.
  static constexpr size_t kMaxBytes = 2 << 20;

  ResponseCache() = default;
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  /// Returns the key of a request with query parameters `query` answered in `format` (a
  /// RowFormat's number), with personal data masked or not.
  static std::string Key(const Fields& query, int format, bool masked);
  /// Returns the answer kept under `key`, or null.
  std::shared_ptr<const CachedResponse> Find(const std::string& key) const;
  /// Keeps `response` under `key` (not when its body alone exceeds a quarter of kMaxBytes).
  void Add(const std::string& key, CachedResponse response);

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CachedResponse>> entries_;  // by mutex_
  std::deque<std::string> order_;  // keys, oldest first; by mutex_
  size_t bytes_ = 0;               // by mutex_
};

}  // namespace sluice::serve
