#include "notebook/cell_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "sql/parser.h"

namespace sluice::notebook {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using Names = std::vector<std::string>;

CellIo Analyze(std::string_view sql) { return AnalyzeStatements(sql::ParseSql(sql)); }

CellGraph Graph(std::string_view text) { return CellGraph::Make(ParseNotebook(text, "nb.sql")); }

std::string ErrorOf(std::string_view text) {
  try {
    Graph(text);
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for: " << text;
  return "";
}

Names NamesOf(const CellGraph& graph, const std::vector<size_t>& nodes) {
  Names names;
  for (size_t node : nodes) names.push_back(graph.nodes()[node].name);
  return names;
}

TEST(CellIoTest, ReadsJoinsAndSubqueriesAtAnyDepth) {
  CellIo io = Analyze(
      "SELECT a.x, (SELECT max(y) FROM s1) FROM a JOIN b ON a.id = b.id "
      "LEFT JOIN (SELECT * FROM c WHERE c.k IN (SELECT k FROM d)) AS cc ON true "
      "WHERE EXISTS (SELECT 1 FROM e WHERE e.v = CASE WHEN a.x > (SELECT 1 FROM f) THEN 1 END) "
      "UNION ALL SELECT 1, 2 FROM main.g ORDER BY 1");
  EXPECT_THAT(io.inputs, ElementsAre("a", "b", "c", "d", "s1", "e", "f", "g"));
  EXPECT_THAT(io.outputs, IsEmpty());
}

TEST(CellIoTest, KeepsCteNamesOutButReadsTheirBodies) {
  CellIo io = Analyze(
      "WITH recent AS (SELECT * FROM flights WHERE d > 3), "
      "     top AS (SELECT * FROM recent JOIN airports USING (code)) "
      "SELECT * FROM top, (WITH inner_cte AS (SELECT * FROM carriers) SELECT * FROM inner_cte) i "
      "WHERE top.x IN (SELECT x FROM recent)");
  EXPECT_THAT(io.inputs, ElementsAre("flights", "airports", "carriers"));
  // A CTE name is a table again outside its WITH, and inside its own body unless RECURSIVE.
  EXPECT_THAT(Analyze("WITH t AS (SELECT * FROM t) SELECT * FROM t").inputs, ElementsAre("t"));
  EXPECT_THAT(Analyze("WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) "
                      "SELECT * FROM r")
                  .inputs,
              IsEmpty());
  EXPECT_THAT(Analyze("SELECT * FROM (WITH q AS (SELECT 1) SELECT * FROM q) s, q").inputs,
              ElementsAre("q"));
}

TEST(CellIoTest, FindsCreatedNamesAndDropsThemFromLaterInputs) {
  CellIo io = Analyze(
      "CREATE TEMP TABLE tmp AS SELECT * FROM raw;"
      "CREATE OR REPLACE TABLE result AS SELECT * FROM tmp JOIN dim USING (k);"
      "CREATE VIEW v AS SELECT * FROM result;"
      "CREATE TABLE empty_one (a INT);"
      "CREATE SOURCE src FROM 'postgresql://h/db' WITH (table = 'x');"
      "CREATE SINK out_sink FROM result INTO 'sqlite:out.db' WITH (table = 'r')");
  EXPECT_THAT(io.outputs, ElementsAre("tmp", "result", "v", "empty_one", "src", "out_sink"));
  EXPECT_THAT(io.inputs, ElementsAre("raw", "dim"));
  EXPECT_THAT(io.input_files, IsEmpty());
  EXPECT_THAT(io.output_files, IsEmpty());
}

TEST(CellIoTest, FindsModelsMadeAndUsed) {
  CellIo io = Analyze(
      "CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['y']) AS "
      "SELECT * FROM train;"
      "CREATE TABLE scored AS SELECT * FROM ML.PREDICT(MODEL m, (SELECT * FROM fresh));"
      "SELECT * FROM ML.EVALUATE(MODEL other, TABLE holdout)");
  EXPECT_THAT(io.outputs, ElementsAre("m", "scored"));
  EXPECT_THAT(io.inputs, ElementsAre("train", "fresh", "other", "holdout"));
}

TEST(CellIoTest, CountsInsertTargetsAsReadAndModified) {
  CellIo io = Analyze("INSERT INTO log SELECT * FROM events WHERE x NOT IN (SELECT x FROM seen)");
  EXPECT_THAT(io.inputs, ElementsAre("log", "events", "seen"));
  EXPECT_THAT(io.modified, ElementsAre("log"));
  EXPECT_THAT(io.outputs, IsEmpty());
  CellIo own = Analyze("CREATE TABLE t (a INT); INSERT INTO t VALUES ((SELECT max(a) FROM u))");
  EXPECT_THAT(own.inputs, ElementsAre("u"));
  EXPECT_THAT(own.modified, IsEmpty());
}

TEST(CellIoTest, FindsFilesReadAndWritten) {
  CellIo io = Analyze(
      "SELECT * FROM './data/../data/a.csv' JOIN read_csv('b.csv', delim => ';') USING (k);"
      "COPY (SELECT * FROM t) TO 'out/t.parquet' (FORMAT parquet);"
      "COPY t TO 'out/t.csv';"
      "CREATE SOURCE s FROM 'data/s.parquet';"
      "CREATE SINK k FROM t INTO 'out/k.csv';"
      "SELECT * FROM 'out/t.csv'");
  EXPECT_THAT(io.input_files, ElementsAre("data/a.csv", "b.csv", "data/s.parquet"));
  EXPECT_THAT(io.output_files, ElementsAre("out/t.parquet", "out/t.csv", "out/k.csv"));
  EXPECT_THAT(io.inputs, ElementsAre("t"));
}

TEST(CellIoTest, ReadsOtherStatementKinds) {
  CellIo io = Analyze(
      "EXPLAIN SELECT * FROM a; DESCRIBE b; CREATE INDEX i ON c (x); COPY d FROM 'in.csv';"
      "SET threads = 2; SHOW TABLES; DROP TABLE z");
  EXPECT_THAT(io.inputs, ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(io.modified, ElementsAre("d"));
  EXPECT_THAT(io.input_files, ElementsAre("in.csv"));
  EXPECT_THAT(io.outputs, IsEmpty());
}

constexpr std::string_view kPipeline = R"(-- Pipeline
-- %% name=flights
CREATE SOURCE flights FROM 'data/flights.parquet';
-- %% [markdown]
-- Averages per origin.
-- %% name=delays
CREATE TABLE delays AS SELECT origin, avg(delay) AS d FROM flights GROUP BY origin;
-- %% name=worst
CREATE TABLE worst AS SELECT * FROM delays JOIN airports USING (origin) WHERE d > 30;
-- %% name=export
COPY worst TO 'out/worst.csv';
-- %% name=report
SELECT * FROM 'out/worst.csv';
-- %% name=by_hour
CREATE VIEW by_hour AS SELECT hour(date) AS h, count(*) FROM flights GROUP BY 1;
)";

TEST(CellGraphTest, LinksProducersToReaders) {
  CellGraph graph = Graph(kPipeline);
  ASSERT_EQ(graph.nodes().size(), 6u);
  const auto& nodes = graph.nodes();
  EXPECT_EQ(nodes[0].cell_index, 1u);
  EXPECT_EQ(nodes[1].cell_index, 3u);
  EXPECT_EQ(nodes[1].first_line, 6);
  EXPECT_THAT(NamesOf(graph, nodes[0].downstream), ElementsAre("delays", "by_hour"));
  EXPECT_THAT(NamesOf(graph, nodes[2].upstream), ElementsAre("delays"));
  EXPECT_THAT(NamesOf(graph, nodes[4].upstream), ElementsAre("export"));
  EXPECT_THAT(nodes[0].external_files, ElementsAre("data/flights.parquet"));
  EXPECT_THAT(nodes[2].external_inputs, ElementsAre("airports"));
  EXPECT_THAT(nodes[4].external_files, IsEmpty());
  EXPECT_THAT(nodes[1].external_inputs, IsEmpty());
}

TEST(CellGraphTest, OrdersTopologicallyWithNotebookOrderForTies) {
  CellGraph graph = Graph(
      "-- %% name=report\nSELECT * FROM b JOIN a USING (k);\n"
      "-- %% name=b\nCREATE TABLE b AS SELECT * FROM a;\n"
      "-- %% name=a\nCREATE TABLE a AS SELECT 1 AS k;\n"
      "-- %% name=other\nSELECT 1;\n");
  EXPECT_THAT(NamesOf(graph, graph.TopologicalOrder()), ElementsAre("a", "b", "report", "other"));
  CellGraph pipeline = Graph(kPipeline);
  EXPECT_THAT(NamesOf(pipeline, pipeline.TopologicalOrder()),
              ElementsAre("flights", "delays", "worst", "export", "report", "by_hour"));
}

TEST(CellGraphTest, ListsEverythingDownstreamOfACell) {
  CellGraph graph = Graph(kPipeline);
  EXPECT_THAT(NamesOf(graph, graph.Downstream(*graph.Find("delays"))),
              ElementsAre("worst", "export", "report"));
  EXPECT_THAT(NamesOf(graph, graph.Downstream(*graph.Find("flights"))),
              ElementsAre("delays", "worst", "export", "report", "by_hour"));
  EXPECT_THAT(graph.Downstream(*graph.Find("report")), IsEmpty());
  EXPECT_EQ(graph.Find("nope"), std::nullopt);
}

TEST(CellGraphTest, OrdersReadersAfterCellsThatInsert) {
  CellGraph graph = Graph(
      "-- %% name=make\nCREATE TABLE log (a INT);\n"
      "-- %% name=read\nSELECT count(*) FROM log;\n"
      "-- %% name=add1\nINSERT INTO log VALUES (1);\n"
      "-- %% name=add2\nINSERT INTO log SELECT a FROM log;\n");
  EXPECT_THAT(NamesOf(graph, graph.nodes()[1].upstream), ElementsAre("make", "add1", "add2"));
  EXPECT_THAT(NamesOf(graph, graph.nodes()[3].upstream), ElementsAre("make"));
  EXPECT_THAT(NamesOf(graph, graph.TopologicalOrder()),
              ElementsAre("make", "add1", "add2", "read"));
  // Inserting into a table no cell creates reads a stored result: external, no edge.
  CellGraph stored = Graph("-- %%\nINSERT INTO history SELECT 1;\n");
  EXPECT_THAT(stored.nodes()[0].external_inputs, ElementsAre("history"));
}

TEST(CellGraphTest, LetsACellReplaceWhatItReads) {
  CellGraph graph = Graph("-- %% name=a\nCREATE OR REPLACE TABLE t AS SELECT * FROM t;\n");
  EXPECT_THAT(graph.nodes()[0].upstream, IsEmpty());
  EXPECT_THAT(graph.nodes()[0].external_inputs, IsEmpty());
}

TEST(CellGraphTest, RejectsTwoCellsCreatingOneName) {
  EXPECT_THAT(ErrorOf("-- %% name=a\nCREATE TABLE t AS SELECT 1;\n"
                      "-- %% name=b\nSELECT 2;\n"
                      "-- %% name=c\nCREATE VIEW t AS SELECT 3;\n"),
              AllOf(HasSubstr("table created by two cells in nb.sql"),
                    HasSubstr("'a' (line 1) and 'c' (line 5): t")));
  EXPECT_THAT(ErrorOf("-- %%\nCOPY (SELECT 1) TO 'x.csv';\n-- %%\nCOPY (SELECT 2) TO './x.csv';\n"),
              HasSubstr("file written by two cells in nb.sql: 'cell_1' (line 1) and 'cell_2' "
                        "(line 3): x.csv"));
}

TEST(CellGraphTest, RejectsCyclesNamingTheirCells) {
  EXPECT_THAT(ErrorOf("-- %% name=start\nCREATE TABLE s AS SELECT 1;\n"
                      "-- %% name=a\nCREATE TABLE x AS SELECT * FROM z JOIN s ON true;\n"
                      "-- %% name=b\nCREATE TABLE y AS SELECT * FROM x;\n"
                      "-- %% name=c\nCREATE TABLE z AS SELECT * FROM y;\n"
                      "-- %% name=after\nSELECT * FROM z;\n"),
              HasSubstr("cells depend on each other in a cycle in nb.sql: 'a' -> 'b' -> 'c' -> "
                        "'a'"));
  EXPECT_THAT(ErrorOf("-- %% name=p\nCOPY (SELECT * FROM q) TO 'p.csv';\n"
                      "-- %% name=q\nCREATE TABLE q AS SELECT * FROM 'p.csv';\n"),
              HasSubstr("cycle in nb.sql: 'p' -> 'q' -> 'p'"));
}

TEST(CellGraphTest, ReportsSqlErrorsAtTheNotebookLine) {
  EXPECT_THAT(ErrorOf("-- Header\n"
                      "-- %% name=one\nSELECT 1;\n\n"
                      "-- %% [markdown]\n-- words\n"
                      "-- %% name=two\nSELECT 2;\n"
                      "-- %% name=three\nSELECT 3;\n\nSELECT *\n  FROM WHERE x;\n"),
              AllOf(HasSubstr("syntax error at nb.sql:13:8 in cell 'three'"), HasSubstr("WHERE")));
  EXPECT_THAT(ErrorOf("-- %%\r\nSELECT 1;\r\n-- %%\r\nSELECT FROM;\r\n"),
              HasSubstr("syntax error at nb.sql:4:"));
}

TEST(CellGraphTest, RejectsStatementsBeforeTheFirstMarker) {
  EXPECT_THAT(ErrorOf("-- title\n\nSELECT 1;\n-- %%\nSELECT 2;\n"),
              HasSubstr("SQL before the first cell marker at nb.sql:3"));
  EXPECT_EQ(Graph("-- only comments\n/* here */\n-- %%\nSELECT 2;\n").nodes().size(), 1u);
}

}  // namespace
}  // namespace sluice::notebook
