#include "session/catalog_scan.h"

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "catalog/catalog_db.h"
#include "session/catalog_queries.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CatalogScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(data_.Path("in"));
    std::filesystem::create_directories(data_.Path("other"));
    data_.Write("in/airports.csv",
                "iata,city\nSFO,San Francisco\nLAX,Los Angeles\nSEA,Seattle\n"
                "JFK,New York\nORD,Chicago\n");
    data_.Write("in/flights-2k.json",
                "[{\"origin\":\"SFO\",\"destination\":\"LAX\",\"delay\":5},"
                "{\"origin\":\"LAX\",\"destination\":\"SEA\",\"delay\":-3},"
                "{\"origin\":\"SEA\",\"destination\":\"SFO\",\"delay\":12},"
                "{\"origin\":\"SFO\",\"destination\":\"JFK\",\"delay\":0}]");
    data_.Write("other/airports.csv", "code,size\nA,1\nB,2\n");
    database_ = Database::Open(workspace_.path());
  }

  std::vector<ScanOutcome> Scan(const std::string& input) {
    return ScanDatasets(*database_, {data_.Path(input)});
  }
  std::string Query(const std::string& sql) {
    Connection connection(*database_);
    return connection.Execute(sql).ToString();
  }
  catalog::CatalogDb& catalog() { return database_->store()->catalog(); }

  TestFolder workspace_;
  TestFolder data_;
  std::unique_ptr<Database> database_;
};

TEST_F(CatalogScanTest, RegistersProfilesAndMakesQueryableEveryDataset) {
  auto outcomes = Scan("in");
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].name, "airports");
  EXPECT_EQ(outcomes[0].status, "new");
  EXPECT_EQ(outcomes[0].rows, 5);
  EXPECT_EQ(outcomes[0].columns, 2);
  EXPECT_EQ(outcomes[1].name, "flights_2k");
  EXPECT_EQ(outcomes[1].format, "json");
  EXPECT_EQ(Query("SELECT count(*) FROM flights_2k WHERE origin = 'SFO'"), "2\n");
  EXPECT_EQ(Query("SELECT name, kind, format, rows FROM sluice.datasets ORDER BY name"),
            "airports|source|csv|5\nflights_2k|source|json|4\n");
  EXPECT_EQ(Query("SELECT name, type, distinct_count FROM sluice.columns "
                  "WHERE dataset = 'airports' ORDER BY ordinal"),
            "iata|VARCHAR|5\ncity|VARCHAR|5\n");
  auto airports = catalog().FindDataset("airports");
  ASSERT_TRUE(airports);
  EXPECT_THAT(airports->sample_json, HasSubstr("\"iata\":\"SFO\""));
  EXPECT_EQ(airports->location, data_.Path("in/airports.csv"));
}

TEST_F(CatalogScanTest, ReScansReadOnlyWhatChanged) {
  Scan("in");
  for (const auto& outcome : Scan("in")) EXPECT_EQ(outcome.status, "unchanged") << outcome.name;
  // Same bytes written again: a new modification time, the same content hash.
  data_.Write("in/flights-2k.json", TestFolder::ReadFile(data_.Path("in/flights-2k.json")));
  for (const auto& outcome : Scan("in")) EXPECT_EQ(outcome.status, "unchanged") << outcome.name;
  data_.Write("in/airports.csv", "iata,city\nSFO,San Francisco\n");
  auto outcomes = Scan("in");
  EXPECT_EQ(outcomes[0].status, "changed");
  EXPECT_EQ(outcomes[0].rows, 1);
  EXPECT_EQ(outcomes[1].status, "unchanged");
  EXPECT_EQ(catalog().FindDataset("airports")->version, 2);
  EXPECT_EQ(Query("SELECT count(*) FROM airports"), "1\n");
}

TEST_F(CatalogScanTest, NamesStayUniqueAcrossScans) {
  Scan("in");
  auto outcomes = Scan("other");
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].name, "airports_2");
  EXPECT_EQ(Query("SELECT count(*) FROM airports_2"), "2\n");
}

TEST_F(CatalogScanTest, TagsAndDescriptionsSurviveReScansAndAreSearchable) {
  Scan("in");
  catalog().AddTag("airports", "reference");
  catalog().Describe("airports", "Airport codes of the United States");
  data_.Write("in/airports.csv", "iata,city\nSFO,San Francisco\n");
  Scan("in");
  auto airports = catalog().FindDataset("airports");
  EXPECT_EQ(airports->tags, std::vector<std::string>{"reference"});
  EXPECT_EQ(airports->description, "Airport codes of the United States");
  EXPECT_THAT(SearchCatalog(*database_, "united").ToString(), HasSubstr("airports"));
  EXPECT_THAT(SearchCatalog(*database_, "refer").ToString(), HasSubstr("airports"));
}

TEST_F(CatalogScanTest, RelatedFindsColumnsWhoseValuesAreKeysElsewhere) {
  Scan("in");
  std::string related = RelatedColumns(*database_, "flights_2k").ToString();
  EXPECT_THAT(related, HasSubstr("origin|airports|iata|1|0.6|identifier"));
  EXPECT_THAT(related, HasSubstr("destination|airports|iata|1|0.8|identifier"));
  EXPECT_THAT(RelatedColumns(*database_, "flights_2k.origin").ToString(),
              Not(HasSubstr("destination")));
  EXPECT_THROW(RelatedColumns(*database_, "nothing"), UserError);
  EXPECT_THROW(RelatedColumns(*database_, "flights_2k.nothing"), UserError);
}

TEST_F(CatalogScanTest, AnUnreadableDatasetFailsAloneAndMissingInputsAreErrors) {
  data_.Write("in/broken.json", "[{\"a\": 1}, {\"a\": ");
  auto outcomes = Scan("in");
  int failed = 0;
  for (const auto& outcome : outcomes) {
    if (outcome.status == "failed") {
      ++failed;
      EXPECT_THAT(outcome.reason, HasSubstr("broken.json"));
    }
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(Query("SELECT count(*) FROM airports"), "5\n");
  EXPECT_THROW(Scan("missing"), UserError);
  Database memory;
  EXPECT_THROW(ScanDatasets(memory, {data_.Path("in")}), UserError);
}

TEST_F(CatalogScanTest, StoredResultsAreProfiledWhenCommitted) {
  Query("CREATE TABLE codes AS SELECT * FROM (VALUES ('SFO', 1), ('LAX', 2), (NULL, 3)) t(c, n)");
  EXPECT_EQ(Query("SELECT name, kind, version, rows FROM sluice.datasets"), "codes|result|1|3\n");
  EXPECT_EQ(Query("SELECT name, non_null, distinct_count, min, max FROM sluice.columns "
                  "ORDER BY ordinal"),
            "c|2|2|LAX|SFO\nn|3|3|1|3\n");
  Query("INSERT INTO codes VALUES ('SEA', 10)");
  EXPECT_EQ(Query("SELECT version, rows FROM sluice.datasets"), "2|4\n");
  EXPECT_EQ(Query("SELECT max FROM sluice.columns WHERE name = 'n'"), "10\n");
  EXPECT_EQ(catalog().DatasetColumns("codes", 1).size(), 2u);
  Query("SET retention_versions = 1");  // version 1 and its column profiles go
  EXPECT_TRUE(catalog().DatasetColumns("codes", 1).empty());
  EXPECT_EQ(catalog().DatasetColumns("codes", 2).size(), 2u);
  Query("DROP TABLE codes");
  EXPECT_EQ(Query("SELECT count(*) FROM sluice.datasets"), "0\n");
}

}  // namespace
}  // namespace sluice::session
