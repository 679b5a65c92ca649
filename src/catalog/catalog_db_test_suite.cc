#include "catalog/catalog_db_test_suite.h"

#include <algorithm>

#include "base/error.h"
#include "catalog/catalog_schema.h"

namespace sluice::catalog {

void CatalogDbSuite::SetUp() {
  place_ = GetParam().make_place();
  catalog_ = CatalogDb::Open(place_->location());
}

std::unique_ptr<CatalogDb> CatalogDbSuite::OpenAgain() const {
  return CatalogDb::Open(place_->location());
}

std::unique_ptr<MetaDb> CatalogDbSuite::OpenRaw() const {
  std::string location = place_->location();
  return IsPostgresUrl(location) ? OpenPostgresMetaDb(location) : OpenSqliteMetaDb(location);
}

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

DatasetRecord MakeDataset(const std::string& name, std::string kind = "source",
                          int64_t version = 1) {
  DatasetRecord dataset;
  dataset.name = name;
  dataset.kind = std::move(kind);
  dataset.format = "csv";
  dataset.location = "data/" + name + ".csv";
  dataset.size_bytes = 1234;
  dataset.modified_micros = 1700000000000000;
  dataset.owner = "ana";
  dataset.fingerprint = "1234@1700000000";
  dataset.content_hash = "ab12";
  dataset.version = version;
  dataset.rows = 10;
  dataset.scanned_micros = 1700000000000001;
  dataset.changed_micros = 1700000000000002;
  dataset.sample_json = R"([{"a":1}])";
  return dataset;
}

DatasetColumn MakeColumn(const std::string& name, SemanticType semantic = SemanticType::kUnknown,
                         bool pii = false) {
  DatasetColumn column;
  column.profile.name = name;
  column.profile.type = TypeId::kVarchar;
  column.profile.rows = 10;
  column.profile.non_null = 9;
  column.profile.null_fraction = 0.1;
  column.profile.distinct = 7;
  column.profile.min = "a";
  column.profile.max = "z";
  column.profile.inferred_type = TypeId::kVarchar;
  column.profile.signature.hashes = {1, 5, 18446744073709551615ull};
  column.semantics.type = semantic;
  column.semantics.confidence = semantic == SemanticType::kUnknown ? 0 : 0.9;
  column.semantics.pii = pii;
  column.semantics.pii_reason = pii ? "email address" : "";
  return column;
}

std::vector<std::string> HitNames(const std::vector<SearchHit>& hits) {
  std::vector<std::string> names;
  for (const SearchHit& hit : hits) names.push_back(hit.dataset);
  return names;
}

// Records three datasets to search: a result about flights, customers with personal data, and
// airports whose description mentions flights.
void PutSearchDatasets(CatalogDb& catalog) {
  DatasetRecord flights = MakeDataset("flight_delays", "result");
  flights.description = "Departure delays by airport";
  flights.tags = {"aviation"};
  catalog.PutDataset(flights, {MakeColumn("origin", SemanticType::kForeignKeyCode),
                               MakeColumn("dep_delay", SemanticType::kMeasure)});
  DatasetRecord customers = MakeDataset("customers");
  customers.tags = {"crm"};
  catalog.PutDataset(customers, {MakeColumn("email", SemanticType::kEmail, true),
                                 MakeColumn("zip", SemanticType::kPostalCode, true)});
  DatasetRecord airports = MakeDataset("airports");
  airports.description = "Airports that flights leave from";
  catalog.PutDataset(airports, {MakeColumn("code"), MakeColumn("city")});
}

TEST_P(CatalogDbSuite, NewCatalogHasNewestSchemaVersion) {
  EXPECT_EQ(catalog_->schema_version(), CatalogSchemaVersion());
  EXPECT_GE(CatalogSchemaVersion(), 3);
  EXPECT_TRUE(catalog_->ResultNames().empty());
  EXPECT_TRUE(catalog_->Datasets().empty());
  // Opening again finds the catalog migrated and changes nothing.
  EXPECT_EQ(OpenAgain()->schema_version(), CatalogSchemaVersion());
}

TEST_P(CatalogDbSuite, RecordsVersionsWithPartsColumnsAndConstraints) {
  EXPECT_EQ(catalog_->NextVersion("t"), 1);
  catalog_->AddVersion(MakeVersion("t", 1, {"t/1/part-0-0.parquet", "t/1/part-0-1.parquet"}));
  EXPECT_EQ(catalog_->NextVersion("t"), 2);
  auto info = catalog_->FindVersion("t", 1);
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
  EXPECT_FALSE(catalog_->FindVersion("t", 2));
  EXPECT_EQ(catalog_->ResultNames(), (std::vector<std::string>{"t"}));
}

TEST_P(CatalogDbSuite, NextVersionNeverHandsOutANumberTwice) {
  EXPECT_EQ(catalog_->NextVersion("t"), 1);
  EXPECT_EQ(catalog_->NextVersion("t"), 2);  // 1 was reserved, never recorded: skipped
  EXPECT_TRUE(catalog_->ResultNames().empty());
  EXPECT_TRUE(catalog_->Versions("t").empty());
  catalog_->AddVersion(MakeVersion("t", 2, {"t/2/a"}));
  auto other = OpenAgain();
  EXPECT_EQ(other->Versions("t"), (std::vector<int64_t>{2}));
  EXPECT_EQ(other->NextVersion("t"), 3);
  EXPECT_EQ(catalog_->NextVersion("t"), 4);
  EXPECT_THROW(catalog_->AddVersion(MakeVersion("t", 2, {"t/2/b"})), IoError);
  EXPECT_EQ(catalog_->PartPaths("t"), (std::vector<std::string>{"t/2/a"}));
  // A version recorded beyond the reserved numbers moves the next number past it.
  catalog_->AddVersion(MakeVersion("t", 10, {"t/10/a"}));
  EXPECT_EQ(catalog_->NextVersion("t"), 11);
}

TEST_P(CatalogDbSuite, AddVersionRecordsTheResultAsADatasetInOneTransaction) {
  DatasetRecord dataset = MakeDataset("t", "result", 1);
  std::vector<DatasetColumn> columns = {MakeColumn("id"), MakeColumn("name")};
  catalog_->AddVersion(MakeVersion("t", 1, {"t/1/a"}), &dataset, &columns);
  ASSERT_TRUE(catalog_->FindDataset("t"));
  EXPECT_EQ(catalog_->FindDataset("t")->kind, "result");
  EXPECT_EQ(catalog_->DatasetColumns("t").size(), 2u);
  // A refused version changes nothing: neither the versions nor the dataset.
  DatasetRecord second = MakeDataset("t", "result", 2);
  second.rows = 77;
  EXPECT_THROW(catalog_->AddVersion(MakeVersion("t", 1, {"t/1/b"}), &second, &columns), IoError);
  EXPECT_EQ(catalog_->FindDataset("t")->rows, 10);
  EXPECT_EQ(catalog_->FindDataset("t")->version, 1);
  EXPECT_EQ(catalog_->PartPaths("t"), (std::vector<std::string>{"t/1/a"}));
}

TEST_P(CatalogDbSuite, DeletingVersionsReturnsOnlyPartsNoVersionKeeps) {
  catalog_->AddVersion(MakeVersion("t", 1, {"t/1/a"}));
  catalog_->AddVersion(MakeVersion("t", 2, {"t/1/a", "t/2/b"}));
  catalog_->AddVersion(MakeVersion("t", 3, {"t/3/c"}));
  EXPECT_TRUE(catalog_->DeleteVersions("t", {1}).empty());  // t/1/a is still in version 2
  EXPECT_EQ(catalog_->DeleteVersions("t", {2}), (std::vector<std::string>{"t/1/a", "t/2/b"}));
  EXPECT_EQ(catalog_->Versions("t"), (std::vector<int64_t>{3}));
  EXPECT_EQ(catalog_->PartPaths("t"), (std::vector<std::string>{"t/3/c"}));
  EXPECT_EQ(catalog_->NextVersion("t"), 4);
}

TEST_P(CatalogDbSuite, DropForgetsEverythingAndVersionsStartAgain) {
  catalog_->AddVersion(MakeVersion("t", 1, {"t/1/a"}));
  EXPECT_TRUE(catalog_->DropResult("t"));
  EXPECT_FALSE(catalog_->DropResult("t"));
  EXPECT_TRUE(catalog_->Versions("t").empty());
  EXPECT_TRUE(catalog_->PartPaths("t").empty());
  EXPECT_EQ(catalog_->NextVersion("t"), 1);
  catalog_->AddVersion(MakeVersion("t", 1, {"t/1/a"}));  // the same part path again
  EXPECT_EQ(catalog_->Versions("t"), (std::vector<int64_t>{1}));
}

TEST_P(CatalogDbSuite, KeepsSettingsAndSourcesAcrossReopen) {
  catalog_->PutSetting("retention_versions", "3");
  catalog_->PutSetting("retention_versions", "4");
  catalog_->RecordSource("b", "sink", "CREATE SINK b ...");
  catalog_->RecordSource("a", "source", "CREATE SOURCE a ...");
  catalog_->RecordSource("b", "sink", "CREATE SINK b v2");
  catalog_.reset();
  auto catalog = OpenAgain();
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

TEST_P(CatalogDbSuite, PutDatasetKeepsEveryFieldAndListsByName) {
  DatasetRecord dataset = MakeDataset("zeta");
  dataset.table = "public.zeta";
  dataset.description = "first description";
  dataset.tags = {"b", "a"};
  catalog_->PutDataset(dataset, {MakeColumn("x")});
  catalog_->PutDataset(MakeDataset("Alpha"), {});
  catalog_->PutDataset(MakeDataset("beta"), {});
  auto found = catalog_->FindDataset("zeta");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "zeta");
  EXPECT_EQ(found->kind, "source");
  EXPECT_EQ(found->format, "csv");
  EXPECT_EQ(found->location, "data/zeta.csv");
  EXPECT_EQ(found->table, "public.zeta");
  EXPECT_EQ(found->size_bytes, 1234);
  EXPECT_EQ(found->modified_micros, 1700000000000000);
  EXPECT_EQ(found->owner, "ana");
  EXPECT_EQ(found->fingerprint, "1234@1700000000");
  EXPECT_EQ(found->content_hash, "ab12");
  EXPECT_EQ(found->version, 1);
  EXPECT_EQ(found->rows, 10);
  EXPECT_EQ(found->scanned_micros, 1700000000000001);
  EXPECT_EQ(found->changed_micros, 1700000000000002);
  EXPECT_EQ(found->sample_json, R"([{"a":1}])");
  EXPECT_EQ(found->description, "first description");
  EXPECT_EQ(found->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(catalog_->FindDataset("missing"));
  std::vector<DatasetRecord> datasets = catalog_->Datasets();
  ASSERT_EQ(datasets.size(), 3u);
  EXPECT_EQ(datasets[0].name, "Alpha");  // sorted as bytes: upper case first
  EXPECT_EQ(datasets[1].name, "beta");
  EXPECT_EQ(datasets[2].name, "zeta");
  EXPECT_EQ(datasets[2].tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(datasets[0].tags.empty());
}

TEST_P(CatalogDbSuite, PutDatasetAgainKeepsDescriptionAndTags) {
  catalog_->PutDataset(MakeDataset("d"), {MakeColumn("x")});
  catalog_->Describe("d", "what d holds");
  catalog_->AddTag("d", "gold");
  DatasetRecord rescan = MakeDataset("d", "source", 2);
  rescan.rows = 99;
  rescan.description = "ignored: the dataset has one";
  rescan.tags = {"ignored"};
  catalog_->PutDataset(rescan, {MakeColumn("y")});
  auto found = catalog_->FindDataset("d");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->rows, 99);
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(found->description, "what d holds");
  EXPECT_EQ(found->tags, (std::vector<std::string>{"gold"}));
  EXPECT_EQ(HitNames(catalog_->Search("gold")), (std::vector<std::string>{"d"}));
  EXPECT_EQ(HitNames(catalog_->Search("holds")), (std::vector<std::string>{"d"}));
  EXPECT_TRUE(catalog_->Search("ignored").empty());
}

TEST_P(CatalogDbSuite, DatasetColumnsKeepProfilesAndSemanticsPerVersion) {
  DatasetColumn email = MakeColumn("email", SemanticType::kEmail, true);
  email.profile.top_values = {{"a@b.c", 3}};
  email.profile.sample = {"a@b.c", "d@e.f"};
  email.profile.mean_length = 5.5;
  catalog_->PutDataset(MakeDataset("people", "source", 1), {email, MakeColumn("name")});
  DatasetColumn age = MakeColumn("age", SemanticType::kMeasure);
  age.profile.type = TypeId::kBigint;
  age.profile.inferred_type = TypeId::kBigint;
  age.profile.mean = 41.25;
  age.profile.stddev = 0.1;
  age.profile.quantiles = {{0, 18}, {0.5, 40}, {1, 90}};
  age.profile.histogram = {{18, 54, 6}, {54, 90, 4}};
  catalog_->PutDataset(MakeDataset("people", "source", 2), {age});

  std::vector<DatasetColumn> now = catalog_->DatasetColumns("people");
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].profile.name, "age");
  EXPECT_EQ(now[0].profile.type, TypeId::kBigint);
  EXPECT_EQ(now[0].profile.mean, 41.25);
  EXPECT_EQ(now[0].profile.quantiles, age.profile.quantiles);
  EXPECT_EQ(now[0].profile.histogram.size(), 2u);
  EXPECT_EQ(now[0].profile.histogram[1].count, 4);
  EXPECT_EQ(now[0].semantics.type, SemanticType::kMeasure);
  EXPECT_FALSE(now[0].semantics.pii);

