#pragma once

// Request counters, latency histograms and served versions, in the Prometheus text format.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace sluice::serve {

/// Counts requests by route and status class, their latency per route, the requests in flight,
/// the version of each result being served and the version whose key index is built. Thread-safe;
/// recording a request takes a shared lock and a few relaxed atomic increments (an exclusive lock
/// the first time a route is seen).
class Metrics {
 public:
  /// Are the upper bounds in seconds of the latency buckets; a +Inf bucket follows.
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  /// Counts one request in flight from its construction to its destruction.
  class InFlight {
   public:
    explicit InFlight(Metrics& metrics) : metrics_(metrics) {
      metrics_.in_flight_.fetch_add(1, std::memory_order_relaxed);
    }
    ~InFlight() { metrics_.in_flight_.fetch_sub(1, std::memory_order_relaxed); }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    Metrics& metrics_;
  };

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// Records a request to `route`, a template such as "/v1/results/{name}" (never a raw path:
  /// each route is a time series), answered with `status` after `seconds`.
  void Record(std::string_view route, int status, double seconds);
  /// Sets the version of `result` being served.
  void SetResultVersion(std::string_view result, int64_t version);
  /// Sets the latest version of `result` whose key index has been built.
  void SetIndexedVersion(std::string_view result, int64_t version);
  /// Returns the number of requests in flight.
  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  /// Returns every metric in the Prometheus text exposition format (version 0.0.4).
  std::string Prometheus() const;

 private:
  struct Route;
  Route& RouteFor(std::string_view route);
  void AppendRequests(std::string& out) const;
  void AppendDurations(std::string& out) const;

  mutable std::shared_mutex routes_mutex_;
  std::map<std::string, std::unique_ptr<Route>, std::less<>> routes_;  // by routes_mutex_
  std::atomic<int64_t> in_flight_{0};
  mutable std::mutex versions_mutex_;
  std::map<std::string, int64_t, std::less<>> versions_;          // guarded by versions_mutex_
  std::map<std::string, int64_t, std::less<>> indexed_versions_;  // guarded by versions_mutex_
};

}  // namespace sluice::serve
