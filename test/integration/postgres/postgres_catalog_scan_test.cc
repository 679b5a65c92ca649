// `sluice scan postgresql://…`: a database's tables registered, profiled and queryable by name.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_folder.h"
#include "fixture.h"
#include "io/postgres/pg_connection.h"
#include "session/catalog_scan.h"
#include "session/database.h"

namespace sluice {
namespace {

using testing::SharedPostgres;

TEST(PostgresCatalogScanTest, TablesBecomeProfiledQueryableSources) {
  SharedPostgres().Execute("DROP DATABASE IF EXISTS scanned");
  SharedPostgres().Execute("CREATE DATABASE scanned");
  std::string url = SharedPostgres().Url("scanned");
  io::postgres::PgConnection::Connect(url)->Execute(
      "CREATE TABLE customers (id int PRIMARY KEY, email text, country text);"
      "INSERT INTO customers SELECT g, 'user' || g || '@example.com', "
      "(ARRAY['US', 'FR', 'DE'])[1 + g % 3] FROM generate_series(1, 300) g;");
  TestFolder workspace;
  auto database = session::Database::Open(workspace.path());
  auto outcomes = session::ScanDatasets(*database, {url});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].name, "customers");
  EXPECT_EQ(outcomes[0].status, "new");
  EXPECT_EQ(outcomes[0].rows, 300);
  session::Connection connection(*database);
  EXPECT_EQ(connection.Execute("SELECT count(*) FROM customers WHERE country = 'FR'").ToString(),
            "100\n");
  EXPECT_EQ(connection
                .Execute("SELECT name, semantic, pii FROM sluice.columns "
                         "WHERE dataset = 'customers' ORDER BY ordinal")
                .ToString(),
            "id|identifier|false\nemail|email|true\ncountry|country_code|false\n");
  EXPECT_EQ(session::ScanDatasets(*database, {url})[0].status, "unchanged");
}

}  // namespace
}  // namespace sluice