  std::vector<DatasetColumn> first = catalog_->DatasetColumns("people", 1);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].profile.name, "email");
  EXPECT_EQ(first[0].profile.top_values.size(), 1u);
  EXPECT_EQ(first[0].profile.top_values[0].count, 3);
  EXPECT_EQ(first[0].profile.sample, email.profile.sample);
  EXPECT_EQ(first[0].profile.mean_length, 5.5);
  EXPECT_EQ(first[0].profile.signature.hashes, email.profile.signature.hashes);
  EXPECT_EQ(first[0].semantics.type, SemanticType::kEmail);
  EXPECT_DOUBLE_EQ(first[0].semantics.confidence, 0.9);
  EXPECT_TRUE(first[0].semantics.pii);
  EXPECT_EQ(first[0].semantics.pii_reason, "email address");
  EXPECT_EQ(first[1].profile.name, "name");
  EXPECT_TRUE(catalog_->DatasetColumns("people", 3).empty());
  EXPECT_TRUE(catalog_->DatasetColumns("nobody").empty());
}

TEST_P(CatalogDbSuite, ColumnStatisticsAreColumnsSqlCanQuery) {
  DatasetColumn amount = MakeColumn("amount", SemanticType::kMoney);
  amount.profile.type = TypeId::kDouble;
  amount.profile.min = "-3.5";
  amount.profile.max = "1000";
  amount.profile.mean = 12.5;
  amount.profile.stddev = 2.25;
  amount.profile.type_failure_fraction = 0;
  amount.profile.inferred_type = TypeId::kDouble;
  DatasetColumn note = MakeColumn("note");
  note.profile.min.reset();
  note.profile.max.reset();
  catalog_->PutDataset(MakeDataset("sales"), {amount, note});
  std::vector<MetaRow> rows = OpenRaw()->Query(
      "SELECT name, type, semantic, semantic_confidence, pii, non_null, null_fraction, "
      "distinct_count, min_value, max_value, mean, stddev, inferred_type, "
      "type_failure_fraction, profile_json FROM dataset_columns WHERE dataset = ? AND "
      "null_fraction > ? ORDER BY ordinal",
      {"sales", 0.05});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Text(0), "amount");
  EXPECT_EQ(rows[0].Text(1), "DOUBLE");
  EXPECT_EQ(rows[0].Text(2), "money");
  EXPECT_DOUBLE_EQ(rows[0].Double(3), 0.9);
  EXPECT_EQ(rows[0].Int(4), 0);
  EXPECT_EQ(rows[0].Int(5), 9);
  EXPECT_DOUBLE_EQ(rows[0].Double(6), 0.1);
  EXPECT_DOUBLE_EQ(rows[0].Double(7), 7);
  EXPECT_EQ(rows[0].Text(8), "-3.5");
  EXPECT_EQ(rows[0].Text(9), "1000");
  EXPECT_DOUBLE_EQ(rows[0].Double(10), 12.5);
  EXPECT_DOUBLE_EQ(rows[0].Double(11), 2.25);
  EXPECT_EQ(rows[0].Text(12), "DOUBLE");
  EXPECT_DOUBLE_EQ(rows[0].Double(13), 0);
  EXPECT_NE(rows[0].Text(14).find("\"signature\":[1,5,18446744073709551615]"), std::string::npos)
      << rows[0].Text(14);
  EXPECT_TRUE(rows[1].IsNull(8));
  EXPECT_TRUE(rows[1].IsNull(10));
}

