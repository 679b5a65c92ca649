// The workspace catalog on PostgreSQL: the whole CatalogDb suite (each test in a database of
// its own), and what only a shared server shows: several catalog connections at once, a
// workspace whose sluice.yaml names the server, and errors that name it without the password.

#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "catalog/catalog_db.h"
#include "catalog/catalog_db_test_suite.h"
#include "catalog/catalog_schema.h"
#include "fixture.h"
#include "store/result_store.h"
#include "store/test_rows.h"
#include "store/version_scan.h"

namespace sluice::catalog {
namespace {

using sluice::testing::SharedPostgres;

/// Is a fresh database on the shared server, dropped (with any connection left) at the end.
class PostgresPlace : public CatalogPlace {
 public:
  PostgresPlace() {
    static std::atomic<int> counter = 0;
    database_ = "catalog_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    SharedPostgres().Execute("CREATE DATABASE " + database_);
  }
  ~PostgresPlace() override {
    try {
      SharedPostgres().Execute("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    } catch (const std::exception& error) {
      ADD_FAILURE() << error.what();
    }
  }
  std::string location() const override { return SharedPostgres().Url(database_); }
  const std::string& database() const { return database_; }

 private:
  std::string database_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, CatalogDbSuite,
                         ::testing::Values(CatalogBackend{
                             "Postgres", [] { return std::make_unique<PostgresPlace>(); }}),
                         CatalogBackendName);

std::string OpenAgainSetting(const PostgresPlace& place) {
  return CatalogDb::Open(place.location())->GetSetting("a").value_or("");
}

VersionInfo OnePartVersion(const std::string& result, int64_t version) {
  VersionInfo info;
  info.result = result;
  info.version = version;
  info.schema =
      std::make_shared<core::Schema>(std::vector<core::Field>{{"id", core::TypeId::kBigint}});
  info.columns.resize(1);
  std::string path = result + "/" + std::to_string(version) + "/part-0-0.parquet";
  info.parts.push_back({path, 1, 10});
  info.num_rows = 1;
  info.num_bytes = 10;
  return info;
}

TEST(PostgresCatalogTest, CatalogsOnOneServerShareVersionsAndNeverShareANumber) {
  PostgresPlace place;
  constexpr int kCatalogs = 4;
  constexpr int kCommits = 25;
  std::vector<std::unique_ptr<CatalogDb>> catalogs;
  for (int i = 0; i < kCatalogs; ++i) catalogs.push_back(CatalogDb::Open(place.location()));
  std::vector<std::vector<int64_t>> taken(kCatalogs);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCatalogs; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < kCommits; ++n) {
        int64_t version = catalogs[i]->NextVersion("shared");
        catalogs[i]->AddVersion(OnePartVersion("shared", version));
        taken[i].push_back(version);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int64_t> all;
  for (const auto& versions : taken) all.insert(versions.begin(), versions.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kCatalogs * kCommits));  // no number twice
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kCatalogs * kCommits);  // and none skipped: every one was recorded
  for (const auto& catalog : catalogs) {
    std::vector<int64_t> versions = catalog->Versions("shared");
    EXPECT_EQ(std::set<int64_t>(versions.begin(), versions.end()), all);
  }
  // A version one catalog records, another sees at once.
  catalogs[0]->AddVersion(OnePartVersion("other", catalogs[0]->NextVersion("other")));
  EXPECT_EQ(catalogs[1]->ResultNames(), (std::vector<std::string>{"other", "shared"}));
  ASSERT_TRUE(catalogs[2]->FindVersion("other", 1));
  EXPECT_EQ(catalogs[2]->FindVersion("other", 1)->parts.at(0).path, "other/1/part-0-0.parquet");
  EXPECT_EQ(catalogs[3]->NextVersion("other"), 2);
}

TEST(PostgresCatalogTest, ConcurrentTagsAllReachTheSearchIndex) {
  PostgresPlace place;
  DatasetRecord dataset;
  dataset.name = "shared";
  dataset.kind = "source";
  CatalogDb::Open(place.location())->PutDataset(dataset, {});
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto catalog = CatalogDb::Open(place.location());
      for (int n = 0; n < 10; ++n) catalog->AddTag("shared", fmt::format("tag{}x{}", i, n));
    });
  }
  for (auto& thread : threads) thread.join();
  auto catalog = CatalogDb::Open(place.location());
  EXPECT_EQ(catalog->FindDataset("shared")->tags.size(), 40u);
  // Each writer refreshed the search text under the dataset's row lock: none lost another's.
  for (int i = 0; i < 4; ++i) {
    for (int n = 0; n < 10; ++n) {
      EXPECT_EQ(catalog->Search(fmt::format("tag{}x{}", i, n)).size(), 1u) << i << " " << n;
    }
  }
}

