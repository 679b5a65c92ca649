#include "store/result_store.h"

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "store/file_lock.h"
#include "store/test_rows.h"
#include "store/version_scan.h"

namespace sluice::store {
namespace {

namespace fs = std::filesystem;

CommitRequest Request(const std::string& name, CommitMode mode, int64_t first, int64_t count) {
  CommitRequest request;
  request.name = name;
  request.mode = mode;
  request.schema = TestSchema();
  request.batches = TestRows(first, count);
  return request;
}

RowsDigest DigestOf(ResultStore& store, const std::string& name,
                    std::optional<int64_t> version = std::nullopt) {
  auto pin = store.Pin(name, version);
  EXPECT_NE(pin, nullptr);
  return pin == nullptr ? RowsDigest{} : Digest(ReadVersion(*pin));
}

std::vector<std::string> FilesUnder(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), folder).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ErrorOf(const std::function<void()>& body) {
  try {
    body();
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ResultStoreTest, CommitsVersionsAndReadsEachBack) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  catalog::VersionInfo first = store->Commit(Request("t", CommitMode::kCreate, 0, 5000));
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(first.num_rows, 5000);
  EXPECT_GT(first.num_bytes, 0);
  EXPECT_TRUE(fs::exists(folder.path() + "/.sluice/data/t/1/part-0-0.parquet"));
  EXPECT_TRUE(fs::exists(folder.path() + "/.sluice/catalog.db"));
  EXPECT_NE(ErrorOf([&] {
              store->Commit(Request("t", CommitMode::kCreate, 0, 1));
            }).find("table \"t\" already exists"),
            std::string::npos);
  catalog::VersionInfo second = store->Commit(Request("t", CommitMode::kReplace, 100, 10));
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(DigestOf(*store, "t"), Digest(TestRows(100, 10)));
  EXPECT_EQ(DigestOf(*store, "t", 1), Digest(TestRows(0, 5000)));
  EXPECT_EQ(ErrorOf([&] { store->Pin("t", 7); }),
            "table \"t\" has no version 7; its versions are 1, 2");
  EXPECT_EQ(store->Pin("missing"), nullptr);
  EXPECT_EQ(store->ResultNames(), (std::vector<std::string>{"t"}));
}

TEST(ResultStoreTest, RetractRemovesAVersionAndItsNewParts) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  store->Commit(Request("t", CommitMode::kCreate, 0, 50));
  catalog::VersionInfo second = store->Commit(Request("t", CommitMode::kAppend, 50, 10));
  store->Retract("t", second.version);
  EXPECT_EQ(store->Pin("t")->info().version, 1);
  EXPECT_EQ(DigestOf(*store, "t"), Digest(TestRows(0, 50)));
  EXPECT_TRUE(fs::exists(folder.path() + "/.sluice/data/t/1/part-0-0.parquet"));
  EXPECT_FALSE(fs::exists(folder.path() + "/.sluice/data/t/2"));
  EXPECT_EQ(store->catalog().FindDataset("t")->version, 1);
  store->Retract("t", 1);
  EXPECT_EQ(store->Pin("t"), nullptr);
  EXPECT_TRUE(store->ResultNames().empty());
}

TEST(ResultStoreTest, KeepsStatisticsAndConstraintsOfAVersion) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  CommitRequest request = Request("t", CommitMode::kCreate, -5, 30);
  request.not_null = {true, false, false};
  request.unique_keys = {{0}};
  store->Commit(std::move(request));
  auto pin = store->Pin("t");
  const catalog::VersionInfo& info = pin->info();
  EXPECT_EQ(info.schema->ToString(), "id BIGINT, label VARCHAR, value DOUBLE");
  EXPECT_EQ(info.columns[0].min, core::Value::Bigint(-5));
  EXPECT_EQ(info.columns[0].max, core::Value::Bigint(24));
  EXPECT_EQ(info.columns[1].null_count, 3);  // ids 0, 10, 20
  EXPECT_EQ(info.columns[2].max, core::Value::Double(12));
  EXPECT_TRUE(info.columns[0].not_null);
  EXPECT_EQ(info.unique_keys, (std::vector<std::vector<size_t>>{{0}}));
}

TEST(ResultStoreTest, WritesALargeResultAsSeveralParts) {
  TestFolder folder;
  StoreOptions options;
  options.part_rows = 4096;
  auto store = ResultStore::Open(folder.path(), options);
  catalog::VersionInfo info = store->Commit(Request("big", CommitMode::kCreate, 0, 20000));
  EXPECT_EQ(info.parts.size(), 5u);
  EXPECT_EQ(info.parts[4].path, "big/1/part-0-4.parquet");
  int64_t rows = 0;
  for (const catalog::PartInfo& part : info.parts) rows += part.num_rows;
  EXPECT_EQ(rows, 20000);
  EXPECT_EQ(info.columns[0].max, core::Value::Bigint(19999));
  EXPECT_EQ(DigestOf(*store, "big"), Digest(TestRows(0, 20000)));
}