TEST_P(CatalogDbSuite, KeepsStatisticsThatAreNotUtf8AsValidText) {
  DatasetColumn latin1 = MakeColumn("city");
  latin1.profile.min = "Z\xfcrich";  // Latin-1, as a file might hold it
  latin1.profile.sample = {"M\xfcnchen"};
  catalog_->PutDataset(MakeDataset("cities"), {latin1});
  std::vector<DatasetColumn> columns = catalog_->DatasetColumns("cities");
  ASSERT_EQ(columns.size(), 1u);
  EXPECT_EQ(columns[0].profile.min, "Z\xEF\xBF\xBDrich");
  EXPECT_EQ(columns[0].profile.sample, (std::vector<std::string>{"M\xEF\xBF\xBDnchen"}));
  std::vector<MetaRow> rows =
      OpenRaw()->Query("SELECT min_value FROM dataset_columns WHERE dataset = 'cities'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Text(0), "Z\xEF\xBF\xBDrich");
}

TEST_P(CatalogDbSuite, TagsAndDescriptionsNeedTheDataset) {
  catalog_->PutDataset(MakeDataset("d"), {});
  catalog_->AddTag("d", "x");
  catalog_->AddTag("d", "x");  // twice: still one
  catalog_->AddTag("d", "a");
  EXPECT_EQ(catalog_->FindDataset("d")->tags, (std::vector<std::string>{"a", "x"}));
  EXPECT_TRUE(catalog_->RemoveTag("d", "x"));
  EXPECT_FALSE(catalog_->RemoveTag("d", "x"));
  EXPECT_FALSE(catalog_->RemoveTag("missing", "x"));
  EXPECT_EQ(catalog_->FindDataset("d")->tags, (std::vector<std::string>{"a"}));
  EXPECT_THROW(catalog_->AddTag("missing", "x"), UserError);
  EXPECT_THROW(catalog_->AddTag("d", ""), UserError);
  EXPECT_THROW(catalog_->Describe("missing", "text"), UserError);
  catalog_->Describe("d", "it's \"quoted\"; DROP TABLE datasets; --");
  EXPECT_EQ(catalog_->FindDataset("d")->description, "it's \"quoted\"; DROP TABLE datasets; --");
}

TEST_P(CatalogDbSuite, DropDatasetForgetsColumnsTagsLineageAndSearchText) {
  PutSearchDatasets(*catalog_);
  catalog_->AddLineage(
      {{"customers", "", "flight_delays", "", 1, 0}, {"airports", "", "flight_delays", "", 1, 0}});
  EXPECT_TRUE(catalog_->DropDataset("customers"));
  EXPECT_FALSE(catalog_->DropDataset("customers"));
  EXPECT_FALSE(catalog_->FindDataset("customers"));
  EXPECT_TRUE(catalog_->DatasetColumns("customers", 1).empty());
  EXPECT_TRUE(catalog_->Search("crm").empty());
  EXPECT_TRUE(catalog_->Search("email").empty());
  ASSERT_EQ(catalog_->Lineage().size(), 1u);
  EXPECT_EQ(catalog_->Lineage()[0].from_dataset, "airports");
  EXPECT_EQ(catalog_->Datasets().size(), 2u);
  // Its name is free again.
  catalog_->PutDataset(MakeDataset("customers"), {});
  EXPECT_TRUE(catalog_->FindDataset("customers")->tags.empty());
}

TEST_P(CatalogDbSuite, SearchFindsAPrefixOfTheLastWord) {
  PutSearchDatasets(*catalog_);
  std::vector<SearchHit> hits = catalog_->Search("fli");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].dataset, "flight_delays");
  EXPECT_EQ(hits[0].kind, "result");
  EXPECT_NE(hits[0].snippet.find("[flight"), std::string::npos) << hits[0].snippet;
  EXPECT_GT(hits[0].rank, 0);
  EXPECT_EQ(HitNames(catalog_->Search("cust")), (std::vector<std::string>{"customers"}));
  // Only the last word is a prefix: "cust" alone in front matches nothing.
  EXPECT_TRUE(catalog_->Search("cust email").empty());
  EXPECT_EQ(HitNames(catalog_->Search("customers ema")), (std::vector<std::string>{"customers"}));
}

