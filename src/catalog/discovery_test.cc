#include "catalog/discovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "base/error.h"
#include "base/test_folder.h"
#include "catalog/file_sniffer.h"
#include "io/parquet/parquet_writer.h"
#include "io/sqlite/sqlite_database.h"

namespace sluice::catalog {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// Writes `rows` rows of (id BIGINT, city VARCHAR) as Parquet.
void WriteParquet(const std::string& path, int rows) {
  auto schema = std::make_shared<core::Schema>(
      std::vector<core::Field>{{"id", core::TypeId::kBigint}, {"city", core::TypeId::kVarchar}});
  auto writer = io::CreateParquetWriter(path, schema);
  core::Batch batch(schema);
  for (int row = 0; row < rows; ++row) {
    batch.AppendRow({core::Value::Bigint(row), core::Value::Varchar("c" + std::to_string(row))});
  }
  writer->Write(batch);
  writer->Finish();
}

void WriteSqlite(const std::string& path, const std::string& sql) {
  io::sqlite::SqliteDatabase::Open(path, true)->Execute(sql, "setting up");
}

size_t CountRows(const DiscoveredDataset& dataset) {
  auto reader = OpenDataset(dataset);
  size_t rows = 0;
  while (auto batch = reader->Next()) rows += batch->num_rows();
  return rows;
}

std::map<std::string, DiscoveredDataset> ByName(const DiscoveryResult& result) {
  std::map<std::string, DiscoveredDataset> datasets;
  for (const DiscoveredDataset& dataset : result.datasets) datasets[dataset.name] = dataset;
  return datasets;
}

std::string ErrorOf(const std::vector<std::string>& inputs) {
  try {
    Discover(inputs);
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

// A folder with one of each kind of input discovery meets.
class DiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* folder :
         {"parts", "sales/year=2023/month=1", "sales/year=2024/month=2", "mixed", "more"}) {
      fs::create_directories(folder_.Path(folder));
    }
    folder_.Write("airports.csv", "code,name,lat\nJFK,Kennedy,40.6\nLAX,LA,33.9\nSFO,SF,37.6\n");
    folder_.Write("more/airports.csv", "code,name\nOSL,Gardermoen\n");
    folder_.Write("events.jsonl", "{\"id\":1,\"kind\":\"click\"}\n{\"id\":2,\"kind\":\"view\"}\n");
    folder_.Write("cities.json",
                  "\n  [{\"city\": \"Oslo\"}, {\"city\": \"Lima\"}, {\"city\": \"Pune\"}]");
    folder_.Write("2019 data.csv", "a,b\n1,2\n");
    WriteParquet(folder_.Path("trips.parquet"), 5);
    WriteParquet(folder_.Path("measurements.dat"), 7);  // Parquet behind a lying extension
    WriteSqlite(folder_.Path("shop.sqlite"),
                "CREATE TABLE customers (id INTEGER, name TEXT);"
                "INSERT INTO customers VALUES (1, 'ann'), (2, 'bob');"
                "CREATE TABLE orders (id INTEGER, amount REAL);"
                "INSERT INTO orders VALUES (1, 2.5), (2, 3.5), (3, 4.5);");
    WriteSqlite(folder_.Path("legacy.db"),
                "CREATE TABLE items (id INTEGER); INSERT INTO items VALUES (1), (2), (3), (4);");
    folder_.Write("logo.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    folder_.Write("notes.txt", "A note, in prose.\nNo table here\nat all, really, truly.\n");
    folder_.Write("README.md", "# Data\n\nid,name\n1,x\n");
    folder_.Write("empty.csv", "");
    folder_.Write(".hidden.csv", "a\n1\n");
    fs::create_symlink(folder_.Path("nowhere.csv"), folder_.Path("missing-link.csv"));
    folder_.Write("parts/part-0.csv", "id,amount\n1,2.5\n2,3.5\n");
    folder_.Write("parts/part-1.csv", "id,amount\n3,1.5\n");
    WriteParquet(folder_.Path("sales/year=2023/month=1/data.parquet"), 4);
    WriteParquet(folder_.Path("sales/year=2024/month=2/data.parquet"), 6);
    folder_.Write("mixed/a.csv", "x,y\n1,2\n");
    folder_.Write("mixed/b.csv", "name\nz\n");
    folder_.Write("mixed/c.json", "{\"x\": 1}\n");
  }

  std::string Path(const std::string& name) const { return folder_.Path(name); }

  TestFolder folder_;
};

TEST_F(DiscoveryTest, FindsEveryFormatAndGroupsFolders) {
  auto datasets = ByName(Discover({folder_.path()}));
  std::vector<std::string> names;
  for (const auto& [name, dataset] : datasets) names.push_back(name);
  EXPECT_THAT(names, UnorderedElementsAre("_2019_data", "a", "airports", "airports_2", "b", "c",
                                          "cities", "events", "legacy", "measurements", "parts",
                                          "sales", "shop_customers", "shop_orders", "trips"));
  EXPECT_EQ(datasets["airports"].format, "csv");
  EXPECT_EQ(datasets["airports"].location, Path("airports.csv"));
  EXPECT_EQ(datasets["airports"].files, std::vector<std::string>{Path("airports.csv")});
  EXPECT_EQ(datasets["airports_2"].location, Path("more/airports.csv"));
  EXPECT_EQ(datasets["events"].format, "json");
  EXPECT_EQ(datasets["cities"].format, "json");
  EXPECT_EQ(datasets["trips"].format, "parquet");
  EXPECT_EQ(datasets["measurements"].format, "parquet");
  EXPECT_EQ(datasets["shop_orders"].format, "sqlite");
  EXPECT_EQ(datasets["shop_orders"].table, "orders");
  EXPECT_EQ(datasets["shop_orders"].location, Path("shop.sqlite"));
  EXPECT_EQ(datasets["legacy"].table, "items");
  EXPECT_EQ(datasets["parts"].location, Path("parts"));
  EXPECT_EQ(datasets["parts"].files,
            (std::vector<std::string>{Path("parts/part-0.csv"), Path("parts/part-1.csv")}));
  EXPECT_EQ(datasets["sales"].format, "parquet");
  EXPECT_EQ(datasets["sales"].location, Path("sales"));
  EXPECT_EQ(datasets["sales"].files.size(), 2u);
  EXPECT_EQ(datasets["a"].location, Path("mixed/a.csv"));
  EXPECT_EQ(datasets["c"].format, "json");
  EXPECT_EQ(datasets["airports"].size_bytes,
            static_cast<int64_t>(fs::file_size(Path("airports.csv"))));
  EXPECT_GT(datasets["airports"].modified_micros, 0);
  EXPECT_FALSE(datasets["airports"].owner.empty());
  EXPECT_EQ(datasets["airports"].fingerprint.size(), 16u);
}

TEST_F(DiscoveryTest, SkipsWhatItCannotReadWithReasons) {
  std::map<std::string, std::string> skipped;
  for (const auto& [path, reason] : Discover({folder_.path()}).skipped) skipped[path] = reason;
  EXPECT_EQ(skipped.size(), 5u);
  EXPECT_THAT(skipped[Path("logo.png")], HasSubstr("PNG image"));
  EXPECT_THAT(skipped[Path("notes.txt")], HasSubstr("consistent delimiter"));
  EXPECT_EQ(skipped[Path("README.md")], "unsupported file type '.md'");
  EXPECT_EQ(skipped[Path("empty.csv")], "empty file");
  EXPECT_EQ(skipped[Path("missing-link.csv")], "broken symbolic link");
}

TEST_F(DiscoveryTest, SkipsFilesItCannotOpen) {
  // Root reads files whatever their permissions: for root the file is one whose size says
  // there is nothing to read (/proc/self/mem), skipped all the same.
  bool root = geteuid() == 0;
  if (root) {
    fs::remove(Path("airports.csv"));
    fs::create_symlink("/proc/self/mem", Path("airports.csv"));
  } else {
    fs::permissions(Path("airports.csv"), fs::perms::none);
  }
  DiscoveryResult result = Discover({folder_.path()});
  if (!root) fs::permissions(Path("airports.csv"), fs::perms::owner_read | fs::perms::owner_write);
  std::map<std::string, std::string> skipped(result.skipped.begin(), result.skipped.end());
  EXPECT_EQ(skipped[Path("airports.csv")], root ? "empty file" : "cannot read: Permission denied");
  EXPECT_EQ(ByName(result)["airports"].location, Path("more/airports.csv"));
}

TEST_F(DiscoveryTest, OpensEveryDatasetWithItsRows) {
  auto datasets = ByName(Discover({folder_.path()}));
  std::map<std::string, size_t> expected = {
      {"_2019_data", 1},     {"a", 1},           {"airports", 3},
      {"airports_2", 1},     {"b", 1},           {"c", 1},
      {"cities", 3},         {"events", 2},      {"legacy", 4},
      {"measurements", 7},   {"parts", 3},       {"sales", 10},
      {"shop_customers", 2}, {"shop_orders", 3}, {"trips", 5}};
  for (const auto& [name, rows] : expected) EXPECT_EQ(CountRows(datasets[name]), rows) << name;
  EXPECT_EQ(OpenDataset(datasets["sales"])->schema()->ToString(),
            "id BIGINT, city VARCHAR, year BIGINT, month BIGINT");
  // Only format, location and table are needed, as a catalog record holds them.
  DiscoveredDataset parts;
  parts.format = "csv";
  parts.location = Path("parts");
  EXPECT_EQ(CountRows(parts), 3u);
  DiscoveredDataset orders;
  orders.format = "sqlite";
  orders.location = Path("shop.sqlite");
  orders.table = "orders";
  EXPECT_EQ(CountRows(orders), 3u);
}

TEST_F(DiscoveryTest, FingerprintFollowsTimesAndSizesContentHashFollowsBytes) {
  auto find = [&](const std::string& name) { return ByName(Discover({folder_.path()}))[name]; };
  DiscoveredDataset before = find("airports");
  std::string hash = ContentHash(before);
  EXPECT_EQ(hash.size(), 16u);
  EXPECT_EQ(find("airports").fingerprint, before.fingerprint);

  fs::last_write_time(Path("airports.csv"), fs::last_write_time(Path("airports.csv")) + 5s);
  DiscoveredDataset touched = find("airports");
  EXPECT_NE(touched.fingerprint, before.fingerprint);
  EXPECT_EQ(touched.modified_micros, before.modified_micros + 5'000'000);
  EXPECT_EQ(ContentHash(touched), hash);

  folder_.Write("airports.csv", "code,name,lat\nJFK,Kennedy,40.6\nLAX,LA,33.9\nSFO,SF,37.7\n");
  fs::last_write_time(Path("airports.csv"), fs::last_write_time(Path("airports.csv")) + 10s);
  DiscoveredDataset rewritten = find("airports");
  EXPECT_EQ(rewritten.size_bytes, before.size_bytes);
  EXPECT_NE(rewritten.fingerprint, touched.fingerprint);
  EXPECT_NE(ContentHash(rewritten), hash);

  DiscoveredDataset parts = find("parts");
  std::string parts_hash = ContentHash(parts);
  fs::last_write_time(Path("parts/part-1.csv"), fs::last_write_time(Path("parts/part-1.csv")) + 5s);
  EXPECT_NE(find("parts").fingerprint, parts.fingerprint);
  EXPECT_EQ(ContentHash(find("parts")), parts_hash);
  folder_.Write("parts/part-1.csv", "id,amount\n4,1.5\n");
  EXPECT_NE(ContentHash(find("parts")), parts_hash);
  EXPECT_EQ(ContentHash(find("shop_orders")), ContentHash(find("shop_customers")));
}

TEST_F(DiscoveryTest, ReadsGlobsAsOneDatasetWhenTheirFilesAgree) {
  DiscoveryResult parts = Discover({Path("parts/*.csv")});
  ASSERT_EQ(parts.datasets.size(), 1u);
  EXPECT_EQ(parts.datasets[0].name, "parts");
  EXPECT_EQ(parts.datasets[0].location, Path("parts/*.csv"));
  EXPECT_EQ(CountRows(parts.datasets[0]), 3u);
  EXPECT_EQ(Discover({Path("parts/part-*.csv")}).datasets[0].name, "part");

  // io's `**/` matches one folder or more. extra.parquet has no partition columns, so it
  // stays apart from sales.
  WriteParquet(Path("more/extra.parquet"), 2);
  std::vector<std::string> names;
  for (const auto& dataset : Discover({folder_.path() + "/**/*.parquet"}).datasets) {
    names.push_back(dataset.name + " " + dataset.location);
  }
  EXPECT_THAT(
      names, UnorderedElementsAre("sales " + Path("sales"), "extra " + Path("more/extra.parquet")));
}

TEST_F(DiscoveryTest, KeepsNamesUniqueAcrossInputs) {
  DiscoveryResult result = Discover(
      {Path("more/airports.csv"), Path("airports.csv"), Path("airports.csv"), Path("legacy.db")});
  ASSERT_EQ(result.datasets.size(), 3u);
  EXPECT_EQ(result.datasets[0].name, "airports");
  EXPECT_EQ(result.datasets[0].location, Path("airports.csv"));
  EXPECT_EQ(result.datasets[1].name, "legacy");
  EXPECT_EQ(result.datasets[2].name, "airports_2");
}

TEST_F(DiscoveryTest, FindsDataBehindLyingExtensions) {
  folder_.Write("table.json", "id;name\n1;a\n2;b\n");
  fs::copy_file(Path("legacy.db"), Path("archive.bin"));
  auto datasets = ByName(Discover({Path("table.json"), Path("archive.bin")}));
  EXPECT_EQ(datasets["table"].format, "csv");
  EXPECT_EQ(CountRows(datasets["table"]), 2u);
  EXPECT_EQ(datasets["archive"].format, "sqlite");
  EXPECT_EQ(CountRows(datasets["archive"]), 4u);
}

TEST_F(DiscoveryTest, ReportsMissingInputsByName) {
  EXPECT_EQ(ErrorOf({Path("nothing.csv")}),
            "cannot scan '" + Path("nothing.csv") + "': no such file or folder");
  EXPECT_EQ(ErrorOf({Path("*.xlsx")}), "cannot scan '" + Path("*.xlsx") + "': no file matches it");
}

TEST(SniffFileTest, TellsFormatsByBytesAndName) {
  TestFolder folder;
  auto sniff = [&](const std::string& name, const std::string& bytes) {
    folder.Write(name, bytes);
    SniffedFile sniffed = SniffFile(folder.Path(name));
    return sniffed.format.empty() ? "skipped: " + sniffed.reason : sniffed.format;
  };
  EXPECT_EQ(sniff("a.csv", "x\n1\n"), "csv");  // one column: the extension says CSV
  EXPECT_EQ(sniff("a.txt", "x\n1\n"), "skipped: text without a consistent delimiter, so not CSV");
  EXPECT_EQ(sniff("a.txt", "x|y\n1|2\n3|\"a|b\"\n"), "csv");
  EXPECT_EQ(sniff("data", "\xEF\xBB\xBF  {\"a\": 1}"), "json");
  EXPECT_EQ(sniff("a.json", "plain words"), "skipped: not JSON: starts with 'p', not '{' or '['");
  EXPECT_EQ(sniff("a.py", "x = [1, 2]\n"), "skipped: unsupported file type '.py'");
  EXPECT_EQ(sniff("a.parquet", "PAR1 and then nothing"),
            "skipped: starts like Parquet but has no footer: incomplete or corrupt");
  EXPECT_EQ(sniff("a.bin", std::string("\x01\x02\0\x03", 4)),
            "skipped: binary file of unknown format");
  EXPECT_EQ(sniff("a.csv", "ARROW1\0\0"), "skipped: Arrow IPC file: not a format Sluice reads");
  EXPECT_EQ(sniff("a.tar.gz", "\x1F\x8B"), "skipped: compressed file of unsupported type '.tar'");
  EXPECT_THAT(sniff("a.csv.zst", "not zstd at all"), HasSubstr("skipped: cannot decompress"));
  gzFile gzip = gzopen(folder.Path("b.csv.gz").c_str(), "wb");
  gzputs(gzip, "a,b\n1,2\n");
  gzclose(gzip);
  EXPECT_EQ(SniffFile(folder.Path("b.csv.gz")).format, "csv");
  EXPECT_EQ(SniffFile(folder.Path("missing.csv")).reason, "cannot read: No such file or directory");
}

TEST(MakeIdentifierTest, MakesLowerCaseSqlNames) {
  EXPECT_EQ(MakeIdentifier("flights-20k"), "flights_20k");
  EXPECT_EQ(MakeIdentifier("2019 data"), "_2019_data");
  EXPECT_EQ(MakeIdentifier("Sales (Q1) - 2024"), "sales_q1_2024");
  EXPECT_EQ(MakeIdentifier("already_fine"), "already_fine");
  EXPECT_EQ(MakeIdentifier("Order"), "order_");
  EXPECT_EQ(MakeIdentifier("---"), "dataset");
}

TEST(DiscoveryVegaTest, FindsEveryDataFileOfVegaDatasets) {
  std::string folder = std::string(SLUICE_SOURCE_DIR) + "/node_modules/vega-datasets/data";
  if (!fs::is_directory(folder)) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") FAIL() << folder << " is missing";
    GTEST_SKIP() << folder << " is missing: run scripts/bootstrap";
  }
  DiscoveryResult result = Discover({folder});
  std::map<std::string, DiscoveredDataset> by_location;
  for (const DiscoveredDataset& dataset : result.datasets) by_location[dataset.location] = dataset;
  std::map<std::string, std::string> skipped(result.skipped.begin(), result.skipped.end());
  std::map<std::string, std::string> formats = {
      {".csv", "csv"}, {".tsv", "csv"}, {".json", "json"}, {".parquet", "parquet"}};
  size_t data_files = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    std::string path = entry.path().string();
    std::string extension = entry.path().extension().string();
    if (formats.contains(extension)) {
      ++data_files;
      ASSERT_TRUE(by_location.contains(path)) << path << " was not found";
      EXPECT_EQ(by_location[path].name, MakeIdentifier(entry.path().stem().string())) << path;
      EXPECT_EQ(by_location[path].format, formats[extension]) << path;
    } else if (extension == ".png" || extension == ".arrow") {
      EXPECT_TRUE(skipped.contains(path)) << path << " was not skipped";
    }
  }
  EXPECT_GE(data_files, 60u);
  EXPECT_EQ(result.datasets.size(), data_files);
  EXPECT_EQ(by_location[folder + "/flights-20k.json"].name, "flights_20k");
  EXPECT_EQ(by_location[folder + "/flights-3m.parquet"].name, "flights_3m");
  EXPECT_EQ(skipped[folder + "/flights-200k.arrow"], "Arrow IPC file: not a format Sluice reads");
  EXPECT_EQ(skipped[folder + "/7zip.png"], "PNG image: not a format Sluice reads");
}

}  // namespace
}  // namespace sluice::catalog
