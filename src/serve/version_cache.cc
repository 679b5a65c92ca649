#include "serve/version_cache.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "base/log.h"
#include "serve/pii_mask.h"

namespace sluice::serve {
namespace {

// A file modified less than this long ago may be modified again with the same size and
// modification time (the kernel's file clock is coarse), so its stamp says nothing yet.
constexpr std::chrono::milliseconds kRacyStamp{100};

// Returns the sizes and modification times of `path` and its write-ahead log, or "" when one
// of them was modified too recently for that to tell later changes apart.
std::string FileStamp(const std::string& path) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  std::string stamp;
  for (const std::string& file : {path, path + "-wal"}) {
    struct stat status {};
    if (::stat(file.c_str(), &status) != 0) continue;
    auto modified = std::chrono::seconds(status.st_mtim.tv_sec) +
                    std::chrono::nanoseconds(status.st_mtim.tv_nsec);
    if (now - modified < kRacyStamp) return "";
    stamp +=
        fmt::format("{}:{}.{};", status.st_size, status.st_mtim.tv_sec, status.st_mtim.tv_nsec);
  }
  return stamp;
}

}  // namespace

VersionCache::VersionCache(store::ResultStore& store, VersionCacheOptions options)
    : store_(store), options_(std::move(options)) {
  if (options_.prepare) thread_ = std::thread([this] { Run(); });
}

VersionCache::~VersionCache() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const ServedVersion> VersionCache::Get(const std::string& name,
                                                       std::optional<int64_t> version) {
  if (!version) return Latest(name, CatalogStamp());
  // A version is immutable: the latest, when asked for by number, is the one prepared.
  std::shared_ptr<const ServedVersion> current = Current(name);
  if (current != nullptr && current->info().version == *version) return current;
  return Make(name, store_.Pin(name, version));
}

std::shared_ptr<const ServedVersion> VersionCache::Latest(const std::string& name,
                                                          const std::string& stamp) {
  std::lock_guard lock(mutex_);
  auto found = latest_.find(name);
  if (found != latest_.end()) {
    Entry& latest = found->second;
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
  Install(name, served, stamp);
  return served;
}

void VersionCache::Install(const std::string& name, std::shared_ptr<const ServedVersion> served,
                           const std::string& stamp) {
  Entry& latest = latest_[name];
  // The new version is grouped by the columns requests grouped the one before by.
  std::vector<size_t> columns;
  if (latest.served != nullptr) columns = latest.served->grouped_columns();
  latest = {served, stamp};
  if (!options_.prepare) return;
  jobs_.push_back({name, std::move(served), true, std::move(columns)});
  wake_.notify_all();
}

void VersionCache::RequestGroups(const std::shared_ptr<const ServedVersion>& served,
                                 size_t column) {
  if (!options_.prepare) return;
  std::lock_guard lock(mutex_);
  for (const Job& job : jobs_) {
    bool queued = std::find(job.columns.begin(), job.columns.end(), column) != job.columns.end();
    if (job.served == served && queued) return;
  }
  jobs_.push_back({"", served, false, {column}});
  wake_.notify_all();
}

std::shared_ptr<const ServedVersion> VersionCache::Current(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto found = latest_.find(name);
  return found == latest_.end() ? nullptr : found->second.served;
}

void VersionCache::Run() {
  std::string seen;  // the catalog stamp of the last refresh
  auto next_refresh = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!jobs_.empty()) {
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      RunJob(job);
      lock.lock();
      continue;
    }
    lock.unlock();
    // A SQLite catalog is looked at each poll (and asked while its stamp says nothing), a
    // PostgreSQL catalog asked each remote poll.
    std::string stamp = CatalogStamp();
    auto now = std::chrono::steady_clock::now();
    bool remote = store_.catalog().backend() != catalog::MetaBackend::kSqlite;
    if (remote ? now >= next_refresh : stamp.empty() || stamp != seen) {
      next_refresh = now + options_.remote_poll;
      try {
        Refresh();
        seen = stamp;
      } catch (const std::exception& error) {
        spdlog::warn("serve: looking for new versions failed: {}", error.what());
      }
    }
    lock.lock();
    if (jobs_.empty() && !stopping_) wake_.wait_for(lock, options_.poll);
  }
}

void VersionCache::Refresh() {
  std::string stamp = CatalogStamp();
  std::vector<std::string> names = store_.ResultNames();
  for (const std::string& name : names) Latest(name, stamp);
  std::set<std::string> present(names.begin(), names.end());
  std::lock_guard lock(mutex_);
  std::erase_if(latest_, [&](const auto& entry) { return !present.contains(entry.first); });
}

void VersionCache::RunJob(const Job& job) {
  try {
    if (job.prepare) {
      job.served->Prepare();
      if (options_.on_prepared) options_.on_prepared(job.name, *job.served);
    }
    for (size_t column : job.columns) job.served->Group(column);
  } catch (const std::exception& error) {
    spdlog::warn("serve: preparing a version of {} failed: {}", job.name, error.what());
  }
}

std::shared_ptr<const ServedVersion> VersionCache::Make(
    const std::string& name, std::shared_ptr<const store::PinnedVersion> pin) {
  if (pin == nullptr) return nullptr;
  const catalog::VersionInfo& info = pin->info();
  std::vector<bool> pii = PiiColumns(store_.catalog(), name, *info.schema, info.version);
  return std::make_shared<const ServedVersion>(std::move(pin), std::move(pii), options_.max_rows);
}

std::string VersionCache::CatalogStamp() const {
  if (store_.catalog().backend() != catalog::MetaBackend::kSqlite) return "";
  return FileStamp(store_.catalog().display_name());
}

}  // namespace sluice::serve