TEST_P(CatalogDbSuite, SearchRanksANameMatchAboveADescriptionMatch) {
  PutSearchDatasets(*catalog_);
  std::vector<SearchHit> hits = catalog_->Search("flights");
  EXPECT_EQ(HitNames(hits), (std::vector<std::string>{"flight_delays", "airports"}));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_GT(hits[0].rank, hits[1].rank);
  EXPECT_NE(hits[1].snippet.find("[flights]"), std::string::npos) << hits[1].snippet;
  EXPECT_EQ(catalog_->Search("flights", 1).size(), 1u);
}

TEST_P(CatalogDbSuite, SearchFindsTagsDescriptionsColumnsAndSemanticTypes) {
  PutSearchDatasets(*catalog_);
  EXPECT_EQ(HitNames(catalog_->Search("aviation")), (std::vector<std::string>{"flight_delays"}));
  EXPECT_EQ(HitNames(catalog_->Search("departure")), (std::vector<std::string>{"flight_delays"}));
  EXPECT_EQ(HitNames(catalog_->Search("dep_delay")), (std::vector<std::string>{"flight_delays"}));
  EXPECT_EQ(HitNames(catalog_->Search("city")), (std::vector<std::string>{"airports"}));
  EXPECT_EQ(HitNames(catalog_->Search("postal")), (std::vector<std::string>{"customers"}));
  EXPECT_EQ(HitNames(catalog_->Search("postal_code")), (std::vector<std::string>{"customers"}));
  EXPECT_EQ(HitNames(catalog_->Search("measure")), (std::vector<std::string>{"flight_delays"}));
  EXPECT_EQ(HitNames(catalog_->Search("email")), (std::vector<std::string>{"customers"}));
  EXPECT_EQ(HitNames(catalog_->Search("result")), (std::vector<std::string>{"flight_delays"}));
  EXPECT_TRUE(catalog_->Search("unknown").empty());  // columns without a semantic type
  EXPECT_TRUE(catalog_->Search("zebra").empty());
  std::vector<SearchHit> hits = catalog_->Search("aviation");
  EXPECT_NE(hits.at(0).snippet.find("[aviation]"), std::string::npos) << hits.at(0).snippet;
}

