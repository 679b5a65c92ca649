#include "catalog/catalog_db.h"

#include <sqlite3.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "catalog/catalog_schema.h"

namespace sluice::catalog {
namespace {

using core::TypeId;
using core::Value;

VersionInfo MakeVersion(const std::string& result, int64_t version,
                        std::vector<std::string> paths) {
  VersionInfo info;
  info.result = result;
  info.version = version;
  info.schema = std::make_shared<core::Schema>(
      std::vector<core::Field>{{"id", TypeId::kBigint}, {"name", TypeId::kVarchar}});
  info.columns.resize(2);
  info.columns[0].min = Value::Bigint(-5);
  info.columns[0].max = Value::Bigint(42);
  info.columns[0].not_null = true;
  info.columns[1].null_count = 3;
  info.unique_keys = {{0}, {0, 1}};
  for (const auto& path : paths) info.parts.push_back({path, 10, 100});
  info.num_rows = static_cast<int64_t>(paths.size()) * 10;
  info.num_bytes = static_cast<int64_t>(paths.size()) * 100;
  return info;
}

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

TEST(CatalogDbTest, NewCatalogHasNewestSchemaVersion) {
  TestFolder folder;
  auto catalog = CatalogDb::Open(folder.path() + "/catalog.db");
  EXPECT_EQ(catalog->schema_version(), CatalogSchemaVersion());
  EXPECT_GE(CatalogSchemaVersion(), 2);
  EXPECT_TRUE(catalog->ResultNames().empty());
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

TEST(CatalogDbTest, RecordsVersionsWithPartsColumnsAndConstraints) {
  TestFolder folder;
  auto catalog = CatalogDb::Open(folder.path() + "/catalog.db");
  EXPECT_EQ(catalog->NextVersion("t"), 1);
  catalog->AddVersion(MakeVersion("t", 1, {"t/1/part-0-0.parquet", "t/1/part-0-1.parquet"}));
  EXPECT_EQ(catalog->NextVersion("t"), 2);
  auto info = catalog->FindVersion("t", 1);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->num_rows, 20);
  EXPECT_EQ(info->num_bytes, 200);
  EXPECT_GT(info->created_micros, 0);
  EXPECT_EQ(info->schema->ToString(), "id BIGINT, name VARCHAR");
  ASSERT_EQ(info->parts.size(), 2u);
  EXPECT_EQ(info->parts[1].path, "t/1/part-0-1.parquet");
  EXPECT_EQ(info->columns[0].min, Value::Bigint(-5));
  EXPECT_EQ(info->columns[0].max, Value::Bigint(42));
  EXPECT_TRUE(info->columns[0].not_null);
  EXPECT_TRUE(info->columns[1].min.is_null());
  EXPECT_EQ(info->columns[1].null_count, 3);
  EXPECT_EQ(info->unique_keys, (std::vector<std::vector<size_t>>{{0}, {0, 1}}));
  EXPECT_FALSE(catalog->FindVersion("t", 2));
  EXPECT_EQ(catalog->ResultNames(), (std::vector<std::string>{"t"}));
}

TEST(CatalogDbTest, DeletingVersionsReturnsOnlyPartsNoVersionKeeps) {
  TestFolder folder;
  auto catalog = CatalogDb::Open(folder.path() + "/catalog.db");
  catalog->AddVersion(MakeVersion("t", 1, {"t/1/a"}));
  catalog->AddVersion(MakeVersion("t", 2, {"t/1/a", "t/2/b"}));
  catalog->AddVersion(MakeVersion("t", 3, {"t/3/c"}));
  EXPECT_TRUE(catalog->DeleteVersions("t", {1}).empty());  // t/1/a is still in version 2
  EXPECT_EQ(catalog->DeleteVersions("t", {2}), (std::vector<std::string>{"t/1/a", "t/2/b"}));
  EXPECT_EQ(catalog->Versions("t"), (std::vector<int64_t>{3}));
  EXPECT_EQ(catalog->PartPaths("t"), (std::vector<std::string>{"t/3/c"}));
  EXPECT_EQ(catalog->NextVersion("t"), 4);
}

TEST(CatalogDbTest, DropForgetsEverythingAndVersionsStartAgain) {
  TestFolder folder;
  auto catalog = CatalogDb::Open(folder.path() + "/catalog.db");
  catalog->AddVersion(MakeVersion("t", 1, {"t/1/a"}));
  EXPECT_TRUE(catalog->DropResult("t"));
  EXPECT_FALSE(catalog->DropResult("t"));
  EXPECT_TRUE(catalog->Versions("t").empty());
  EXPECT_TRUE(catalog->PartPaths("t").empty());
  EXPECT_EQ(catalog->NextVersion("t"), 1);
  catalog->AddVersion(MakeVersion("t", 1, {"t/1/a"}));  // the same part path again
  EXPECT_EQ(catalog->Versions("t"), (std::vector<int64_t>{1}));
}

TEST(CatalogDbTest, KeepsSettingsAndSourcesAcrossReopen) {
  TestFolder folder;
  std::string path = folder.path() + "/catalog.db";
  {
    auto catalog = CatalogDb::Open(path);
    catalog->PutSetting("retention_versions", "3");
    catalog->PutSetting("retention_versions", "4");
    catalog->RecordSource("b", "sink", "CREATE SINK b ...");
    catalog->RecordSource("a", "source", "CREATE SOURCE a ...");
    catalog->RecordSource("b", "sink", "CREATE SINK b v2");
  }
  auto catalog = CatalogDb::Open(path);
  EXPECT_EQ(catalog->GetSetting("retention_versions"), "4");
  EXPECT_FALSE(catalog->GetSetting("nothing"));
  auto sources = catalog->Sources();
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].name, "b");
  EXPECT_EQ(sources[0].kind, "sink");
  EXPECT_EQ(sources[0].sql, "CREATE SINK b v2");
  EXPECT_EQ(sources[1].name, "a");
  EXPECT_TRUE(catalog->ForgetSource("b"));
  EXPECT_FALSE(catalog->ForgetSource("b"));
  EXPECT_EQ(catalog->Sources().size(), 1u);
}

TEST(CatalogDbTest, UsesWriteAheadLogging) {
  TestFolder folder;
  auto catalog = CatalogDb::Open(folder.path() + "/catalog.db");
  catalog->PutSetting("x", "1");
  EXPECT_TRUE(std::filesystem::exists(folder.path() + "/catalog.db-wal"));
}

}  // namespace
}  // namespace sluice::catalog
