#include "catalog/catalog_db.h"

#include <sqlite3.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "catalog/catalog_db_test_suite.h"
#include "catalog/catalog_schema.h"

namespace sluice::catalog {
namespace {

/// Is a SQLite catalog file in a temporary folder.
class SqlitePlace : public CatalogPlace {
 public:
  std::string location() const override { return folder_.path() + "/catalog.db"; }

 private:
  TestFolder folder_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, CatalogDbSuite,
                         ::testing::Values(CatalogBackend{
                             "Sqlite", [] { return std::make_unique<SqlitePlace>(); }}),
                         CatalogBackendName);

// Runs `sql` on a raw SQLite connection to `path`.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error == nullptr ? "" : error;
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(code, SQLITE_OK) << message;
}

TEST(CatalogDbTest, MigratesAnOlderCatalogKeepingItsRows) {
  TestFolder folder;
  std::string path = folder.path() + "/catalog.db";
  // A catalog as the first schema version left it, with one result.
  RawExec(path, std::string(CatalogMigration(0)) +
                    "INSERT INTO results VALUES ('old', 2, 0);"
                    "INSERT INTO versions VALUES ('old', 1, 0, 0, 0, '');"
                    "PRAGMA user_version = 1;");
  auto catalog = CatalogDb::Open(path);
  EXPECT_EQ(catalog->schema_version(), CatalogSchemaVersion());
  EXPECT_EQ(catalog->Versions("old"), (std::vector<int64_t>{1}));
  catalog->RecordSource("pg", "source", "CREATE SOURCE pg FROM 'x'");
  EXPECT_EQ(catalog->Sources().size(), 1u);
}

TEST(CatalogDbTest, MigratesAVersionTwoCatalogKeepingTheOrderOfSources) {
  TestFolder folder;
  std::string path = folder.path() + "/catalog.db";
  RawExec(path, CatalogMigration(0) + CatalogMigration(1) +
                    "INSERT INTO results VALUES ('t', 2, 0);"
                    "INSERT INTO versions VALUES ('t', 1, 0, 5, 50, '0');"
                    "INSERT INTO sources VALUES ('z', 'source', 'CREATE SOURCE z', 1);"
                    "INSERT INTO sources VALUES ('a', 'sink', 'CREATE SINK a', 2);"
                    "PRAGMA user_version = 2;");
  auto catalog = CatalogDb::Open(path);
  EXPECT_EQ(catalog->schema_version(), CatalogSchemaVersion());
  EXPECT_EQ(catalog->Versions("t"), (std::vector<int64_t>{1}));
  EXPECT_EQ(catalog->NextVersion("t"), 2);
  catalog->RecordSource("m", "source", "CREATE SOURCE m");
  std::vector<std::string> names;
  for (const auto& source : catalog->Sources()) names.push_back(source.name);
  EXPECT_EQ(names, (std::vector<std::string>{"z", "a", "m"}));
  DatasetRecord dataset;
  dataset.name = "flights";
  dataset.kind = "source";
  catalog->PutDataset(dataset, {});
  catalog->AddTag("flights", "aviation");
  ASSERT_EQ(catalog->Search("avia").size(), 1u);
  EXPECT_EQ(catalog->Search("avia")[0].dataset, "flights");
}

TEST(CatalogDbTest, RefusesACatalogFromANewerSluice) {
  TestFolder folder;
  std::string path = folder.path() + "/catalog.db";
  RawExec(path, "PRAGMA user_version = 999;");
  EXPECT_THROW(CatalogDb::Open(path), DataError);
}

TEST(CatalogDbTest, RefusesAFileThatIsNotSqlite) {
  TestFolder folder;
  std::string path = folder.path() + "/catalog.db";
  folder.Write("catalog.db", std::string(4096, 'x'));
  try {
    CatalogDb::Open(path);
    FAIL() << "expected an error";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
}

TEST(CatalogDbTest, UsesWriteAheadLogging) {
  TestFolder folder;
  auto catalog = CatalogDb::Open(folder.path() + "/catalog.db");
  catalog->PutSetting("x", "1");
  EXPECT_TRUE(std::filesystem::exists(folder.path() + "/catalog.db-wal"));
}

}  // namespace
}  // namespace sluice::catalog