TEST_P(CatalogDbSuite, SearchFollowsTagsDescriptionsAndNewColumns) {
  PutSearchDatasets(*catalog_);
  catalog_->AddTag("airports", "geo");
  EXPECT_EQ(HitNames(catalog_->Search("geo")), (std::vector<std::string>{"airports"}));
  EXPECT_TRUE(catalog_->RemoveTag("airports", "geo"));
  EXPECT_TRUE(catalog_->Search("geo").empty());
  catalog_->Describe("customers", "Loyal buyers");
  EXPECT_EQ(HitNames(catalog_->Search("loyal")), (std::vector<std::string>{"customers"}));
  // A new version's columns replace the old ones in the index.
  catalog_->PutDataset(MakeDataset("airports", "source", 2), {MakeColumn("iata")});
  EXPECT_EQ(HitNames(catalog_->Search("iata")), (std::vector<std::string>{"airports"}));
  EXPECT_TRUE(catalog_->Search("city").empty());
}

TEST_P(CatalogDbSuite, SearchTakesAnyTextAsWords) {
  PutSearchDatasets(*catalog_);
  for (const char* text :
       {"\"", "AND(", "fli\"", "*", "NEAR(a b)", "flight OR", "'", "\\", ":*", "-x", "^a", "a:b",
        "flight)", "(((", "!&|<->", "'); DROP TABLE datasets; --", "NOT", "\xff\xfe", "é"}) {
    EXPECT_NO_THROW(catalog_->Search(text)) << text;
  }
  EXPECT_TRUE(catalog_->Search("").empty());
  EXPECT_TRUE(catalog_->Search(" \t\n").empty());
  EXPECT_EQ(HitNames(catalog_->Search("\"flight\"")),
            (std::vector<std::string>{"flight_delays", "airports"}));
  EXPECT_EQ(HitNames(catalog_->Search("crm)")), (std::vector<std::string>{"customers"}));
  EXPECT_EQ(catalog_->Datasets().size(), 3u);
}

