// Commits of stored results across ranks (threads of this process standing in for MPI ranks,
// each with its own view of one workspace, as processes of their own would have): every rank
// writes its share of the version's parts, rank 0 records the version.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/test_folder.h"
#include "cluster/thread_ranks.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

constexpr int kRanks = 3;
constexpr size_t kPartRows = 2048;  // one vector per part: 10,000 rows make five parts

class RankCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text = "i\n";
    for (int i = 1; i <= 10000; ++i) text += std::to_string(i) + "\n";
    folder_.Write("numbers.csv", text);
  }

  // Runs `sql` on kRanks ranks; returns each rank's answer, or its error message.
  std::vector<std::string> OnRanks(const std::string& sql) {
    std::vector<std::string> answers(kRanks);
    cluster::RunRanks(kRanks, [&](cluster::Communicator& ranks) {
      auto database = Database::Open(folder_.path(), Options());
      Connection connection(*database);
      connection.set_ranks(&ranks);
      connection.Execute("CREATE TEMP TABLE numbers AS SELECT * FROM '" + Numbers() + "'");
      try {
        answers[ranks.rank()] = connection.Execute(sql).ToString();
      } catch (const Error& error) {
        answers[ranks.rank()] = std::string("error: ") + error.what();
      }
    });
    return answers;
  }

  // Returns the answer of one process alone.
  std::string Alone(const std::string& sql) {
    auto database = Database::Open(folder_.path(), Options());
    Connection connection(*database);
    connection.Execute("CREATE TEMP TABLE numbers AS SELECT * FROM '" + Numbers() + "'");
    return connection.Execute(sql).ToString();
  }

  catalog::VersionInfo Latest(const std::string& name) {
    auto database = Database::Open(folder_.path(), Options());
    return database->store()->Pin(name)->info();
  }

  // Returns the ranks that wrote the parts of `info`, from their names part-<rank>-<n>.
  static std::set<int> Writers(const catalog::VersionInfo& info) {
    std::set<int> writers;
    for (const catalog::PartInfo& part : info.parts) {
      std::string file = part.path.substr(part.path.rfind('/') + 1);
      writers.insert(std::stoi(file.substr(5)));
    }
    return writers;
  }

  // Returns the path of a CSV file of the numbers 1 to 10,000 in column i.
  std::string Numbers() const { return folder_.Path("numbers.csv"); }

  static store::StoreOptions Options() {
    store::StoreOptions options;
    options.part_rows = kPartRows;
    return options;
  }

  static void ExpectSame(const std::vector<std::string>& answers, const std::string& expected) {
    for (int rank = 0; rank < kRanks; ++rank) EXPECT_EQ(answers[rank], expected) << rank;
  }

  TestFolder folder_;
};

constexpr const char* kSelect =
    "SELECT i, i * 0.5 AS x, 'v' || i AS s, i % 7 = 0 AS seventh FROM numbers";
const std::string kCreate = std::string("CREATE TABLE t AS ") + kSelect;

TEST_F(RankCommitTest, EveryRankWritesItsPartsAndTheVersionReadsAsOneProcessWrote) {
  ExpectSame(OnRanks(kCreate), "CREATE TABLE t version 1\n");
  catalog::VersionInfo info = Latest("t");
  EXPECT_EQ(info.parts.size(), 5u);
  EXPECT_EQ(Writers(info), (std::set<int>{0, 1, 2}));
  EXPECT_EQ(info.num_rows, 10000);
  // Statistics of parts other ranks wrote came across bit for bit.
  EXPECT_EQ(info.columns[0].min.GetInt64(), 1);
  EXPECT_EQ(info.columns[0].max.GetInt64(), 10000);
  EXPECT_EQ(info.columns[1].max.GetDouble(), 5000.0);
  EXPECT_EQ(info.columns[2].min.GetString(), "v1");
  EXPECT_EQ(info.columns[2].max.GetString(), "v9999");
  EXPECT_EQ(Alone("SELECT * FROM t"), Alone(kSelect));
  // The catalog profiled every row, those of other ranks' parts too.
  EXPECT_EQ(
      Alone(
          "SELECT non_null, round(mean, 6) FROM sluice.columns WHERE dataset = 't' AND name = 'i'"),
      "10000|5000.5\n");
}

TEST_F(RankCommitTest, InsertsAreWrittenByEveryRankToo) {
  OnRanks(kCreate);
  ExpectSame(OnRanks("INSERT INTO t SELECT i, 0, 'w', false FROM numbers WHERE i <= 5000"),
             "INSERT 5000\n");
  catalog::VersionInfo info = Latest("t");
  EXPECT_EQ(info.version, 2);
  EXPECT_EQ(info.num_rows, 15000);
  EXPECT_EQ(Alone("SELECT count(*), sum(i) FROM t WHERE s = 'w'"), "5000|12502500\n");
}

TEST_F(RankCommitTest, ARefusedCommitFailsEveryRankAndWritesNothing) {
  OnRanks(kCreate);
  std::vector<std::string> answers = OnRanks(kCreate);
  for (const std::string& answer : answers) {
    EXPECT_NE(answer.find("error: table \"t\" already exists"), std::string::npos) << answer;
  }
  EXPECT_EQ(Latest("t").version, 1);
}

TEST_F(RankCommitTest, AnEmptyResultCommitsAVersionWithoutParts) {
  ExpectSame(OnRanks("CREATE TABLE e AS SELECT 1 AS a WHERE false"), "CREATE TABLE e version 1\n");
  EXPECT_TRUE(Latest("e").parts.empty());
  EXPECT_EQ(Alone("SELECT count(*) FROM e"), "0\n");
}

}  // namespace
}  // namespace sluice::session
