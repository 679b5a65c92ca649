#include <unistd.h>

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "session/database.h"

namespace sluice::session {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class SourceStatementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_sources_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "shop.db").string();
    connection_.Execute(
        "CREATE TABLE items (id INTEGER, name VARCHAR, price DOUBLE, added DATE);"
        "INSERT INTO items VALUES (1, 'apple', 1.5, DATE '2024-01-02'), (2, 'pear', NULL, NULL),"
        "(3, 'plum', 3, DATE '2024-03-04')");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Query(Connection& connection, const std::string& sql) {
    return connection.Execute(sql).ToString();
  }
  std::string Query(const std::string& sql) { return Query(connection_, sql); }
  std::string ErrorOf(const std::string& sql) {
    try {
      connection_.Execute(sql);
    } catch (const Error& error) {
      return error.what();
    }
    return "no error";
  }

  std::filesystem::path dir_;
  std::string db_;
  Database database_;
  Connection connection_{database_};
};

TEST_F(SourceStatementsTest, WritesAndReadsSqliteTables) {
  EXPECT_EQ(Query("CREATE SINK s FROM items INTO 'sqlite:" + db_ + "' WITH (table = 'items')"),
            "CREATE SINK 3\n");
  Query("CREATE SOURCE shop FROM 'sqlite:" + db_ + "' WITH (table = 'items')");
  EXPECT_EQ(Query("SELECT * FROM shop ORDER BY id"),
            "1|apple|1.5|2024-01-02\n2|pear|NULL|NULL\n3|plum|3|2024-03-04\n");
  EXPECT_EQ(Query("SELECT name FROM sqlite_scan('" + db_ + "', 'items') WHERE price > 2"),
            "plum\n");
  EXPECT_EQ(Query("SHOW SOURCES"), "shop|sqlite:" + db_ + "|items\n");
  EXPECT_EQ(Query("SHOW SINKS"), "s|items|sqlite:" + db_ + "|items|replace||3\n");
  EXPECT_THAT(Query("SHOW TABLES"), HasSubstr("shop"));
}

TEST_F(SourceStatementsTest, PushesProjectionAndFiltersIntoSqlite) {
  Query("CREATE SINK s FROM items INTO '" + db_ + "' WITH (table = 'items')");
  Query("CREATE SOURCE shop FROM '" + db_ + "' WITH (table = 'items')");
  EXPECT_THAT(Query("EXPLAIN SELECT name FROM shop WHERE id >= 2 AND name < 'q'"),
              HasSubstr("SQLITE_SCAN [SELECT \"id\", \"name\" FROM \"items\" WHERE \"id\" >= 2 "
                        "AND \"name\" COLLATE BINARY < 'q']"));
  EXPECT_EQ(Query("SELECT name FROM shop WHERE id >= 2 AND name < 'q' ORDER BY name"),
            "pear\nplum\n");
}

TEST_F(SourceStatementsTest, UpsertsAndKeepsTargetsWholeOnFailure) {
  std::string into = " INTO 'sqlite:" + db_ + "' WITH (table = 'items', ";
  Query("CREATE SINK s FROM items" + into + "key = 'id')");
  EXPECT_EQ(Query("CREATE OR REPLACE SINK s FROM (SELECT 3 AS id, 'PLUM' AS name UNION ALL "
                  "SELECT 4, 'fig')" +
                  into + "mode = 'upsert', key = 'id')"),
            "CREATE SINK 2\n");
  std::string scan = "sqlite_scan('" + db_ + "', 'items')";
  EXPECT_EQ(Query("SELECT id, name, price FROM " + scan + " ORDER BY id"),
            "1|apple|1.5\n2|pear|NULL\n3|PLUM|3\n4|fig|NULL\n");
  // Row 5 is new, row 1 collides with the primary key: the append writes nothing.
  EXPECT_THAT(
      ErrorOf("CREATE SINK t FROM (SELECT 5 AS id UNION ALL SELECT 1)" + into + "mode = 'append')"),
      HasSubstr("UNIQUE constraint failed: items.id"));
  EXPECT_EQ(Query("SELECT count(*) FROM " + scan), "4\n");
  EXPECT_EQ(Query("SHOW SINKS"),
            "s|(SELECT 3 AS id, 'PLUM' AS name UNION ALL SELECT 4, 'fig')|sqlite:" + db_ +
                "|items|upsert|id|2\n");
}