TEST_P(CatalogDbSuite, LineageListsEdgesIntoAndOutOfADataset) {
  catalog_->AddLineage({{"raw", "", "clean", "", 1, 7},
                        {"raw", "x", "clean", "y", 1, 7},
                        {"clean", "", "report", "", 3, 8}});
  catalog_->AddLineage({{"raw", "", "clean", "", 1, 9}});  // the same edge: its run changes
  std::vector<LineageEdge> all = catalog_->Lineage();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].from_dataset, "raw");
  EXPECT_EQ(all[0].to_column, "");
  EXPECT_EQ(all[0].run_id, 9);
  EXPECT_EQ(all[1].from_column, "x");
  EXPECT_EQ(all[1].to_column, "y");
  EXPECT_EQ(all[2].to_dataset, "report");
  EXPECT_EQ(all[2].to_version, 3);
  EXPECT_EQ(catalog_->Lineage("clean").size(), 3u);
  EXPECT_EQ(catalog_->Lineage("raw").size(), 2u);
  EXPECT_EQ(catalog_->Lineage("report").size(), 1u);
  EXPECT_TRUE(catalog_->Lineage("other").empty());
}

TEST_P(CatalogDbSuite, AddVersionRecordsLineageAndExpectationsWithTheVersion) {
  DatasetRecord dataset = MakeDataset("clean", "result", 2);
  VersionProvenance provenance;
  provenance.lineage = {{"raw", "", "", "", 0, 5, 3}, {"raw", "x", "", "y", 0, 5, 3}};
  provenance.expectations = {{"positive", "(y > 0)", "drop_row", 10, 2, "", 0},
                             {"known", "(y IS NOT NULL)", "warn", 8, 0, "", 0}};
  catalog_->AddVersion(MakeVersion("clean", 2, {"clean/2/a"}), &dataset, nullptr, &provenance);
  std::vector<LineageEdge> edges = catalog_->Lineage("clean");
  ASSERT_EQ(edges.size(), 2u);
  EXPECT_EQ(edges[1].to_dataset, "clean");
  EXPECT_EQ(edges[1].to_column, "y");
  EXPECT_EQ(edges[1].to_version, 2);
  EXPECT_EQ(edges[1].from_version, 3);
  EXPECT_EQ(edges[1].run_id, 5);
  std::vector<ExpectationResult> found = catalog_->Expectations("clean");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "known");
  EXPECT_EQ(found[1].name, "positive");
  EXPECT_EQ(found[1].action, "drop_row");
  EXPECT_EQ(found[1].rows_checked, 10);
  EXPECT_EQ(found[1].violations, 2);
  EXPECT_EQ(found[1].version, 2);
  EXPECT_EQ(catalog_->Expectations("clean", 2).size(), 2u);
  EXPECT_TRUE(catalog_->Expectations("clean", 1).empty());
}

