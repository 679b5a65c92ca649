#include "serve/response_cache.h"

#include <mutex>

#include <fmt/format.h>

namespace sluice::serve {

std::string ResponseCache::Key(const Fields& query, int format, bool masked) {
  // Lengths first, so that no two different parameter lists give the same key.
  std::string key = fmt::format("{}{};", format, masked ? 'm' : 'u');
  for (const auto& [name, value] : query) {
    fmt::format_to(std::back_inserter(key), "{}:{}{}:{}", name.size(), name, value.size(), value);
  }
  return key;
}

std::shared_ptr<const CachedResponse> ResponseCache::Find(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto found = entries_.find(key);
  return found == entries_.end() ? nullptr : found->second;
}

void ResponseCache::Add(const std::string& key, CachedResponse response) {
  size_t size = response.body.size() + key.size();
  if (size > kMaxBytes / 4) return;
  auto kept = std::make_shared<const CachedResponse>(std::move(response));
  std::lock_guard lock(mutex_);
  if (!entries_.emplace(key, std::move(kept)).second) return;
  order_.push_back(key);
  bytes_ += size;
  while (bytes_ > kMaxBytes) {
    auto oldest = entries_.find(order_.front());
    bytes_ -= oldest->second->body.size() + oldest->first.size();
    entries_.erase(oldest);
    order_.pop_front();
  }
}

}  // namespace sluice::serve
