// The rows route over versions the service prepares in the background: the key index of a new
// version before any request, and `eq` filters answered from grouped rows as from a scan.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_folder.h"
#include "serve/recording_writer.h"
#include "serve/result_service.h"
#include "session/database.h"

namespace sluice::serve {
namespace {

using ::testing::HasSubstr;

class ResultRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = session::Database::Open(folder_.path());
    Sql("CREATE TABLE flights WITH (key = 'id') AS WITH d AS (SELECT * FROM (VALUES (0), (1), "
        "(2), (3), (4), (5), (6), (7), (8), (9)) AS x(v)), n AS (SELECT a.v + 10 * b.v + "
        "100 * c.v + 1000 * e.v AS i FROM d a, d b, d c, d e) SELECT i AS id, "
        "CASE i % 3 WHEN 0 THEN 'ATL' WHEN 1 THEN 'SFO' ELSE NULL END AS origin, i % 24 AS "
        "hour, i % 5 AS gate FROM n");
  }
  void Sql(const std::string& sql) { session::Connection(*database_).Execute(sql); }

  RecordingWriter Get(ResultService& service, const std::string& path, const Fields& query = {}) {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.target = path;
    request.query = query;
    RecordingWriter writer;
    service.Handle(request, writer);
    return writer;
  }

  // Returns whether /metrics shows `line` within 10 seconds, asking for nothing else.
  bool WaitForMetric(ResultService& service, const std::string& line) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      if (Get(service, "/metrics").body().find(line) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  TestFolder folder_;
  std::unique_ptr<session::Database> database_;
};

// A lazy index would be built by the first request filtering on the key: here the metric
// shows the new version indexed while no request has asked for rows at all.
TEST_F(ResultRowsTest, IndexesANewVersionBeforeAnyRequestFiltersOnTheKey) {
  ResultService service(*database_, {}, "http://127.0.0.1:7070");
  ASSERT_TRUE(WaitForMetric(service, "sluice_result_indexed_version{result=\"flights\"} 1\n"));
  Sql("CREATE OR REPLACE TABLE flights WITH (key = 'id') AS "
      "SELECT * FROM flights WHERE id < 100");
  ASSERT_TRUE(WaitForMetric(service, "sluice_result_indexed_version{result=\"flights\"} 2\n"));
  std::shared_ptr<const ServedVersion> served = service.versions().Current("flights");
  ASSERT_EQ(served->info().version, 2);
  ASSERT_NE(served->index(), nullptr);
  RecordingWriter found = Get(service, "/v1/results/flights", {{"id", "eq.42"}});
  EXPECT_EQ(found.status(), 200);
  EXPECT_EQ(found.Header("x-result-version"), "2");
  EXPECT_EQ(found.body(), "[\n{\"id\":42,\"origin\":\"ATL\",\"hour\":18,\"gate\":2}\n]\n");
  EXPECT_EQ(Get(service, "/v1/results/flights", {{"id", "eq.4200"}}).body(), "[]\n");
}

// The same pages, cursors and misses whether the version is scanned or its groups are read,
// and when an answer is sent again from the version's response cache.
TEST_F(ResultRowsTest, AnswersEqualityFiltersFromGroupsAsFromAScan) {
  ResultService service(*database_, {}, "http://127.0.0.1:7070");
  ASSERT_TRUE(WaitForMetric(service, "sluice_result_indexed_version{result=\"flights\"} 1\n"));
  const std::vector<Fields> queries = {
      {{"origin", "eq.ATL"}, {"order", "hour.desc"}, {"limit", "100"}},
      {{"origin", "eq.SFO"}, {"gate", "eq.3"}, {"select", "id,hour"}, {"offset", "20"}},
      {{"hour", "eq.7"}, {"origin", "eq.SFO"}, {"limit", "5"}, {"format", "csv"}},
      {{"origin", "eq.LAX"}, {"hour", "gte.0"}},
      {{"gate", "eq.1"}, {"origin", "not.eq.ATL"}, {"order", "id.desc"}, {"limit", "3"}}};
  std::vector<std::string> scanned;
  for (const Fields& query : queries) {
    RecordingWriter page = Get(service, "/v1/results/flights", query);
    ASSERT_EQ(page.status(), 200) << page.body();
    scanned.push_back(page.body() + page.Header("x-next-cursor"));
  }
  std::shared_ptr<const ServedVersion> served = service.versions().Current("flights");
  for (size_t column : {1, 2, 3}) {  // origin, hour, gate: asked for by the requests above
    for (int attempt = 0; attempt < 1000 && served->groups(column) == nullptr; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_NE(served->groups(column), nullptr) << column;
  }
  for (size_t q = 0; q < queries.size(); ++q) {
    // The same query with its parameters reversed: not an answer kept from the first pass.
    Fields reversed(queries[q].rbegin(), queries[q].rend());
    RecordingWriter page = Get(service, "/v1/results/flights", reversed);
    EXPECT_EQ(page.body() + page.Header("x-next-cursor"), scanned[q]) << q;
  }
  for (size_t q = 0; q < queries.size(); ++q) {
    RecordingWriter again = Get(service, "/v1/results/flights", queries[q]);
    EXPECT_EQ(again.body() + again.Header("x-next-cursor"), scanned[q]) << q;
    EXPECT_EQ(again.Header("x-result-version"), "1");
  }
  Fields next = queries[0];
  next.emplace_back("cursor", Get(service, "/v1/results/flights", next).Header("x-next-cursor"));
  std::string second = Get(service, "/v1/results/flights", next).body();
  EXPECT_THAT(second, HasSubstr("\"hour\":21"));  // 417 ATL rows have hour 21
  EXPECT_NE(second, scanned[0]);
}

}  // namespace
}  // namespace sluice::serve