TEST(PostgresCatalogTest, ConnectsAgainAfterTheServerEndedTheSession) {
  PostgresPlace place;
  auto catalog = CatalogDb::Open(place.location());
  catalog->PutSetting("a", "1");
  // An administrator ends the session (as a server restart would); the catalog is idle.
  std::string sessions = "FROM pg_stat_activity WHERE datname = '" + place.database() + "'";
  SharedPostgres().Execute("SELECT pg_terminate_backend(pid) " + sessions);
  for (int wait = 0; wait < 500 && SharedPostgres().Query("SELECT count(*) " + sessions) != "0\n";
       ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(catalog->GetSetting("a"), "1");
  catalog->PutSetting("a", "2");
  EXPECT_EQ(OpenAgainSetting(place), "2");
}

TEST(PostgresCatalogTest, ProcessesOpeningANewCatalogAtOnceMigrateItOnce) {
  PostgresPlace place;
  std::vector<std::thread> threads;
  std::atomic<int> opened = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (CatalogDb::Open(place.location())->schema_version() == CatalogSchemaVersion()) {
        ++opened;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(opened, 4);
  auto raw = OpenPostgresMetaDb(place.location());
  std::vector<MetaRow> rows = raw->Query("SELECT version FROM sluice_schema_version");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Int(0), CatalogSchemaVersion());
}

TEST(PostgresCatalogTest, RefusesACatalogFromANewerSluice) {
  PostgresPlace place;
  CatalogDb::Open(place.location());
  OpenPostgresMetaDb(place.location())->Execute("UPDATE sluice_schema_version SET version = 999");
  EXPECT_THROW(CatalogDb::Open(place.location()), DataError);
}

// Returns the message of the error opening the catalog at `url` throws; fails when none does.
std::string OpenError(const std::string& url) {
  try {
    CatalogDb::Open(url);
  } catch (const IoError& error) {
    return error.what();
  }
  ADD_FAILURE() << "opening " << url << " did not throw IoError";
  return {};
}

TEST(PostgresCatalogTest, ErrorsNameTheServerWithoutThePassword) {
  // Nothing listens on port 1.
  std::string message = OpenError("postgresql://ana:topsecret@127.0.0.1:1/meta");
  EXPECT_NE(message.find("postgresql://ana@127.0.0.1:1/meta"), std::string::npos) << message;
  EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  message = OpenError("postgresql://ana:topsecret@127.0.0.1:1/meta?sslmode=bogus");
  EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  message = OpenError("postgresql://ana:topsecret@[::1/meta");
  EXPECT_NE(message.find("not a PostgreSQL URL"), std::string::npos) << message;
  EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  std::string missing = SharedPostgres().Url("no_such_database");
  message = OpenError(missing);
  EXPECT_NE(message.find(missing), std::string::npos) << message;
  EXPECT_NE(message.find("no_such_database\" does not exist"), std::string::npos) << message;
}

store::CommitRequest Rows(store::CommitMode mode, int64_t first, int64_t count) {
  store::CommitRequest request;
  request.name = "t";
  request.mode = mode;
  request.schema = store::TestSchema();
  request.batches = store::TestRows(first, count);
  return request;
}

TEST(PostgresCatalogTest, AWorkspaceKeepsItsCatalogWhereSluiceYamlSays) {
  PostgresPlace place;
  TestFolder folder;
  folder.Write("sluice.yaml", "# shared catalog\ncatalog: " + place.location() + "  # team\n");
  {
    auto store = store::ResultStore::Open(folder.path());
    EXPECT_EQ(store->catalog().backend(), MetaBackend::kPostgres);
    store->Commit(Rows(store::CommitMode::kCreate, 0, 100));
    store->Commit(Rows(store::CommitMode::kAppend, 100, 50));
    EXPECT_EQ(store::Digest(store::ReadVersion(*store->Pin("t"))),
              store::Digest(store::TestRows(0, 150)));
  }
  EXPECT_FALSE(std::filesystem::exists(folder.path() + "/.sluice/catalog.db"));
  auto catalog = CatalogDb::Open(place.location());
  EXPECT_EQ(catalog->Versions("t"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(catalog->FindVersion("t", 2)->num_rows, 150);
  // Opened again, the store reads what the server recorded.
  auto store = store::ResultStore::Open(folder.path());
  EXPECT_EQ(store->ResultNames(), (std::vector<std::string>{"t"}));
  EXPECT_EQ(store::Digest(store::ReadVersion(*store->Pin("t", 1))),
            store::Digest(store::TestRows(0, 100)));
}

}  // namespace
}  // namespace sluice::catalog
