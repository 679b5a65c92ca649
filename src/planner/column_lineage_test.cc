#include "planner/column_lineage.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/test_folder.h"
#include "sql/parser.h"

namespace sluice::planner {
namespace {

using core::TypeId;

// Is a catalog of tables that have schemas only (lineage never reads rows) and views.
class TestCatalog final : public Catalog {
 public:
  void AddTable(const std::string& name, const std::vector<std::string>& columns,
                int64_t version = 0, std::shared_ptr<const QueryLineage> lineage = nullptr) {
    std::vector<core::Field> fields;
    for (const auto& column : columns) fields.push_back({column, TypeId::kBigint});
    auto entry = std::make_shared<TableEntry>();
    entry->schema = std::make_shared<core::Schema>(std::move(fields));
    entry->version = version;
    entry->lineage = std::move(lineage);
    tables_[name] = entry;
  }
  void AddView(const std::string& name, const std::string& sql) {
    auto view = std::make_shared<ViewEntry>();
    view->statement = sql::ParseStatement(sql);
    view->query = view->statement->As<sql::CreateViewStatement>().query.get();
    view->column_names = view->statement->As<sql::CreateViewStatement>().column_names;
    views_[name] = view;
  }

  std::shared_ptr<const TableEntry> FindTable(std::string_view name) const override {
    auto found = tables_.find(std::string(name));
    return found == tables_.end() ? nullptr : found->second;
  }
  std::shared_ptr<const ViewEntry> FindView(std::string_view name) const override {
    auto found = views_.find(std::string(name));
    return found == views_.end() ? nullptr : found->second;
  }
  std::vector<std::string> TableNames() const override { return {}; }

 private:
  std::map<std::string, std::shared_ptr<const TableEntry>> tables_;
  std::map<std::string, std::shared_ptr<const ViewEntry>> views_;
};

// Writes a lineage's columns as `name<-dataset.column@version,...;` for compact comparisons.
std::string Columns(const QueryLineage& lineage) {
  std::string text;
  for (size_t i = 0; i < lineage.columns.size(); ++i) {
    text += (i == 0 ? "" : "; ") + lineage.names[i] + "<-";
    for (size_t j = 0; j < lineage.columns[i].size(); ++j) {
      const ColumnOrigin& origin = lineage.columns[i][j];
      text += (j == 0 ? "" : ",") + origin.dataset + "." + origin.column;
      if (origin.version != 0) text += "@" + std::to_string(origin.version);
    }
  }
  return text;
}

std::string Datasets(const QueryLineage& lineage) {
  std::string text;
  for (const ColumnOrigin& origin : lineage.datasets) {
    text += (text.empty() ? "" : ",") + origin.dataset;
    if (origin.version != 0) text += "@" + std::to_string(origin.version);
  }
  return text;
}

class ColumnLineageTest : public ::testing::Test {
 protected:
  ColumnLineageTest() {
    catalog_.AddTable("flights", {"id", "origin", "delay", "distance"}, 3);
    catalog_.AddTable("airports", {"id", "name", "Code"});
  }

  QueryLineage Derive(const std::string& query) {
    auto statement = sql::ParseStatement(query);
    return DeriveLineage(*statement->As<sql::SelectStatement>().query, catalog_);
  }

