#include "session/declared_key.h"

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "catalog/catalog_db.h"
#include "session/database.h"
#include "sql/parse_error.h"
#include "sql/parser.h"
#include "sql/to_sql.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

using ::testing::HasSubstr;

using Keys = std::vector<std::vector<size_t>>;

// Four flights, unique by (origin, day) but not by origin.
constexpr const char* kFlights =
    " AS SELECT * FROM (VALUES ('LAX', 1, 10), ('LAX', 2, 20), ('SFO', 1, 30), ('JFK', 1, 40))"
    " v(origin, day, delay)";

std::string UserErrorOf(Connection& connection, const std::string& sql) {
  try {
    connection.Execute(sql);
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for: " << sql;
  return "";
}

class DeclaredKeyTest : public ::testing::Test {
 protected:
  catalog::CatalogDb& catalog() { return database_->store()->catalog(); }
  std::string Query(const std::string& sql) { return connection_.Execute(sql).ToString(); }

  TestFolder folder_;
  std::unique_ptr<Database> database_ = Database::Open(folder_.path());
  Connection connection_{*database_};
};

TEST_F(DeclaredKeyTest, RecordsTheKeyWithTheVersion) {
  connection_.Execute(std::string("CREATE TABLE f WITH (key = 'delay')") + kFlights);
  auto info = catalog().FindVersion("f", 1);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->unique_keys, (Keys{{2}}));
  ASSERT_EQ(info->columns.size(), 3u);
  EXPECT_FALSE(info->columns[0].not_null);
  EXPECT_TRUE(info->columns[2].not_null);
  // The key belongs to the version that declares it: a replacement without one has none.
  connection_.Execute("CREATE OR REPLACE TABLE f AS SELECT * FROM f");
  EXPECT_TRUE(catalog().FindVersion("f", 2)->unique_keys.empty());
}

TEST_F(DeclaredKeyTest, RecordsACompositeKeyInItsOrder) {
  connection_.Execute(std::string("CREATE TABLE f WITH (KEY = 'day,origin')") + kFlights);
  EXPECT_EQ(catalog().FindVersion("f", 1)->unique_keys, (Keys{{1, 0}}));
  EXPECT_TRUE(catalog().FindVersion("f", 1)->columns[0].not_null);
  EXPECT_TRUE(catalog().FindVersion("f", 1)->columns[1].not_null);
}

TEST_F(DeclaredKeyTest, RefusesDuplicateAndNullKeysCommittingNothing) {
  EXPECT_EQ(
      UserErrorOf(connection_, std::string("CREATE TABLE f WITH (key = 'origin')") + kFlights),
      "duplicate key value violates unique constraint on \"f\" (origin): LAX");
  EXPECT_EQ(UserErrorOf(connection_,
                        "CREATE TABLE f WITH (key = 'origin, day') AS SELECT * FROM "
                        "(VALUES ('LAX', 1), ('SFO', 1), ('LAX', 1)) v(origin, day)"),
            "duplicate key value violates unique constraint on \"f\" (origin, day): LAX, 1");
  EXPECT_EQ(UserErrorOf(connection_,
                        "CREATE TABLE f WITH (key = 'origin, day') AS SELECT * FROM "
                        "(VALUES ('LAX', 1), ('SFO', NULL)) v(origin, day)"),
            "null value in column \"day\" of relation \"f\" violates not-null constraint");
  EXPECT_TRUE(catalog().Versions("f").empty());
  EXPECT_TRUE(catalog().ResultNames().empty());
}

TEST_F(DeclaredKeyTest, NamesAnUnknownKeyColumnAndTheNearestOne) {
  EXPECT_EQ(
      UserErrorOf(connection_, std::string("CREATE TABLE f WITH (key = 'day, orign')") + kFlights),
      "key column \"orign\" does not exist at line 1, column 22; did you mean "
      "\"origin\"?");
  EXPECT_EQ(
      UserErrorOf(connection_, std::string("CREATE TABLE f WITH (key = 'day, day')") + kFlights),
      "key column \"day\" is named twice at line 1, column 22");
  EXPECT_THAT(
      UserErrorOf(connection_, std::string("CREATE TABLE f WITH (key = 'day,')") + kFlights),
      HasSubstr("key 'day,' at line 1, column 22 has an empty column name"));
  EXPECT_TRUE(catalog().ResultNames().empty());
}