TEST(ResultStoreTest, ScansPartsInParallelKeepingRowOrderAndProjection) {
  TestFolder folder;
  StoreOptions options;
  options.part_rows = 3000;
  auto store = ResultStore::Open(folder.path(), options);
  store->Commit(Request("t", CommitMode::kCreate, 0, 10000));
  auto scan = OpenVersionScan(store->Pin("t"), {"id", "value"}, {});
  EXPECT_EQ(scan->schema()->ToString(), "id BIGINT, value DOUBLE");
  std::vector<exec::Morsel> morsels;
  auto state = scan->MakeLocalState();
  while (auto morsel = scan->Next(state.get())) morsels.push_back(std::move(*morsel));
  std::sort(morsels.begin(), morsels.end(),
            [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
  int64_t expected = 0;
  for (const auto& morsel : morsels) {
    ASSERT_EQ(morsel.batch.num_columns(), 2u);
    for (size_t row = 0; row < morsel.batch.num_rows(); ++row) {
      ASSERT_EQ(morsel.batch.GetValue(0, row), core::Value::Bigint(expected++));
    }
  }
  EXPECT_EQ(expected, 10000);
}

TEST(ResultStoreTest, AppendReusesThePreviousPartsAndAddsOne) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  store->Commit(Request("t", CommitMode::kCreate, 0, 10));
  catalog::VersionInfo info = store->Commit(Request("t", CommitMode::kAppend, 10, 5));
  ASSERT_EQ(info.parts.size(), 2u);
  EXPECT_EQ(info.parts[0].path, "t/1/part-0-0.parquet");
  EXPECT_EQ(info.parts[1].path, "t/2/part-0-0.parquet");
  EXPECT_EQ(info.num_rows, 15);
  EXPECT_EQ(info.columns[0].max, core::Value::Bigint(14));
  EXPECT_EQ(info.columns[1].null_count, 2);
  EXPECT_EQ(DigestOf(*store, "t"), Digest(TestRows(0, 15)));
  EXPECT_NE(ErrorOf([&] {
              store->Commit(Request("u", CommitMode::kAppend, 0, 1));
            }).find("does not exist"),
            std::string::npos);
}

TEST(ResultStoreTest, EmptyVersionsHaveNoParts) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  catalog::VersionInfo info = store->Commit(Request("t", CommitMode::kCreate, 0, 0));
  EXPECT_TRUE(info.parts.empty());
  EXPECT_EQ(store->Pin("t")->info().schema->num_fields(), 3u);
  EXPECT_EQ(DigestOf(*store, "t").rows, 0);
}

TEST(ResultStoreTest, GarbageCollectionKeepsTheRetainedVersionsAndTheirParts) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  store->SetRetentionVersions(2);
  for (int i = 0; i < 4; ++i) store->Commit(Request("r", CommitMode::kReplace, i, 3));
  EXPECT_EQ(store->catalog().Versions("r"), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(FilesUnder(folder.path() + "/.sluice/data"),
            (std::vector<std::string>{"r/3/part-0-0.parquet", "r/4/part-0-0.parquet"}));
  // Appended versions share parts: a part goes only with the last version using it.
  store->Commit(Request("a", CommitMode::kCreate, 0, 3));
  for (int i = 1; i < 4; ++i) store->Commit(Request("a", CommitMode::kAppend, i * 3, 3));
  EXPECT_EQ(store->catalog().Versions("a"), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(store->catalog().PartPaths("a").size(), 4u);
  EXPECT_EQ(DigestOf(*store, "a"), Digest(TestRows(0, 12)));
  store->Commit(Request("a", CommitMode::kReplace, 0, 1));
  store->Commit(Request("a", CommitMode::kReplace, 0, 2));
  EXPECT_EQ(store->catalog().PartPaths("a"),
            (std::vector<std::string>{"a/5/part-0-0.parquet", "a/6/part-0-0.parquet"}));
  EXPECT_FALSE(fs::exists(folder.path() + "/.sluice/data/a/1"));
  EXPECT_EQ(store->retention_versions(), 2);
  EXPECT_THROW(store->SetRetentionVersions(0), UserError);
}

TEST(ResultStoreTest, RetentionPersistsAndAppliesWhenLowered) {
  TestFolder folder;
  {
    auto store = ResultStore::Open(folder.path());
    EXPECT_EQ(store->retention_versions(), 10);
    for (int i = 0; i < 5; ++i) store->Commit(Request("t", CommitMode::kReplace, i, 2));
    store->SetRetentionVersions(3);
    EXPECT_EQ(store->catalog().Versions("t"), (std::vector<int64_t>{3, 4, 5}));
  }
  auto store = ResultStore::Open(folder.path());
  EXPECT_EQ(store->retention_versions(), 3);
}

TEST(ResultStoreTest, PinnedVersionsSurviveGarbageCollectionUntilReleased) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  store->SetRetentionVersions(1);
  store->Commit(Request("t", CommitMode::kCreate, 0, 100));
  auto reading = store->Pin("t");
  auto scan = OpenVersionScan(store->Pin("t", 1), {}, {});
  reading.reset();  // the scan alone keeps version 1
  store->Commit(Request("t", CommitMode::kReplace, 0, 5));
  store->Commit(Request("t", CommitMode::kReplace, 0, 6));
  EXPECT_EQ(store->catalog().Versions("t"), (std::vector<int64_t>{1, 3}));
  auto state = scan->MakeLocalState();
  int64_t rows = 0;
  while (auto morsel = scan->Next(state.get())) rows += morsel->batch.num_rows();
  EXPECT_EQ(rows, 100);
  scan.reset();
  store->Commit(Request("t", CommitMode::kReplace, 0, 7));
  EXPECT_EQ(store->catalog().Versions("t"), (std::vector<int64_t>{4}));
  EXPECT_EQ(FilesUnder(folder.path() + "/.sluice/data"),
            (std::vector<std::string>{"t/4/part-0-0.parquet"}));
}

