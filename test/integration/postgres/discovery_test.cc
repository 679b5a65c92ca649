// Discovery of a PostgreSQL database against a real server: every user table of every schema.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "catalog/discovery.h"
#include "fixture.h"
#include "io/postgres/pg_connection.h"

namespace sluice {
namespace {

using catalog::Discover;
using catalog::DiscoveredDataset;
using ::testing::ElementsAre;
using testing::SharedPostgres;

// Makes database `name` afresh and runs `sql` in it.
std::string MakeDatabase(const std::string& name, const std::string& sql) {
  SharedPostgres().Execute("DROP DATABASE IF EXISTS " + name);
  SharedPostgres().Execute("CREATE DATABASE " + name);
  std::string url = SharedPostgres().Url(name);
  io::postgres::PgConnection::Connect(url)->Execute(sql);
  return url;
}

std::map<std::string, DiscoveredDataset> ByName(const std::string& url) {
  std::map<std::string, DiscoveredDataset> datasets;
  for (const DiscoveredDataset& dataset : Discover({url}).datasets)
    datasets[dataset.name] = dataset;
  return datasets;
}

size_t CountRows(const DiscoveredDataset& dataset) {
  auto reader = catalog::OpenDataset(dataset);
  size_t rows = 0;
  while (auto batch = reader->Next()) rows += batch->num_rows();
  return rows;
}

class PostgresDiscoveryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    url_ = MakeDatabase(
        "discovery",
        "CREATE TABLE airports (code text, name text, lat float8);"
        "INSERT INTO airports VALUES ('JFK', 'Kennedy', 40.6), ('LAX', 'LA', 33.9),"
        "('SFO', 'SF', 37.6);"
        "CREATE SCHEMA \"Sales\";"
        "CREATE TABLE \"Sales\".orders (id int, amount numeric, tags int[]);"
        "INSERT INTO \"Sales\".orders SELECT g, g * 1.5, ARRAY[g] FROM generate_series(1, 2500) g;"
        "CREATE VIEW airport_codes AS SELECT code FROM airports;"
        "CREATE TABLE measures (day date, value int) PARTITION BY RANGE (day);"
        "CREATE TABLE measures_2024 PARTITION OF measures "
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "INSERT INTO measures VALUES ('2024-03-01', 1), ('2024-04-01', 2);");
  }

  static std::string url_;
};

std::string PostgresDiscoveryTest::url_;

TEST_F(PostgresDiscoveryTest, FindsTheTablesOfEverySchema) {
  auto datasets = ByName(url_);
  std::vector<std::string> found;
  for (const auto& [name, dataset] : datasets) found.push_back(name + " " + dataset.table);
  // Not the view, nor the partition apart from its table.
  EXPECT_THAT(found, ElementsAre("airports public.airports", "measures public.measures",
                                 "sales_orders Sales.orders"));
  const DiscoveredDataset& orders = datasets["sales_orders"];
  EXPECT_EQ(orders.format, "postgres");
  EXPECT_EQ(orders.location, url_);
  EXPECT_TRUE(orders.files.empty());
  EXPECT_EQ(orders.owner, "postgres");
  EXPECT_GT(orders.size_bytes, 8192);
  EXPECT_GT(datasets["measures"].size_bytes, 0);
  EXPECT_EQ(orders.fingerprint.size(), 16u);
  EXPECT_EQ(catalog::ContentHash(orders), "");
}

TEST_F(PostgresDiscoveryTest, OpensEachTableWithItsRows) {
  auto datasets = ByName(url_);
  EXPECT_EQ(CountRows(datasets["airports"]), 3u);
  EXPECT_EQ(CountRows(datasets["sales_orders"]), 2500u);
  EXPECT_EQ(CountRows(datasets["measures"]), 2u);
  // An array column, which Sluice has no type for, reads as its text.
  EXPECT_EQ(catalog::OpenDataset(datasets["sales_orders"])->schema()->ToString(),
            "id INTEGER, amount DOUBLE, tags VARCHAR");
}

TEST_F(PostgresDiscoveryTest, FingerprintChangesWithTheRows) {
  using Clock = std::chrono::steady_clock;
  std::string url =
      MakeDatabase("discovery_changes", "CREATE TABLE t (x int); INSERT INTO t VALUES (1);");
  auto fingerprint = [&] { return ByName(url)["t"].fingerprint; };
  // Backends flush their statistics counters shortly after they commit or exit: wait until
  // the fingerprint has not moved for a while, then (after a change) until it moves.
  std::string settled = fingerprint();
  for (auto since = Clock::now(); Clock::now() - since < std::chrono::milliseconds(1500);) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::string current = fingerprint(); current != settled) {
      settled = current;
      since = Clock::now();
    }
  }
  io::postgres::PgConnection::Connect(url)->Execute("INSERT INTO t VALUES (2)");
  std::string inserted = fingerprint();
  for (auto start = Clock::now();
       inserted == settled && Clock::now() - start < std::chrono::seconds(10);) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    inserted = fingerprint();
  }
  EXPECT_NE(inserted, settled);
  // TRUNCATE gives the table a new file at once.
  io::postgres::PgConnection::Connect(url)->Execute("TRUNCATE t");
  EXPECT_NE(fingerprint(), inserted);
}

}  // namespace
}  // namespace sluice