TEST_P(CatalogDbSuite, RetractingAVersionRestoresTheOneBefore) {
  DatasetRecord first = MakeDataset("t", "result", 1);
  std::vector<DatasetColumn> columns = {MakeColumn("id")};
  catalog_->AddVersion(MakeVersion("t", 1, {"t/1/a"}), &first, &columns);
  DatasetRecord second = MakeDataset("t", "result", 2);
  second.rows = 99;
  VersionProvenance provenance;
  provenance.lineage = {{"raw", "", "", "", 0, 1, 0}};
  provenance.expectations = {{"e", "(id > 0)", "warn", 20, 1, "", 0}};
  catalog_->AddVersion(MakeVersion("t", 2, {"t/1/a", "t/2/b"}), &second, &columns, &provenance);
  EXPECT_EQ(catalog_->RetractVersion("t", 2), (std::vector<std::string>{"t/2/b"}));
  EXPECT_EQ(catalog_->Versions("t"), (std::vector<int64_t>{1}));
  EXPECT_EQ(catalog_->FindDataset("t")->version, 1);
  EXPECT_EQ(catalog_->FindDataset("t")->rows, 10);
  EXPECT_EQ(catalog_->DatasetColumns("t").size(), 1u);
  EXPECT_TRUE(catalog_->Lineage("t").empty());
  EXPECT_TRUE(catalog_->Expectations("t").empty());
  EXPECT_EQ(catalog_->NextVersion("t"), 3);  // a retracted number is not handed out again
  // Retracting the only version forgets the dataset.
  EXPECT_EQ(catalog_->RetractVersion("t", 1), (std::vector<std::string>{"t/1/a"}));
  EXPECT_FALSE(catalog_->FindDataset("t"));
  EXPECT_TRUE(catalog_->ResultNames().empty());
}

TEST_P(CatalogDbSuite, CellStatesAreReplacedPerNotebookAndCell) {
  catalog_->PutCellState({"a.sql", "load", "h1", "{}", "{\"t\":\"1\"}", 1, 100});
  catalog_->PutCellState({"a.sql", "agg", "h2", "{\"t\":\"1\"}", "{}", 1, 100});
  catalog_->PutCellState({"b.sql", "load", "h3", "{}", "{}", 2, 100});
  catalog_->PutCellState({"a.sql", "load", "h4", "{}", "{\"t\":\"2\"}", 3, 200});
  std::vector<CellState> states = catalog_->CellStates("a.sql");
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].cell, "agg");
  EXPECT_EQ(states[1].cell, "load");
  EXPECT_EQ(states[1].state_hash, "h4");
  EXPECT_EQ(states[1].outputs_json, "{\"t\":\"2\"}");
  EXPECT_EQ(states[1].run_id, 3);
  EXPECT_EQ(states[1].finished_micros, 200);
  EXPECT_EQ(catalog_->CellStates("b.sql").size(), 1u);
  EXPECT_TRUE(catalog_->CellStates("c.sql").empty());
}