  TestCatalog catalog_;
};

TEST_F(ColumnLineageTest, SelectListWithAliasesAndExpressions) {
  QueryLineage lineage =
      Derive("SELECT origin AS o, delay, delay / distance * 60, 1 AS one FROM flights");
  EXPECT_EQ(Columns(lineage),
            "o<-flights.origin@3; delay<-flights.delay@3; "
            "((delay / distance) * 60)<-flights.delay@3,flights.distance@3; one<-");
  EXPECT_EQ(Datasets(lineage), "flights@3");
}

TEST_F(ColumnLineageTest, NamesMatchExactlyFirstThenIgnoringCase) {
  EXPECT_EQ(Columns(Derive("SELECT code, a.name FROM airports a")),
            "Code<-airports.Code; name<-airports.name");
}

TEST_F(ColumnLineageTest, StarExpandsEveryVisibleColumnAndQualifiedStarOneTable) {
  EXPECT_EQ(Columns(Derive("SELECT * FROM airports")),
            "id<-airports.id; name<-airports.name; Code<-airports.Code");
  EXPECT_EQ(Columns(Derive("SELECT a.* FROM flights f JOIN airports a ON f.origin = a.code")),
            "id<-airports.id; name<-airports.name; Code<-airports.Code");
}

TEST_F(ColumnLineageTest, UsingAndNaturalJoinColumnsDeriveFromBothSides) {
  QueryLineage lineage = Derive("SELECT * FROM flights JOIN airports USING (id)");
  ASSERT_EQ(lineage.columns.size(), 6u);  // the right side's id is hidden, as in the binder
  EXPECT_EQ(Columns(lineage),
            "id<-airports.id,flights.id@3; origin<-flights.origin@3; delay<-flights.delay@3; "
            "distance<-flights.distance@3; name<-airports.name; Code<-airports.Code");
  EXPECT_EQ(Columns(Derive("SELECT id FROM flights NATURAL JOIN airports")),
            "id<-airports.id,flights.id@3");
  EXPECT_EQ(Datasets(Derive("SELECT delay FROM flights LEFT JOIN airports USING (id)")),
            "airports,flights@3");
}

TEST_F(ColumnLineageTest, SubqueriesInFromWithColumnAliases) {
  EXPECT_EQ(Columns(Derive("SELECT y + 1 AS z FROM (SELECT delay, distance FROM flights) "
                           "AS q(x, y) WHERE x > 0")),
            "z<-flights.distance@3");
}

TEST_F(ColumnLineageTest, CtesAndRecursiveCtesStopAtTheRecursion) {
  EXPECT_EQ(Columns(Derive("WITH d AS (SELECT origin, avg(delay) AS mean FROM flights GROUP BY "
                           "origin) SELECT name, mean FROM d JOIN airports ON d.origin = code")),
            "name<-airports.name; mean<-flights.delay@3");
  QueryLineage recursive = Derive(
      "WITH RECURSIVE r(n) AS (SELECT delay FROM flights UNION ALL SELECT n + id FROM r, "
      "airports) SELECT n FROM r");
  EXPECT_EQ(Columns(recursive), "n<-airports.id,flights.delay@3");
  EXPECT_EQ(Datasets(recursive), "airports,flights@3");
}

TEST_F(ColumnLineageTest, ViewsAreReadThroughWithTheirColumnNames) {
  catalog_.AddView("long_flights",
                   "CREATE VIEW long_flights (f, km) AS SELECT id, distance "
                   "FROM flights WHERE distance > 1000");
  EXPECT_EQ(Columns(Derive("SELECT km * 2 AS twice, l.f FROM long_flights l")),
            "twice<-flights.distance@3; f<-flights.id@3");
  EXPECT_EQ(Datasets(Derive("SELECT 1 FROM long_flights")), "flights@3");
}

TEST_F(ColumnLineageTest, SetOperationsUnionTheSidesPerPosition) {
  QueryLineage lineage =
      Derive("SELECT origin AS place, delay FROM flights UNION SELECT name, id FROM airports");
  EXPECT_EQ(Columns(lineage),
            "place<-airports.name,flights.origin@3; delay<-airports.id,"
            "flights.delay@3");
}

TEST_F(ColumnLineageTest, AggregatesWindowsCaseAndCastsUnionTheirColumns) {
  EXPECT_EQ(Columns(Derive("SELECT origin, sum(delay) FILTER (WHERE distance > 5) AS s, "
                           "count(*) AS n FROM flights GROUP BY origin")),
            "origin<-flights.origin@3; s<-flights.delay@3,flights.distance@3; n<-");
  EXPECT_EQ(Columns(Derive("SELECT rank() OVER (PARTITION BY origin ORDER BY delay) AS r, "
                           "CASE WHEN delay > 0 THEN CAST(distance AS VARCHAR) END AS c "
                           "FROM flights")),
            "r<-flights.delay@3,flights.origin@3; c<-flights.delay@3,flights.distance@3");
}

TEST_F(ColumnLineageTest, DatasetsReadOnlyInWhereOrSubqueriesAreListed) {
  QueryLineage lineage = Derive(
      "SELECT delay FROM flights WHERE origin IN (SELECT code FROM airports) AND EXISTS "
      "(SELECT 1 FROM other_flights)");
  EXPECT_EQ(Columns(lineage), "delay<-flights.delay@3");
  EXPECT_EQ(Datasets(lineage), "airports,flights@3");  // other_flights does not exist: skipped
}

TEST_F(ColumnLineageTest, ScalarSubqueriesGiveTheirOutputColumnIncludingOuterReferences) {
  EXPECT_EQ(Columns(Derive("SELECT id, (SELECT max(a.id) FROM airports a WHERE a.name = "
                           "f.origin) AS top, (SELECT f.delay + count(*) FROM airports) AS d "
                           "FROM flights f")),
            "id<-flights.id@3; top<-airports.id; d<-flights.delay@3");
}

TEST_F(ColumnLineageTest, TemporaryTablesAreReadThroughToWhatTheyWereMadeFrom) {
  auto made = std::make_shared<QueryLineage>(Derive("SELECT origin, delay * 2 AS d FROM flights"));
  catalog_.AddTable("tmp", {"origin", "d"}, 0, made);
  QueryLineage lineage = Derive("SELECT d AS doubled FROM tmp");
  EXPECT_EQ(Columns(lineage), "doubled<-flights.delay@3");
  EXPECT_EQ(Datasets(lineage), "flights@3");
}

TEST_F(ColumnLineageTest, FilesAreDatasetsNamedByTheirNormalizedPath) {
  TestFolder folder;
  folder.Write("trips.csv", "Start,minutes\na,3\nb,4\n");
  std::string path = folder.path() + "/./trips.csv";
  QueryLineage lineage =
      Derive("SELECT t.start, t.minutes * 60 AS seconds FROM '" + path + "' t JOIN read_csv('" +
             folder.Path("trips.csv") + "') r ON t.start = r.start");
  std::string file = folder.Path("trips.csv");
  EXPECT_EQ(Columns(lineage), "Start<-" + file + ".Start; seconds<-" + file + ".minutes");
  EXPECT_EQ(Datasets(lineage), file);
  QueryLineage star = Derive("SELECT * FROM '" + path + "'");
  EXPECT_EQ(Columns(star), "Start<-" + file + ".Start; minutes<-" + file + ".minutes");
}

TEST_F(ColumnLineageTest, UnresolvableReferencesDegradeToNothing) {
  QueryLineage lineage = Derive("SELECT missing, x.y FROM nowhere x");
  EXPECT_EQ(Columns(lineage), "missing<-; y<-");
  EXPECT_TRUE(lineage.datasets.empty());
  EXPECT_EQ(Columns(Derive("VALUES (1, 'a'), (2, 'b')")), "col0<-; col1<-");
}

TEST_F(ColumnLineageTest, AppendLineageAddsInsertedColumnsToTheirTargets) {
  core::Schema table({{"a", TypeId::kBigint}, {"b", TypeId::kBigint}, {"c", TypeId::kBigint}});
  QueryLineage first = Derive("SELECT delay FROM flights");
  QueryLineage inserted = AppendLineage(nullptr, first, {2}, table);
  EXPECT_EQ(Columns(inserted), "a<-; b<-; c<-flights.delay@3");
  QueryLineage second = AppendLineage(&inserted, Derive("SELECT name FROM airports"), {0}, table);
  EXPECT_EQ(Columns(second), "a<-airports.name; b<-; c<-flights.delay@3");
  EXPECT_EQ(Datasets(second), "airports,flights@3");
}

}  // namespace
}  // namespace sluice::planner