TEST_F(DeclaredKeyTest, RefusesAnUnknownOptionWithItsLocation) {
  EXPECT_EQ(UserErrorOf(
                connection_,
                std::string("CREATE TABLE f WITH (key = 'day',\n  fillfactor = '70')") + kFlights),
            "syntax error at line 2, column 3: CREATE TABLE has no option \"fillfactor\" (the only "
            "one is key)");
}

TEST_F(DeclaredKeyTest, InsertKeepsEnforcingTheKey) {
  connection_.Execute(std::string("CREATE TABLE f WITH (key = 'origin, day')") + kFlights);
  connection_.Execute("INSERT INTO f VALUES ('SEA', 1, 50)");
  EXPECT_EQ(catalog().FindVersion("f", 2)->unique_keys, (Keys{{0, 1}}));
  EXPECT_EQ(UserErrorOf(connection_, "INSERT INTO f VALUES ('LAX', 2, 60)"),
            "duplicate key value violates unique constraint on \"f\" (origin, day): LAX, 2");
  EXPECT_EQ(UserErrorOf(connection_, "INSERT INTO f VALUES (NULL, 3, 60)"),
            "null value in column \"origin\" of relation \"f\" violates not-null constraint");
  EXPECT_EQ(catalog().Versions("f"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Query("SELECT count(*) FROM f"), "5\n");
}

TEST_F(DeclaredKeyTest, TempTablesKeepTheKeyToo) {
  EXPECT_THAT(
      UserErrorOf(connection_, std::string("CREATE TEMP TABLE f WITH (key = 'origin')") + kFlights),
      HasSubstr("duplicate key value violates unique constraint on \"f\" (origin): LAX"));
  connection_.Execute(std::string("CREATE TEMP TABLE f WITH (key = 'origin, day')") + kFlights);
  EXPECT_EQ(database_->FindTable("f")->unique_keys, (Keys{{0, 1}}));
  EXPECT_THAT(UserErrorOf(connection_, "INSERT INTO f VALUES ('SFO', 1, 0)"),
              HasSubstr("(origin, day): SFO, 1"));
  connection_.Execute("INSERT INTO f VALUES ('SFO', 2, 0)");
  EXPECT_EQ(Query("SELECT count(*) FROM f"), "5\n");
  EXPECT_TRUE(catalog().ResultNames().empty());
}

TEST(DeclaredKeyInMemoryTest, AppliesToTablesWithColumnDefinitions) {
  Database database;
  Connection connection(database);
  connection.Execute("CREATE TABLE t (a INT, b VARCHAR UNIQUE) WITH (key = 'a, b')");
  EXPECT_EQ(database.FindTable("t")->unique_keys, (Keys{{0, 1}, {1}}));
  connection.Execute("INSERT INTO t VALUES (1, 'x'), (2, 'y')");
  EXPECT_THAT(UserErrorOf(connection, "INSERT INTO t VALUES (3, 'x')"), HasSubstr("(b): x"));
  EXPECT_THAT(UserErrorOf(connection, "INSERT INTO t VALUES (NULL, 'z')"),
              HasSubstr("null value in column \"a\""));
  EXPECT_EQ(UserErrorOf(connection, "CREATE TABLE u (amount INT) WITH (key = 'id')"),
            "key column \"id\" does not exist at line 1, column 35");
}

TEST(DeclaredKeyInMemoryTest, DeclaredKeyIsEmptyWithoutTheOption) {
  auto statement = sql::ParseStatement("CREATE TABLE t AS SELECT 1 AS a");
  core::Schema schema({{"a", core::TypeId::kInteger}});
  EXPECT_TRUE(DeclaredKey(statement->As<sql::CreateTableStatement>(), schema).empty());
  statement = sql::ParseStatement("CREATE TABLE t WITH (key = ' A ') AS SELECT 1 AS a");
  EXPECT_EQ(DeclaredKey(statement->As<sql::CreateTableStatement>(), schema),
            (std::vector<size_t>{0}));
}

}  // namespace
}  // namespace sluice::session
