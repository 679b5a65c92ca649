// Queries run across ranks (threads of this process standing in for MPI ranks) give the answer
// of one process, show their exchanges in EXPLAIN, and fail alike on every rank.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "cluster/thread_ranks.h"
#include "session/database.h"

namespace sluice::session {
namespace {

constexpr int kRows = 30000;  // many batches, so that every rank gets rows of several

// Is a database with tables `f` (facts) and `d` (a dimension that misses some keys and has
// keys of its own), loaded from CSV files with NULLs and repeated keys.
class DistributedQueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = new TestFolder;
    std::string facts = "id,k,g,v,s\n";
    for (int i = 0; i < kRows; ++i) {
      std::string v = i % 97 == 0 ? "" : std::to_string((i * 7919) % 1000 - 300);
      facts += fmt::format("{},{},{},{},{}\n", i, i % 1000, "g" + std::to_string(i % 13), v,
                           i % 11 == 0 ? "" : "s" + std::to_string(i % 37));
    }
    std::string dimension = "k,name\n";
    for (int k = 500; k < 1500; ++k) dimension += fmt::format("{},n{}\n", k, k % 7);
    folder_->Write("facts.csv", facts);
    folder_->Write("dimension.csv", dimension);
    database_ = new Database;
    Connection connection(*database_);
    connection.Execute(
        fmt::format("CREATE TABLE f AS SELECT * FROM '{}'", folder_->Path("facts.csv")));
    connection.Execute(
        fmt::format("CREATE TABLE d AS SELECT * FROM '{}'", folder_->Path("dimension.csv")));
  }
  static void TearDownTestSuite() {
    delete database_;
    delete folder_;
  }

  // Returns what every one of `ranks` ranks answers (or the error it throws).
  static std::vector<std::string> OnRanks(int ranks, const std::string& sql) {
    std::vector<std::string> answers(ranks);
    cluster::RunRanks(ranks, [&](cluster::Communicator& communicator) {
      Connection connection(*database_);
      connection.set_ranks(&communicator);
      try {
        answers[communicator.rank()] = connection.Execute(sql).ToString();
      } catch (const UserError& error) {
        answers[communicator.rank()] = std::string("error: ") + error.what();
      }
    });
    return answers;
  }

  // Returns the first line where `answer` differs from `expected`, with both versions.
  static std::string FirstDifference(const std::string& answer, const std::string& expected) {
    size_t at = 0, line = 1;
    while (at < answer.size() && at < expected.size() && answer[at] == expected[at]) {
      if (answer[at++] == '\n') ++line;
    }
    size_t start = answer.rfind('\n', at == 0 ? 0 : at - 1);
    start = start == std::string::npos ? 0 : start + 1;
    auto line_at = [start](const std::string& text) {
      return text.substr(start, text.find('\n', start) - start);
    };
    return fmt::format("line {}: '{}', expected '{}'", line, line_at(answer), line_at(expected));
  }

  static void ExpectSameOnRanks(const std::string& sql) {
    SCOPED_TRACE(sql);
    std::string single = Connection(*database_).Execute(sql).ToString();
    ASSERT_FALSE(single.empty());
    for (int ranks : {2, 3, 4}) {
      std::vector<std::string> answers = OnRanks(ranks, sql);
      for (int rank = 0; rank < ranks; ++rank) {
        // Not EXPECT_EQ: its diff of answers of thousands of lines takes minutes.
        if (answers[rank] == single) continue;
        ADD_FAILURE() << "rank " << rank << " of " << ranks << ": "
                      << FirstDifference(answers[rank], single);
      }
    }
  }

  static TestFolder* folder_;
  static Database* database_;
};

TestFolder* DistributedQueryTest::folder_ = nullptr;
Database* DistributedQueryTest::database_ = nullptr;

