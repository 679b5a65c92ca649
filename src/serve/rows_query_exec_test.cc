// Runs the trees BuildRowsQuery makes on a session: what each filter, order and page returns.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "base/test_folder.h"
#include "serve/rows_query.h"
#include "session/database.h"

namespace sluice::serve {
namespace {

// Is one page of rows: the requested columns as text (a row per line) and the next cursor.
struct Page {
  std::string rows;
  std::string next_cursor;
};

// Returns the page `parameters` ask of `table` in `database`.
Page Fetch(session::Database& database, const std::string& table, const Fields& parameters,
           int64_t max_limit = 0) {
  session::Connection connection(database);
  core::SchemaPtr schema = connection.Execute("SELECT * FROM " + table + " LIMIT 0").schema;
  RowsQuery rows = ParseRowsQuery(parameters);
  RowsPlan plan = BuildRowsQuery(rows, table, *schema, max_limit);
  sql::SelectStatement statement;
  statement.query = std::move(plan.query);
  session::QueryResult result = connection.Run(statement);
  std::vector<core::Field> requested(result.schema->fields().begin(),
                                     result.schema->fields().begin() + plan.num_columns);
  auto visible = std::make_shared<core::Schema>(std::move(requested));
  Page page;
  for (const core::Batch& batch : result.batches) page.rows += batch.Share(visible).ToString();
  page.next_cursor = NextCursor(rows, *schema, plan, result.batches);
  return page;
}

class RowsQueryExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    session::Connection(database_).Execute(
        "CREATE TABLE t (id INTEGER, name VARCHAR, score BIGINT, day DATE, ok BOOLEAN);"
        "INSERT INTO t VALUES (1, 'SFO', 10, DATE '2024-01-01', TRUE),"
        "(2, 'sfo', 20, DATE '2024-01-02', FALSE), (3, 'LAX', NULL, NULL, NULL),"
        "(4, 'a,b', 20, DATE '2024-01-03', TRUE), (5, NULL, 5, DATE '2024-01-01', FALSE),"
        "(6, 'it''s', 30, DATE '2024-02-01', TRUE), (7, 'S_O', 10, NULL, NULL);"
        "CREATE TABLE m (x DOUBLE, at TIMESTAMP, s VARCHAR);"
        "INSERT INTO m VALUES (0.1, TIMESTAMP '2024-01-01 00:00:00.000001', 'a'),"
        "(1e-7, TIMESTAMP '2024-01-01 00:00:00.000002', 'b'), (NULL, NULL, 'c'),"
        "(-2.5, TIMESTAMP '2024-01-01 00:00:00.000001', 'd'), (0.1, NULL, 'e'),"
        "(0.30000000000000004, TIMESTAMP '1969-12-31 23:59:59.5', 'f')");
  }

  // Returns the ids of the rows of t that `parameters` select, in id order, one per line.
  std::string Ids(Fields parameters) {
    parameters.emplace_back("select", "id");
    parameters.emplace_back("order", "id");
    return Fetch(database_, "t", parameters).rows;
  }
  std::string Rows(const Fields& parameters, int64_t max_limit = 0) {
    return Fetch(database_, "t", parameters, max_limit).rows;
  }

  // Returns every row of `table` in the order `order` asks, read in pages of `page_size`,
  // with the columns `select` names (all when empty).
  std::string Paged(const std::string& table, const std::string& order, int page_size,
                    const std::string& select = "") {
    Fields parameters = {{"order", order}, {"limit", std::to_string(page_size)}};
    if (!select.empty()) parameters.emplace_back("select", select);
    std::string rows;
    for (int page = 0; page < 100; ++page) {
      Page next = Fetch(database_, table, parameters);
      rows += next.rows;
      if (next.next_cursor.empty()) return rows;
      parameters.resize(select.empty() ? 2 : 3);
      parameters.emplace_back("cursor", next.next_cursor);
    }
    ADD_FAILURE() << "paging does not end";
    return rows;
  }

  session::Database database_;
};

TEST_F(RowsQueryExecTest, ComparesWithTypedValues) {
  EXPECT_EQ(Ids({{"score", "eq.20"}}), "2\n4\n");
  EXPECT_EQ(Ids({{"score", "gt.10"}}), "2\n4\n6\n");
  EXPECT_EQ(Ids({{"score", "gte.10"}}), "1\n2\n4\n6\n7\n");
  EXPECT_EQ(Ids({{"score", "lt.10"}}), "5\n");
  EXPECT_EQ(Ids({{"score", "lte.10"}}), "1\n5\n7\n");
  EXPECT_EQ(Ids({{"day", "gte.2024-01-02"}}), "2\n4\n6\n");
  EXPECT_EQ(Ids({{"name", "eq.it's"}}), "6\n");
  // Values are checked as core::Value casts them, which the engine's CAST agrees with.
  EXPECT_EQ(Ids({{"score", "eq.1e1"}}), "1\n7\n");
  EXPECT_EQ(Ids({{"ok", "eq.yes"}, {"day", "lt.2024-01-02"}}), "1\n");
  EXPECT_EQ(Ids({{"score", "gt.5"}, {"score", "lt.30"}, {"ok", "eq.true"}}), "1\n4\n");
}

TEST_F(RowsQueryExecTest, LeavesNullsOutOfNeqAndNot) {
  EXPECT_EQ(Ids({{"score", "neq.20"}}), "1\n5\n6\n7\n");
  EXPECT_EQ(Ids({{"score", "not.eq.20"}}), "1\n5\n6\n7\n");
  EXPECT_EQ(Ids({{"score", "not.gt.10"}}), "1\n5\n7\n");
  EXPECT_EQ(Ids({{"name", "not.in.(SFO)"}}), "2\n3\n4\n6\n7\n");
  EXPECT_EQ(Ids({{"name", "not.like.S*"}}), "2\n3\n4\n6\n");
}