TEST(ResultStoreTest, DropRemovesTheResultAndItsFolder) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  store->Commit(Request("t", CommitMode::kCreate, 0, 10));
  store->Commit(Request("t", CommitMode::kAppend, 0, 10));
  EXPECT_TRUE(store->Drop("t"));
  EXPECT_FALSE(store->Drop("t"));
  EXPECT_FALSE(fs::exists(folder.path() + "/.sluice/data/t"));
  EXPECT_EQ(store->Pin("t"), nullptr);
  EXPECT_EQ(store->Commit(Request("t", CommitMode::kCreate, 0, 3)).version, 1);
  EXPECT_EQ(DigestOf(*store, "t"), Digest(TestRows(0, 3)));
}

TEST(ResultStoreTest, RefusesNamesThatCannotBeFolders) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  for (std::string name : {"a/b", "..", "x@y", ""}) {
    EXPECT_THROW(store->Commit(Request(name, CommitMode::kCreate, 0, 1)), UserError) << name;
  }
}

TEST(ResultStoreTest, OpenRemovesLeftoversOfInterruptedCommits) {
  TestFolder folder;
  {
    auto store = ResultStore::Open(folder.path());
    store->Commit(Request("t", CommitMode::kCreate, 0, 10));
  }
  std::string state = folder.path() + "/.sluice";
  for (std::string dir : {"/tmp/t@12345-0", "/data/t/2", "/data/ghost/1"}) {
    fs::create_directories(state + dir);
    std::ofstream(state + dir + "/part-0-0.parquet") << "partial";
  }
  auto store = ResultStore::Open(folder.path());
  EXPECT_EQ(FilesUnder(state + "/data"), (std::vector<std::string>{"t/1/part-0-0.parquet"}));
  EXPECT_TRUE(fs::is_empty(state + "/tmp"));
  EXPECT_EQ(DigestOf(*store, "t"), Digest(TestRows(0, 10)));
  // The leftover version folder does not stop the next commit from using its number.
  EXPECT_EQ(store->Commit(Request("t", CommitMode::kAppend, 10, 1)).version, 2);
}

TEST(ResultStoreTest, OpenLeavesTheFilesOfALiveWriterAlone) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  std::string state = folder.path() + "/.sluice";
  fs::create_directories(state + "/tmp/busy@1-0");
  auto writer = FileLock::TryAcquire(state + "/locks/busy.lock");
  ASSERT_NE(writer, nullptr);
  ResultStore::Open(folder.path());
  EXPECT_TRUE(fs::exists(state + "/tmp/busy@1-0"));
  writer.reset();
  ResultStore::Open(folder.path());
  EXPECT_FALSE(fs::exists(state + "/tmp/busy@1-0"));
}

TEST(ResultStoreTest, SerializesWritersInThreads) {
  TestFolder folder;
  auto store = ResultStore::Open(folder.path());
  store->SetRetentionVersions(100);
  store->Commit(Request("t", CommitMode::kCreate, 0, 0));
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      // Each thread opens the workspace itself, as another connection would.
      auto own = ResultStore::Open(folder.path());
      for (int i = 0; i < 5; ++i)
        own->Commit(Request("t", CommitMode::kAppend, w * 500 + i * 100, 100));
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(store->catalog().Versions("t").size(), 21u);
  EXPECT_EQ(DigestOf(*store, "t"), Digest(TestRows(0, 2000)));
}

TEST(ResultStoreTest, AWriterGivesUpWhenTheResultStaysBusy) {
  TestFolder folder;
  StoreOptions options;
  options.lock_timeout = std::chrono::milliseconds(30);
  auto store = ResultStore::Open(folder.path(), options);
  auto other = FileLock::TryAcquire(store->state_dir() + "/locks/t.lock");
  EXPECT_NE(ErrorOf([&] {
              store->Commit(Request("t", CommitMode::kCreate, 0, 1));
            }).find("result \"t\" is busy"),
            std::string::npos);
  EXPECT_EQ(store->Pin("t"), nullptr);
}

}  // namespace
}  // namespace sluice::store