TEST_F(DistributedQueryTest, ScansAndOrderKeepTheSingleProcessOrder) {
  ExpectSameOnRanks("SELECT id, v FROM f WHERE v > 600");
  ExpectSameOnRanks("SELECT id, s FROM f LIMIT 7 OFFSET 4000");
  ExpectSameOnRanks("SELECT id, v FROM f ORDER BY v DESC NULLS LAST, id LIMIT 20");
  ExpectSameOnRanks(fmt::format("SELECT k, count(*) FROM '{}' GROUP BY k ORDER BY k LIMIT 5",
                                folder_->Path("facts.csv")));
}

TEST_F(DistributedQueryTest, AggregatesMatch) {
  ExpectSameOnRanks("SELECT count(*), count(v), sum(v), min(s), max(s) FROM f");
  ExpectSameOnRanks(
      "SELECT g, count(DISTINCT s), median(v), round(stddev(v), 6), sum(length(s)) FROM f "
      "GROUP BY g "
      "ORDER BY g");
  ExpectSameOnRanks("SELECT DISTINCT s FROM f ORDER BY s NULLS FIRST");
  ExpectSameOnRanks("SELECT g, sum(v) AS t FROM f GROUP BY g HAVING sum(v) > 0 ORDER BY t");
  ExpectSameOnRanks("SELECT count(*) FROM f WHERE v > 10000");  // no rows on any rank
  // Aggregated on each rank first, the partial rows exchanged (count, sum, min, max, avg).
  ExpectSameOnRanks(
      "SELECT k % 7 AS m, avg(v), count(*) FILTER (WHERE v > 0), max(s), sum(v) FROM f "
      "GROUP BY m ORDER BY m");
  ExpectSameOnRanks("SELECT avg(v), min(id), count(s) FROM f WHERE id > 29990");
}