TEST_F(RowsQueryExecTest, MatchesInListsWithQuotedItems) {
  EXPECT_EQ(Ids({{"name", R"(in.(SFO,"a,b","it's"))"}}), "1\n4\n6\n");
  EXPECT_EQ(Ids({{"score", "in.(5,30)"}}), "5\n6\n");
  EXPECT_EQ(Ids({{"name", "in.()"}}), "");
  EXPECT_EQ(Ids({{"name", "not.in.()"}}), "1\n2\n3\n4\n5\n6\n7\n");
}

TEST_F(RowsQueryExecTest, MatchesLikeWithStarsAndIlike) {
  EXPECT_EQ(Ids({{"name", "like.S*"}}), "1\n7\n");
  EXPECT_EQ(Ids({{"name", "like.S_O"}}), "1\n7\n");
  EXPECT_EQ(Ids({{"name", "ilike.s*"}}), "1\n2\n7\n");
  EXPECT_EQ(Ids({{"name", "not.ilike.*o"}}), "3\n4\n6\n");
}

TEST_F(RowsQueryExecTest, MatchesIs) {
  EXPECT_EQ(Ids({{"name", "is.null"}}), "5\n");
  EXPECT_EQ(Ids({{"day", "not.is.null"}}), "1\n2\n4\n5\n6\n");
  EXPECT_EQ(Ids({{"ok", "is.true"}}), "1\n4\n6\n");
  EXPECT_EQ(Ids({{"ok", "is.false"}}), "2\n5\n");
  EXPECT_EQ(Ids({{"ok", "not.is.true"}}), "2\n3\n5\n7\n");
}

TEST_F(RowsQueryExecTest, OrdersWithNullsAndTieBreakers) {
  EXPECT_EQ(Rows({{"select", "id"}, {"order", "score.desc"}}), "3\n6\n2\n4\n1\n7\n5\n");
  EXPECT_EQ(Rows({{"select", "id"}, {"order", "score.desc.nullslast"}}), "6\n2\n4\n1\n7\n5\n3\n");
  EXPECT_EQ(Rows({{"select", "id"}, {"order", "score"}}), "5\n1\n7\n2\n4\n6\n3\n");
  EXPECT_EQ(Rows({{"select", "id"}, {"order", "score.nullsfirst"}}), "3\n5\n1\n7\n2\n4\n6\n");
  EXPECT_EQ(Rows({{"select", "name,id"}, {"order", "day.desc,id.desc"}, {"limit", "4"}}),
            "S_O|7\nLAX|3\nit's|6\na,b|4\n");
}

TEST_F(RowsQueryExecTest, LimitsAndOffsets) {
  EXPECT_EQ(Rows({{"select", "id"}, {"limit", "2"}, {"offset", "3"}}), "4\n5\n");
  EXPECT_EQ(Rows({{"select", "id"}, {"limit", "100"}}, 3), "1\n2\n3\n");
  EXPECT_EQ(Rows({{"select", "id"}, {"offset", "6"}}), "7\n");
  EXPECT_EQ(Rows({{"select", "id"}, {"limit", "0"}}), "");
}

TEST_F(RowsQueryExecTest, SendsOnlyTheRequestedColumns) {
  EXPECT_EQ(Rows({{"select", "name"}, {"order", "score.desc.nullslast"}, {"limit", "3"}}),
            "it's\nsfo\na,b\n");
}

TEST_F(RowsQueryExecTest, PagesByCursorThroughEveryRowOnce) {
  for (std::string order : {"id", "score.desc", "score.nullsfirst,name.desc", "ok.desc,day",
                            "ok.nullsfirst,day.desc.nullslast", "name.desc.nullsfirst"}) {
    std::string all = Rows({{"order", order}});
    for (int page_size : {1, 2, 3, 7}) {
      EXPECT_EQ(Paged("t", order, page_size), all) << order << " by " << page_size;
    }
  }
  EXPECT_EQ(Rows({{"select", "id"}, {"order", "ok.desc,day"}}), "3\n7\n1\n4\n6\n5\n2\n");
  EXPECT_EQ(Paged("t", "ok.desc,day", 2, "id"), "3\n7\n1\n4\n6\n5\n2\n");
  EXPECT_EQ(Paged("t", "score.desc.nullslast", 1, "name"), "it's\nsfo\na,b\nSFO\nS_O\nNULL\nLAX\n");
}

TEST_F(RowsQueryExecTest, PagesThroughDoublesAndTimestamps) {
  for (std::string order : {"x", "x.desc", "at.desc,x", "at.nullsfirst,s.desc"}) {
    std::string all = Fetch(database_, "m", {{"order", order}}).rows;
    EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 6);
    for (int page_size : {1, 2, 4}) {
      EXPECT_EQ(Paged("m", order, page_size), all) << order << " by " << page_size;
    }
  }
}

TEST(RowsQueryVersionTest, ReadsTheRequestedVersion) {
  TestFolder folder;
  auto database = session::Database::Open(folder.path());
  session::Connection connection(*database);
  connection.Execute("CREATE TABLE r AS SELECT 1 AS v");
  connection.Execute("CREATE OR REPLACE TABLE r AS SELECT 2 AS v");
  EXPECT_EQ(Fetch(*database, "r", {}).rows, "2\n");
  EXPECT_EQ(Fetch(*database, "r", {{"version", "1"}}).rows, "1\n");
}

}  // namespace
}  // namespace sluice::serve
