#include "serve/metrics.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace sluice::serve {

namespace {

constexpr std::array<const char*, 5> kClasses = {"1xx", "2xx", "3xx", "4xx", "5xx"};

// Returns `value` as a Prometheus label value: quoted, with \, " and newlines escaped.
std::string Label(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void AppendFamily(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

struct Metrics::Route {
  std::array<std::atomic<uint64_t>, kClasses.size()> by_class{};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // not cumulative; +Inf
  std::atomic<uint64_t> nanos{0};
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Route& Metrics::RouteFor(std::string_view route) {
  {
    std::shared_lock lock(routes_mutex_);
    auto found = routes_.find(route);
    if (found != routes_.end()) return *found->second;
  }
  std::unique_lock lock(routes_mutex_);
  auto& slot = routes_[std::string(route)];
  if (!slot) slot = std::make_unique<Route>();
  return *slot;
}

void Metrics::Record(std::string_view route, int status, double seconds) {
  Route& counters = RouteFor(route);
  size_t status_class = static_cast<size_t>(std::clamp(status / 100, 1, 5) - 1);
  counters.by_class[status_class].fetch_add(1, std::memory_order_relaxed);
  seconds = std::max(seconds, 0.0);
  size_t bucket = std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin();
  counters.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  counters.nanos.fetch_add(static_cast<uint64_t>(std::llround(seconds * 1e9)),
                           std::memory_order_relaxed);
}

void Metrics::SetResultVersion(std::string_view result, int64_t version) {
  std::lock_guard lock(versions_mutex_);
  auto found = versions_.find(result);
  if (found == versions_.end()) {
    versions_.emplace(std::string(result), version);
  } else {
    found->second = version;
  }
}

void Metrics::SetIndexedVersion(std::string_view result, int64_t version) {
  std::lock_guard lock(versions_mutex_);
  indexed_versions_.insert_or_assign(std::string(result), version);
}

std::string Metrics::Prometheus() const {
  std::string out;
  AppendRequests(out);
  AppendDurations(out);
  AppendFamily(out, "sluice_http_requests_in_flight", "gauge", "HTTP requests being answered.");
  fmt::format_to(std::back_inserter(out), "sluice_http_requests_in_flight {}\n", in_flight());
  AppendFamily(out, "sluice_result_version", "gauge", "Version of each result being served.");
  std::lock_guard lock(versions_mutex_);
  for (const auto& [result, version] : versions_) {
    fmt::format_to(std::back_inserter(out), "sluice_result_version{{result={}}} {}\n",
                   Label(result), version);
  }
  AppendFamily(out, "sluice_result_indexed_version", "gauge",
               "Latest version of each result whose key index has been built.");
  for (const auto& [result, version] : indexed_versions_) {
    fmt::format_to(std::back_inserter(out), "sluice_result_indexed_version{{result={}}} {}\n",
                   Label(result), version);
  }
  return out;
}

void Metrics::AppendRequests(std::string& out) const {
  AppendFamily(out, "sluice_http_requests_total", "counter",
               "HTTP requests answered, by route and status class.");
  std::shared_lock lock(routes_mutex_);
  for (const auto& [route, counters] : routes_) {
    for (size_t i = 0; i < kClasses.size(); ++i) {
      uint64_t count = counters->by_class[i].load(std::memory_order_relaxed);
      if (count == 0) continue;
      fmt::format_to(std::back_inserter(out),
                     "sluice_http_requests_total{{route={},code=\"{}\"}} {}\n", Label(route),
                     kClasses[i], count);
    }
  }
}

void Metrics::AppendDurations(std::string& out) const {
  const char* name = "sluice_http_request_duration_seconds";
  AppendFamily(out, name, "histogram", "Time to answer an HTTP request, by route.");
  std::shared_lock lock(routes_mutex_);
  for (const auto& [route, counters] : routes_) {
    std::string label = Label(route);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < counters->buckets.size(); ++i) {
      cumulative += counters->buckets[i].load(std::memory_order_relaxed);
      std::string bound = i < kBuckets.size() ? fmt::format("{}", kBuckets[i]) : "+Inf";
      fmt::format_to(std::back_inserter(out), "{}_bucket{{route={},le=\"{}\"}} {}\n", name, label,
                     bound, cumulative);
    }
    double sum = static_cast<double>(counters->nanos.load(std::memory_order_relaxed)) / 1e9;
    fmt::format_to(std::back_inserter(out), "{}_sum{{route={}}} {}\n", name, label, sum);
    fmt::format_to(std::back_inserter(out), "{}_count{{route={}}} {}\n", name, label, cumulative);
  }
}

}  // namespace sluice::serve