TEST_F(SourceStatementsTest, RegistersFilesAsSources) {
  std::string csv = std::string(SLUICE_SOURCE_DIR) + "/test/data/csv/basic.csv";
  Query("CREATE SOURCE people FROM '" + csv + "'");
  EXPECT_EQ(Query("SELECT count(*), max(name) FROM people"), "4|say \"hi\"\n");
  EXPECT_THAT(ErrorOf("CREATE SOURCE people FROM '" + csv + "'"),
              StartsWith("relation \"people\" already exists"));
  EXPECT_EQ(Query("CREATE SOURCE IF NOT EXISTS people FROM '" + csv + "'"), "CREATE SOURCE\n");
  EXPECT_EQ(Query("CREATE OR REPLACE SOURCE people FROM '" + csv + "'"), "CREATE SOURCE\n");
  EXPECT_THAT(ErrorOf("DROP TABLE people"), StartsWith("\"people\" is a source: use DROP SOURCE"));
  EXPECT_EQ(Query("DROP SOURCE people"), "DROP SOURCE\n");
  EXPECT_THAT(ErrorOf("DROP SOURCE people"), StartsWith("source \"people\" does not exist"));
  EXPECT_EQ(Query("DROP SOURCE IF EXISTS people"), "DROP SOURCE\n");
  EXPECT_THAT(ErrorOf("CREATE SOURCE x FROM '" + csv + "' WITH (table = 't')"),
              StartsWith("file sources have no option \"table\""));
}

TEST_F(SourceStatementsTest, FileSourcesSkipDataByTheQuerysFilters) {
  std::string parquet = std::string(SLUICE_SOURCE_DIR) + "/test/data/parquet/people.parquet";
  Query("CREATE SOURCE people FROM '" + parquet + "'");
  EXPECT_EQ(Query("SELECT count(*) FROM people WHERE id > 100000"), "0\n");
  EXPECT_THAT(Query("EXPLAIN SELECT * FROM people WHERE id > 100000"),
              HasSubstr("row groups: 3 of 3 skipped by statistics"));
}

TEST_F(SourceStatementsTest, ReportsBadDatabasesAndValues) {
  EXPECT_THAT(ErrorOf("SELECT * FROM sqlite_scan('" + db_ + "x', 't')"),
              StartsWith("cannot open SQLite database '" + db_ + "x'"));
  // A column declared INTEGER that holds text: an error, or NULL by option.
  Query("CREATE SINK s FROM (SELECT 1 AS v) INTO '" + db_ + "' WITH (table = 'odd')");
  Query("CREATE SINK t FROM (SELECT 'abc' AS v) INTO '" + db_ +
        "' WITH (table = 'odd', mode = 'append')");
  EXPECT_THAT(ErrorOf("SELECT * FROM sqlite_scan('" + db_ + "', 'odd')"),
              StartsWith("column \"v\" of SQLite table \"odd\" (declared INTEGER, read as "
                         "BIGINT) holds the TEXT value 'abc' in row 2"));
  EXPECT_EQ(Query("SELECT * FROM sqlite_scan('" + db_ + "', 'odd', type_mismatch => 'null')"),
            "1\nNULL\n");
  EXPECT_EQ(ErrorOf("SELECT * FROM sqlite_scan('" + db_ + "', 'nope')"),
            "SQLite table \"nope\" does not exist in '" + db_ + "'");
  EXPECT_EQ(ErrorOf("CREATE SOURCE o FROM 'sqlite:" + db_ +
                    "' WITH (table = 'odd', "
                    "type_mismatch = 'maybe')"),
            "option type_mismatch must be 'error' or 'null', not 'maybe'");
  EXPECT_EQ(ErrorOf("CREATE SINK u FROM items INTO 'ftp://x' WITH (table = 't')"),
            "cannot write to 'ftp://x': expected a postgresql:// URL, sqlite:path, or a "
            ".db/.sqlite file");
  EXPECT_EQ(ErrorOf("CREATE SINK u FROM items INTO '" + db_ + "' WITH (table = 't', colour = 1)"),
            "CREATE SINK has no option \"colour\" (table, mode, key)");
}

TEST_F(SourceStatementsTest, KeepsSourcesAndSinksInTheWorkspace) {
  std::string workspace = (dir_ / "ws").string();
  std::filesystem::create_directories(workspace);
  {
    auto database = Database::Open(workspace);
    Connection connection(*database);
    Query(connection, "CREATE TEMP TABLE t AS SELECT 1 AS a, 'x' AS b");
    Query(connection, "CREATE SINK out FROM t INTO '" + db_ + "' WITH (table = 't')");
    Query(connection, "CREATE SOURCE back FROM '" + db_ + "' WITH (table = 't')");
    Query(connection, "CREATE SOURCE gone FROM '" + db_ + "' WITH (table = 't')");
    Query(connection, "DROP SOURCE gone");
  }
  auto database = Database::Open(workspace);
  Connection connection(*database);
  EXPECT_EQ(Query(connection, "SHOW SOURCES"), "back|" + db_ + "|t\n");
  EXPECT_EQ(Query(connection, "SHOW SINKS"), "out|t|" + db_ + "|t|replace||0\n");
  EXPECT_EQ(Query(connection, "SELECT a, b FROM back"), "1|x\n");
}

}  // namespace
}  // namespace sluice::session
