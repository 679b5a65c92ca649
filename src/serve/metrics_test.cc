#include "serve/metrics.h"

#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::serve {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersThePrometheusTextFormat) {
  Metrics metrics;
  metrics.Record("/v1/results/{name}", 200, 0.002);
  metrics.Record("/v1/results/{name}", 404, 0.25);  // a bucket's bound belongs to it
  metrics.Record("/v1/results/{name}", 503, 20);    // beyond the last bound: +Inf only
  metrics.Record("/healthz", 200, 0.0001);
  metrics.SetResultVersion("delays", 7);
  metrics.SetResultVersion("delays", 8);
  metrics.SetResultVersion("odd \"name\"", 1);
  metrics.SetIndexedVersion("delays", 9);
  Metrics::InFlight in_flight(metrics);
  EXPECT_EQ(metrics.Prometheus(),
            R"(# HELP sluice_http_requests_total HTTP requests answered, by route and status class.
# TYPE sluice_http_requests_total counter
sluice_http_requests_total{route="/healthz",code="2xx"} 1
sluice_http_requests_total{route="/v1/results/{name}",code="2xx"} 1
sluice_http_requests_total{route="/v1/results/{name}",code="4xx"} 1
sluice_http_requests_total{route="/v1/results/{name}",code="5xx"} 1
# HELP sluice_http_request_duration_seconds Time to answer an HTTP request, by route.
# TYPE sluice_http_request_duration_seconds histogram
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.0005"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.001"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.0025"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.005"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.01"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.025"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.05"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.1"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.25"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="0.5"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="1"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="2.5"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="5"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="10"} 1
sluice_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 1
sluice_http_request_duration_seconds_sum{route="/healthz"} 0.0001
sluice_http_request_duration_seconds_count{route="/healthz"} 1
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.0005"} 0
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.001"} 0
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.0025"} 1
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.005"} 1
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.01"} 1
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.025"} 1
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.05"} 1
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.1"} 1
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.25"} 2
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="0.5"} 2
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="1"} 2
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="2.5"} 2
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="5"} 2
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="10"} 2
sluice_http_request_duration_seconds_bucket{route="/v1/results/{name}",le="+Inf"} 3
sluice_http_request_duration_seconds_sum{route="/v1/results/{name}"} 20.252
sluice_http_request_duration_seconds_count{route="/v1/results/{name}"} 3
# HELP sluice_http_requests_in_flight HTTP requests being answered.
# TYPE sluice_http_requests_in_flight gauge
sluice_http_requests_in_flight 1
# HELP sluice_result_version Version of each result being served.
# TYPE sluice_result_version gauge
sluice_result_version{result="delays"} 8
sluice_result_version{result="odd \"name\""} 1
# HELP sluice_result_indexed_version Latest version of each result whose key index has been built.
# TYPE sluice_result_indexed_version gauge
sluice_result_indexed_version{result="delays"} 9
)");
}

TEST(MetricsTest, CountsRequestsInFlight) {
  Metrics metrics;
  {
    Metrics::InFlight first(metrics);
    Metrics::InFlight second(metrics);
    EXPECT_EQ(metrics.in_flight(), 2);
  }
  EXPECT_EQ(metrics.in_flight(), 0);
  EXPECT_THAT(metrics.Prometheus(), HasSubstr("\nsluice_http_requests_in_flight 0\n"));
}

TEST(MetricsTest, CountsEveryRequestRecordedConcurrently) {
  constexpr int kThreads = 8;
  constexpr int kRequests = 1000;
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < kRequests; ++i) {
        metrics.Record(t % 2 == 0 ? "/even" : "/odd", 200 + (i % 2) * 300, 0.001);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::string text = metrics.Prometheus();
  EXPECT_THAT(text, HasSubstr("sluice_http_requests_total{route=\"/even\",code=\"2xx\"} 2000\n"));
  EXPECT_THAT(text, HasSubstr("sluice_http_requests_total{route=\"/odd\",code=\"5xx\"} 2000\n"));
  EXPECT_THAT(text, HasSubstr("_bucket{route=\"/odd\",le=\"0.001\"} 4000\n"));
  EXPECT_THAT(text, HasSubstr("_bucket{route=\"/odd\",le=\"0.0005\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("_count{route=\"/even\"} 4000\n"));
  EXPECT_THAT(text, HasSubstr("_sum{route=\"/even\"} 4\n"));
}

}  // namespace
}  // namespace sluice::serve