TEST_F(DistributedQueryTest, JoinsOfEveryKindMatch) {
  for (std::string kind : {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"}) {
    ExpectSameOnRanks("SELECT count(*), count(f.id), count(d.k), sum(f.v), min(d.name) FROM f " +
                      kind + " d ON f.k + 250 = d.k");
  }
  ExpectSameOnRanks(
      "SELECT d.name, count(*) FROM f JOIN d USING (k) GROUP BY d.name ORDER BY d.name");
  ExpectSameOnRanks("SELECT count(*) FROM d a, d b WHERE a.k < b.k AND b.k < 520");
  ExpectSameOnRanks(
      "SELECT count(*) FROM f WHERE k IN (SELECT k FROM d WHERE name = 'n3') AND EXISTS "
      "(SELECT 1 FROM d WHERE d.k = f.k + 1)");
}

TEST_F(DistributedQueryTest, WindowsSetOperationsAndSubqueriesMatch) {
  ExpectSameOnRanks(
      "SELECT id, row_number() OVER (PARTITION BY g ORDER BY v DESC NULLS LAST, id), "
      "sum(v) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) "
      "FROM f ORDER BY id LIMIT 50");
  ExpectSameOnRanks("SELECT id, lag(v) OVER (ORDER BY id) FROM f ORDER BY id DESC LIMIT 10");
  ExpectSameOnRanks("SELECT k FROM f UNION SELECT k FROM d ORDER BY k");
  ExpectSameOnRanks("SELECT k FROM d EXCEPT SELECT k FROM f ORDER BY k LIMIT 9");
  ExpectSameOnRanks("SELECT k FROM d INTERSECT SELECT k FROM f ORDER BY k DESC LIMIT 9");
  ExpectSameOnRanks("SELECT count(*) FROM (SELECT k FROM f UNION ALL VALUES (1), (2)) u");
  ExpectSameOnRanks(
      "WITH big AS (SELECT g, sum(v) AS t FROM f GROUP BY g) "
      "SELECT g, t, (SELECT max(v) FROM f WHERE f.g = big.g) FROM big ORDER BY g");
}

TEST_F(DistributedQueryTest, ParquetRowGroupsAreSharedOutAmongTheRanks) {
  std::string path = folder_->Path("facts.parquet");
  Connection(*database_)
      .Execute(fmt::format("COPY f TO '{}' (FORMAT parquet, row_group_size 2500)", path));
  ExpectSameOnRanks(fmt::format("SELECT id, v, s FROM '{}' WHERE id % 1000 = 7", path));
  ExpectSameOnRanks(
      fmt::format("SELECT g, count(*), sum(v) FROM '{}' GROUP BY g ORDER BY g", path));
  std::vector<std::string> plans = OnRanks(3, fmt::format("EXPLAIN SELECT * FROM '{}'", path));
  EXPECT_THAT(plans[1], ::testing::HasSubstr("row groups of rank 1 of 3"));
  // Fewer row groups than two per rank: the rows of each are sliced instead.
  std::string small = folder_->Path("small.parquet");
  Connection(*database_).Execute(fmt::format("COPY d TO '{}' (FORMAT parquet)", small));
  ExpectSameOnRanks(fmt::format("SELECT k, name FROM '{}' WHERE k % 100 = 3", small));
  plans = OnRanks(3, fmt::format("EXPLAIN SELECT * FROM '{}'", small));
  EXPECT_THAT(plans[0], ::testing::HasSubstr("rows split over 3 ranks"));
}

TEST_F(DistributedQueryTest, FilesOfAGlobAreSharedOutAmongTheRanks) {
  std::filesystem::create_directories(folder_->Path("parts"));
  for (int part = 0; part < 5; ++part) {
    Connection(*database_)
        .Execute(fmt::format("COPY (SELECT * FROM f WHERE id % 5 = {}) TO '{}' (FORMAT csv)", part,
                             folder_->Path(fmt::format("parts/f{}.csv", part))));
  }
  std::string glob = folder_->Path("parts/*.csv");
  ExpectSameOnRanks(fmt::format("SELECT id, v, s FROM '{}' WHERE id % 1000 = 7", glob));
  ExpectSameOnRanks(fmt::format("SELECT * FROM '{}'", glob));
  ExpectSameOnRanks(
      fmt::format("SELECT g, count(*), sum(v) FROM '{}' GROUP BY g ORDER BY g", glob));
  std::vector<std::string> plans = OnRanks(3, fmt::format("EXPLAIN SELECT * FROM '{}'", glob));
  EXPECT_THAT(plans[0], ::testing::HasSubstr("5 files (2 on this rank)"));
  EXPECT_THAT(plans[2], ::testing::HasSubstr("5 files (1 on this rank)"));
  // Fewer files than ranks: the rows are sliced instead.
  plans = OnRanks(6, fmt::format("EXPLAIN SELECT * FROM '{}'", glob));
  EXPECT_THAT(plans[0], ::testing::HasSubstr("rows split over 6 ranks"));
}

TEST_F(DistributedQueryTest, ACsvFileIsSharedOutByByteRanges) {
  // Over 4 MiB: each of 4 ranks parses at least one byte range of 1 MiB.
  std::string big = "i,k,s\n";
  for (int i = 0; i < 250000; ++i) {
    big += fmt::format("{},{},\"text, {}\"\n", i, i % 101, i % 7 == 0 ? "quoted\nline" : "x");
  }
  folder_->Write("big.csv", big);
  std::string path = folder_->Path("big.csv");
  ExpectSameOnRanks(fmt::format("SELECT * FROM '{}' WHERE i % 9973 = 5", path));
  ExpectSameOnRanks(
      fmt::format("SELECT k, count(*), sum(i), max(s) FROM '{}' GROUP BY k ORDER BY k", path));
  std::vector<std::string> plans = OnRanks(3, fmt::format("EXPLAIN SELECT * FROM '{}'", path));
  EXPECT_THAT(plans[2], ::testing::HasSubstr("byte ranges of rank 2 of 3"));
}

TEST_F(DistributedQueryTest, ASelectWhoseRowsOnlyRankZeroNeedsIsGatheredThereAlone) {
  const std::string sql = "SELECT f.id, d.name FROM f JOIN d ON f.k + 500 = d.k WHERE f.v > 500";
  std::string single = Connection(*database_).Execute(sql).ToString();
  std::vector<std::string> answers(3);
  std::vector<uint64_t> received(3);
  cluster::RunRanks(3, [&](cluster::Communicator& ranks) {
    Connection connection(*database_);
    connection.set_ranks(&ranks);
    connection.set_select_rows_on_first_rank(true);
    answers[ranks.rank()] = connection.Execute(sql).ToString();
    received[ranks.rank()] = ranks.bytes_received();
  });
  EXPECT_EQ(answers[0], single);
  EXPECT_EQ(answers[1], "");
  EXPECT_EQ(answers[2], "");
  EXPECT_GT(received[0], 0u);
  // Statements that keep rows still give them to every rank.
  for (const std::string& answer : OnRanks(3, "SELECT count(*) FROM f WHERE v > 500")) {
    EXPECT_EQ(answer,
              Connection(*database_).Execute("SELECT count(*) FROM f WHERE v > 500").ToString());
  }
}

TEST_F(DistributedQueryTest, ExplainShowsTheExchangesAndTheirBytes) {
  std::vector<std::string> plans =
      OnRanks(2, "EXPLAIN ANALYZE SELECT g, count(*) FROM f GROUP BY g ORDER BY g");
  EXPECT_THAT(plans[0], ::testing::HasSubstr("rows split over 2 ranks"));
  EXPECT_THAT(plans[0], ::testing::HasSubstr("EXCHANGE [hash on columns 0; sent "));
  EXPECT_THAT(plans[0], ::testing::HasSubstr("SCAN [partial aggregate]"));
  EXPECT_THAT(plans[0], ::testing::HasSubstr("EXCHANGE [range on #0 ASC NULLS LAST; sent "));
  EXPECT_THAT(plans[0], ::testing::HasSubstr("EXCHANGE [gather to every rank; sent "));
  plans = OnRanks(2, "EXPLAIN ANALYZE SELECT g, count(*) FROM f GROUP BY g ORDER BY g LIMIT 3");
  EXPECT_THAT(plans[0], ::testing::HasSubstr("EXCHANGE [gather to rank 0; sent "));
  std::string single = Connection(*database_).Execute("EXPLAIN SELECT g FROM f").ToString();
  EXPECT_THAT(single, ::testing::Not(::testing::HasSubstr("EXCHANGE")));
}

// Returns the rows the full sort on each rank sorted, from each rank's EXPLAIN ANALYZE.
std::vector<uint64_t> SortedRowsPerRank(const std::vector<std::string>& plans) {
  std::vector<uint64_t> rows;
  for (const std::string& plan : plans) {
    size_t at = plan.find("=> ORDER_BY [");
    at = at == std::string::npos ? at : plan.find("(rows in ", at);
    rows.push_back(at == std::string::npos ? 0 : std::stoull(plan.substr(at + 9)));
  }
  return rows;
}

TEST_F(DistributedQueryTest, ALargeSortSortsARangeOnEachRank) {
  ExpectSameOnRanks("SELECT id, v FROM f ORDER BY id DESC");
  ExpectSameOnRanks("SELECT id, k FROM f ORDER BY k");  // 30 rows per key: their order kept
  ExpectSameOnRanks("SELECT id, v FROM f ORDER BY v DESC NULLS FIRST");
  ExpectSameOnRanks("SELECT s, v / 7.0 AS d, id FROM f ORDER BY s NULLS FIRST, d DESC, id");
  ExpectSameOnRanks("SELECT g, s, v FROM f ORDER BY g DESC, v * 0.5 NULLS FIRST, s");
  ExpectSameOnRanks("SELECT id, v FROM f ORDER BY v NULLS FIRST, id OFFSET 29990");
  ExpectSameOnRanks("SELECT id, s FROM f WHERE id % 10000 = 7 ORDER BY s DESC, id");  // 3 rows
  ExpectSameOnRanks("SELECT k FROM f UNION ALL SELECT k FROM d ORDER BY k DESC");
  std::vector<std::string> plans =
      OnRanks(3, "EXPLAIN SELECT id, v FROM f ORDER BY v DESC NULLS FIRST, id");
  EXPECT_THAT(plans[1],
              ::testing::HasSubstr("EXCHANGE [range on #1 DESC NULLS FIRST, #0 ASC NULLS LAST]"));
  EXPECT_THAT(plans[1], ::testing::HasSubstr("SCAN [sorted, in rank order]"));
  EXPECT_THAT(plans[1], ::testing::HasSubstr("EXCHANGE [gather to every rank]"));
  std::vector<uint64_t> rows =
      SortedRowsPerRank(OnRanks(4, "EXPLAIN ANALYZE SELECT id, v FROM f ORDER BY v, id"));
  EXPECT_EQ(rows[0] + rows[1] + rows[2] + rows[3], static_cast<uint64_t>(kRows));
  for (uint64_t count : rows) EXPECT_GT(count, kRows / 8u);
  // Gathered to rank 0 alone, the ranges arrive in order too.
  const std::string sql = "SELECT id, s FROM f ORDER BY s DESC NULLS LAST, id";
  std::vector<std::string> answers(3);
  cluster::RunRanks(3, [&](cluster::Communicator& communicator) {
    Connection connection(*database_);
    connection.set_ranks(&communicator);
    connection.set_select_rows_on_first_rank(true);
    answers[communicator.rank()] = connection.Execute(sql).ToString();
  });
  EXPECT_TRUE(answers[0] == Connection(*database_).Execute(sql).ToString());
  EXPECT_EQ(answers[1], "");
}

TEST_F(DistributedQueryTest, ASortOfRepeatedKeysStillSpreadsItsRows) {
  for (const char* sql :
       {"SELECT id, 'x' AS c FROM f ORDER BY c DESC", "SELECT id, id % 2 AS b FROM f ORDER BY b"}) {
    ExpectSameOnRanks(sql);
    std::vector<uint64_t> rows =
        SortedRowsPerRank(OnRanks(4, std::string("EXPLAIN ANALYZE ") + sql));
    for (uint64_t count : rows) EXPECT_GT(count, kRows / 8u) << sql;
  }
}

TEST_F(DistributedQueryTest, SortsOfNoRowsAndInsideSubqueriesMatch) {
  const std::string empty = "SELECT id, s FROM f WHERE v > 10000 ORDER BY s, id";
  ASSERT_EQ(Connection(*database_).Execute(empty).ToString(), "");
  for (int ranks : {2, 3, 4}) {
    EXPECT_EQ(OnRanks(ranks, empty), std::vector<std::string>(ranks, "")) << ranks << " ranks";
  }
  ExpectSameOnRanks("SELECT * FROM (SELECT id, v FROM f ORDER BY v DESC, id) t LIMIT 5");
  ExpectSameOnRanks("WITH o AS (SELECT k, id FROM f ORDER BY k DESC, id) SELECT k, id FROM o");
  ExpectSameOnRanks("SELECT id, v, rank() OVER (ORDER BY v NULLS FIRST) FROM f ORDER BY id");
  ExpectSameOnRanks("SELECT id, v FROM f ORDER BY v DESC, id LIMIT 5 OFFSET 100");
}

TEST_F(DistributedQueryTest, AnErrorOnOneRankFailsEveryRankWithItsMessage) {
  // Only the rank holding id 29000 divides by zero; the others learn at the next exchange.
  for (const char* sql : {"SELECT sum(10 / (id - 29000)) FROM f",
                          "SELECT g, sum(10 / (id - 29000)) FROM f GROUP BY g",
                          "SELECT id FROM f WHERE 10 / (id - 29000) > 100"}) {
    SCOPED_TRACE(sql);
    for (const std::string& answer : OnRanks(3, sql)) EXPECT_EQ(answer, "error: division by zero");
  }
  // Every rank can run the next query.
  EXPECT_EQ(OnRanks(3, "SELECT count(*) FROM f"), std::vector<std::string>(3, "30000\n"));
}

}  // namespace
}  // namespace sluice::session