TEST_P(CatalogDbSuite, RunsAreListedNewestFirst) {
  RunRecord run;
  run.notebook = "daily.sql";
  run.notebook_hash = "h1";
  run.started_micros = 100;
  int64_t first = catalog_->StartRun(run);
  run.started_micros = 200;
  int64_t second = catalog_->StartRun(run);
  run.notebook = "other.sql";
  run.started_micros = 300;
  int64_t third = catalog_->StartRun(run);
  EXPECT_NE(first, second);
  EXPECT_NE(second, third);

  RunRecord finish;
  finish.id = first;
  finish.status = "failed";
  finish.finished_micros = 150;
  finish.error = "cell 2: no such table";
  finish.details_json = R"({"cells":[]})";
  catalog_->FinishRun(finish);
  finish.id = 999999;
  EXPECT_THROW(catalog_->FinishRun(finish), UserError);

  std::vector<RunRecord> daily = catalog_->Runs("daily.sql");
  ASSERT_EQ(daily.size(), 2u);
  EXPECT_EQ(daily[0].id, second);
  EXPECT_EQ(daily[0].status, "running");
  EXPECT_EQ(daily[1].id, first);
  EXPECT_EQ(daily[1].notebook_hash, "h1");
  EXPECT_EQ(daily[1].status, "failed");
  EXPECT_EQ(daily[1].started_micros, 100);
  EXPECT_EQ(daily[1].finished_micros, 150);
  EXPECT_EQ(daily[1].error, "cell 2: no such table");
  EXPECT_EQ(daily[1].details_json, R"({"cells":[]})");
  std::vector<RunRecord> all = catalog_->Runs();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, third);
  // A run started without a time or status starts now, running.
  int64_t now = catalog_->StartRun({});
  EXPECT_EQ(catalog_->Runs().at(0).id, now);
  EXPECT_GT(catalog_->Runs().at(0).started_micros, 1600000000000000);
  EXPECT_EQ(catalog_->Runs().at(0).status, "running");
}

TEST_P(CatalogDbSuite, ModelsAreListedByNameThenVersion) {
  catalog_->PutModel({"churn", 2, "logistic", 10, "models/churn/2", "{}", R"({"auc":0.8})"});
  catalog_->PutModel({"churn", 1, "logistic", 5, "models/churn/1", "{}", "{}"});
  catalog_->PutModel({"arrival", 1, "linear", 0, "models/arrival/1", "{}", "{}"});
  catalog_->PutModel({"churn", 1, "logistic", 5, "models/churn/1", "{}", R"({"auc":0.7})"});
  std::vector<ModelRecord> models = catalog_->Models();
  ASSERT_EQ(models.size(), 3u);
  EXPECT_EQ(models[0].name, "arrival");
  EXPECT_GT(models[0].created_micros, 0);
  EXPECT_EQ(models[1].name, "churn");
  EXPECT_EQ(models[1].version, 1);
  EXPECT_EQ(models[1].metrics_json, R"({"auc":0.7})");
  EXPECT_EQ(models[2].version, 2);
  EXPECT_EQ(models[2].model_type, "logistic");
  EXPECT_EQ(models[2].artifact_path, "models/churn/2");
  EXPECT_EQ(models[2].created_micros, 10);
}

TEST_P(CatalogDbSuite, ModelsKeepTrialsAndLineageUntilDropped) {
  ModelRecord model{"delay", 1,    "boosted_tree_regressor", 0, "models/delay/1",
                    "{}",    "{}", R"({"query":"SELECT 1"})"};
  LineageEdge edge;
  edge.from_dataset = "flights";
  edge.from_version = 3;
  catalog_->PutModel(model, {{"", 0, 2, R"({"objective":0.5})"}, {"", 0, 1, "{}"}}, {edge});
  catalog_->PutModel({"other", 1, "kmeans", 0, "models/other/1", "{}", "{}"}, {{"", 0, 1, "{}"}});
  ASSERT_EQ(catalog_->Models().at(0).details_json, R"({"query":"SELECT 1"})");
  std::vector<TrialRecord> trials = catalog_->Trials("delay");
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].trial_id, 1);
  EXPECT_EQ(trials[1].details_json, R"({"objective":0.5})");
  EXPECT_EQ(trials[1].model, "delay");
  EXPECT_EQ(trials[1].version, 1);
  EXPECT_EQ(catalog_->Trials().size(), 3u);
  ASSERT_EQ(catalog_->Lineage("delay").size(), 1u);
  EXPECT_EQ(catalog_->Lineage("delay")[0].to_version, 1);

  EXPECT_EQ(catalog_->DeleteModel("delay").size(), 1u);
  EXPECT_EQ(catalog_->Models().size(), 1u);
  EXPECT_TRUE(catalog_->Trials("delay").empty());
  EXPECT_TRUE(catalog_->Lineage("delay").empty());
  EXPECT_TRUE(catalog_->DeleteModel("delay").empty());
}

}  // namespace
}  // namespace sluice::catalog
