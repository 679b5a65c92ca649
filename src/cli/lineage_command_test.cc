#include "cli/lineage_command.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::cli {
namespace {

// Is a workspace where trips.csv → trips → daily → {report, summary}, and `airports` joins
// into report.
class LineageCommandTest : public ::testing::Test {
 protected:
  LineageCommandTest() : database_(session::Database::Open(folder_.path())) {
    folder_.Write("trips.csv", "day,minutes\n1,30\n2,45\n");
    file_ = folder_.Path("trips.csv");
    session::Connection connection(*database_);
    connection.Execute("CREATE TABLE trips AS SELECT day, minutes FROM '" + file_ + "'");
    connection.Execute("CREATE TABLE airports AS SELECT 1 AS day, 'AMS' AS code");
    connection.Execute(
        "CREATE TABLE daily AS SELECT day, sum(minutes) AS total FROM trips GROUP BY day");
    connection.Execute(
        "CREATE OR REPLACE TABLE daily AS SELECT day, sum(minutes) AS total, "
        "count(*) AS n FROM trips GROUP BY day");
    connection.Execute(
        "CREATE TABLE report AS SELECT code, total / n AS mean FROM daily JOIN airports "
        "USING (day)");
    connection.Execute("CREATE TABLE summary AS SELECT max(total) AS top FROM daily");
  }

  catalog::CatalogDb& catalog() { return database_->store()->catalog(); }

  TestFolder folder_;
  std::string file_;
  std::unique_ptr<session::Database> database_;
};

TEST_F(LineageCommandTest, UpstreamWalkReachesTheFileAtTheStartOfTheChain) {
  LineageNode root = WalkLineage(catalog(), "report", LineageDirection::kUpstream);
  EXPECT_EQ(LineageText(root, false),
            "report (result, version 1)\n"
            "  ◄ airports (result, version 1)\n"
            "  ◄ daily (result, version 2)\n"
            "    ◄ trips (result, version 1)\n"
            "      ◄ " +
                file_ + " (file)\n");
  EXPECT_TRUE(root.downstream.empty());
}

TEST_F(LineageCommandTest, BothDirectionsByDefaultAndColumnsWithTheirOrigins) {
  LineageNode root = WalkLineage(catalog(), "daily", LineageDirection::kBoth);
  EXPECT_EQ(LineageText(root, true),
            "daily (result, version 2)\n"
            "  day ◄ trips.day\n"
            "  total ◄ trips.minutes\n"
            "  ◄ trips (result, version 1)\n"
            "    day ◄ " +
                file_ + ".day\n    minutes ◄ " + file_ +
                ".minutes\n"
                "    ◄ " +
                file_ +
                " (file)\n"
                "  ► report (result, version 1)\n"
                "    code ◄ airports.code\n"
                "    mean ◄ daily.n, daily.total\n"
                "  ► summary (result, version 1)\n"
                "    top ◄ daily.total\n");
}

TEST_F(LineageCommandTest, DownstreamOnlyAndJson) {
  LineageNode root = WalkLineage(catalog(), "trips", LineageDirection::kDownstream);
  EXPECT_TRUE(root.upstream.empty());
  EXPECT_EQ(LineageJson(root.downstream.at(0).downstream.at(1), true),
            R"({"dataset":"summary","kind":"result","version":1,"repeated":false,)"
            R"("columns":[{"column":"top","from":[{"dataset":"daily","column":"total",)"
            R"("version":2}]}],"upstream":[],"downstream":[]})");
  EXPECT_EQ(LineageText(root, false),
            "trips (result, version 1)\n"
            "  ► daily (result, version 2)\n"
            "    ► report (result, version 1)\n"
            "    ► summary (result, version 1)\n");
}

TEST_F(LineageCommandTest, UnknownDatasetsAreNamedWithTheNearestName) {
  try {
    WalkLineage(catalog(), "dayly", LineageDirection::kBoth);
    FAIL() << "no error";
  } catch (const UserError& error) {
    EXPECT_EQ(std::string(error.what()),
              "dataset \"dayly\" is not in the catalog and no lineage names it; did you mean "
              "\"daily\"?");
  }
}

}  // namespace
}  // namespace sluice::cli
