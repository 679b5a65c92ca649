#include "notebook/notebook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"

namespace sluice::notebook {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr std::string_view kFlights = R"(-- Flight delays: which airports are late, and when.
-- Owner: ops analytics

-- %% [markdown]
-- # Delays by origin
-- Data comes from the `flights` source.

-- %% name=flights
CREATE SOURCE flights FROM 'data/flights.parquet';

-- %% name=delays chart="bar x=origin y=n"
CREATE TABLE delays AS
  SELECT origin, avg(delay) AS avg_delay, count(*) AS n FROM flights GROUP BY origin;

-- %%
SELECT * FROM delays ORDER BY avg_delay DESC LIMIT 10;
)";

std::string RoundTrip(std::string_view text) {
  return WriteNotebook(ParseNotebook(text, "nb.sql"));
}

std::string ErrorOf(std::string_view text) {
  try {
    ParseNotebook(text, "nb.sql");
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for: " << text;
  return "";
}

TEST(NotebookTest, ParsesCellsOfARealisticNotebook) {
  Notebook notebook = ParseNotebook(kFlights, "notebooks/flights.sql");
  EXPECT_EQ(notebook.path, "notebooks/flights.sql");
  ASSERT_EQ(notebook.cells.size(), 5u);
  const auto& cells = notebook.cells;
  EXPECT_EQ(cells[0].kind, Cell::Kind::kHeader);
  EXPECT_EQ(cells[0].text,
            "-- Flight delays: which airports are late, and when.\n"
            "-- Owner: ops analytics\n\n");
  EXPECT_EQ(cells[0].first_line, 1);
  EXPECT_EQ(cells[1].kind, Cell::Kind::kMarkdown);
  EXPECT_EQ(cells[1].name, "");
  EXPECT_EQ(cells[1].first_line, 4);
  EXPECT_EQ(MarkdownText(cells[1]),
            "# Delays by origin\nData comes from the `flights` source.\n\n");
  EXPECT_EQ(cells[2].kind, Cell::Kind::kSql);
  EXPECT_EQ(cells[2].name, "flights");
  EXPECT_EQ(cells[2].text, "CREATE SOURCE flights FROM 'data/flights.parquet';\n\n");
  EXPECT_EQ(cells[2].TextLine(), 9);
  EXPECT_EQ(cells[3].name, "delays");
  EXPECT_EQ(cells[3].Metadata("chart"), "bar x=origin y=n");
  EXPECT_EQ(cells[3].Metadata("missing"), std::nullopt);
  EXPECT_EQ(cells[3].marker_line, "-- %% name=delays chart=\"bar x=origin y=n\"");
  EXPECT_EQ(cells[4].name, "cell_3");
  EXPECT_TRUE(cells[4].metadata.empty());
  EXPECT_EQ(cells[4].first_line, 15);
}

TEST(NotebookTest, RoundTripsByteForByte) {
  const std::vector<std::string> shapes = {
      std::string(kFlights),
      "",
      "\n",
      "SELECT 1;",
      "-- %%",
      "-- %%\n",
      "-- %%\nSELECT 1;",
      "-- %%\r\nSELECT 1;\r\n\r\n-- %% name=b\r\nSELECT 2;\r\n",
      "-- %%\n-- %%\n-- %%\n",
      "\n\n-- %%\n\n\n",
      "--   %%   name=a\t  chart=\"x  y\"   \nSELECT 1;\n",
      "-- %% [markdown] name=intro\n--\n-- text\n--no space\n",
      "-- %%[not a marker]\n-- %%%\n--%%\nSELECT 1;\n",
      "-- %% note=\"say \\\"hi\\\"\" empty=\"\"\nSELECT 1;\n",
      "-- %%\nSELECT 1;\r",
      "-- %%\r",
  };
  for (const std::string& text : shapes) EXPECT_EQ(RoundTrip(text), text) << text;
}

TEST(NotebookTest, FindsMarkersOnlyAtTheStartOfALine) {
  Notebook notebook = ParseNotebook("-- %%[x]\n  -- %%\n--%%\n-- %%%\n", "nb.sql");
  ASSERT_EQ(notebook.cells.size(), 2u);
  EXPECT_EQ(notebook.cells[0].kind, Cell::Kind::kHeader);
  EXPECT_EQ(notebook.cells[0].text, "-- %%[x]\n  -- %%\n");
  EXPECT_EQ(notebook.cells[1].marker_line, "--%%");
  EXPECT_EQ(notebook.cells[1].text, "-- %%%\n");
}

TEST(NotebookTest, ReadsQuotedValuesWithEscapes) {
  Notebook notebook = ParseNotebook("-- %% note=\"say \\\"hi\\\"\" empty=\"\" x=1\n", "nb.sql");
  const Cell& cell = notebook.cells.at(0);
  ASSERT_EQ(cell.metadata.size(), 3u);
  EXPECT_EQ(cell.metadata[0], (std::pair<std::string, std::string>{"note", "say \"hi\""}));
  EXPECT_EQ(cell.metadata[1], (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_EQ(cell.metadata[2], (std::pair<std::string, std::string>{"x", "1"}));
}

TEST(NotebookTest, NumbersDefaultNamesBySqlCellsAndDoesNotWriteThem) {
  Notebook notebook =
      ParseNotebook("-- %% [markdown]\n-- a\n-- %%\nSELECT 1;\n-- %% name=b\n-- %%\n", "nb.sql");
  ASSERT_EQ(notebook.cells.size(), 4u);
  EXPECT_EQ(notebook.cells[0].name, "");
  EXPECT_EQ(notebook.cells[1].name, "cell_1");
  EXPECT_EQ(notebook.cells[2].name, "b");
  EXPECT_EQ(notebook.cells[3].name, "cell_3");
  notebook.cells[1].marker_line.clear();
  EXPECT_EQ(WriteNotebook(notebook),
            "-- %% [markdown]\n-- a\n-- %%\nSELECT 1;\n-- %% name=b\n-- %%\n");
}

TEST(NotebookTest, WritesNewCellsFromTheirMetadata) {
  Notebook notebook;
  Cell header;
  header.kind = Cell::Kind::kHeader;
  header.text = "-- header";
  Cell markdown;
  markdown.kind = Cell::Kind::kMarkdown;
  markdown.text = "-- # Title\n";
  Cell sql;
  sql.metadata = {{"name", "totals"}, {"chart", "line x=day"}, {"note", "a \"b\""}};
  sql.text = "SELECT 1;\n";
  notebook.cells = {header, markdown, sql};
  std::string text = WriteNotebook(notebook);
  EXPECT_EQ(text,
            "-- header\n-- %% [markdown]\n-- # Title\n"
            "-- %% name=totals chart=\"line x=day\" note=\"a \\\"b\\\"\"\nSELECT 1;\n");
  Notebook again = ParseNotebook(text, "nb.sql");
  EXPECT_EQ(again.cells.at(2).metadata, sql.metadata);
  EXPECT_EQ(again.cells.at(2).name, "totals");
}

TEST(NotebookTest, RejectsDuplicateNamesWithBothLines) {
  EXPECT_THAT(ErrorOf("-- %% name=a\nSELECT 1;\n\n-- %% name=a\nSELECT 2;\n"),
              AllOf(HasSubstr("duplicate cell name"), HasSubstr("nb.sql"),
                    HasSubstr("lines 1 and 4"), HasSubstr("'a'")));
  // An explicit name may not take the default name of another cell either.
  EXPECT_THAT(ErrorOf("-- %%\nSELECT 1;\n-- %% name=cell_1\n"),
              AllOf(HasSubstr("lines 1 and 3"), HasSubstr("'cell_1'")));
}

TEST(NotebookTest, RejectsMalformedMarkers) {
  EXPECT_THAT(ErrorOf("SELECT 1;\n-- %% chart=\"bar\n"),
              AllOf(HasSubstr("bad cell marker at nb.sql:2"), HasSubstr("unterminated quote")));
  EXPECT_THAT(ErrorOf("-- %% delays\n"), HasSubstr("expected key=value, found 'delays'"));
  EXPECT_THAT(ErrorOf("-- %% =x\n"), HasSubstr("expected a key"));
  EXPECT_THAT(ErrorOf("-- %% a=\"b\"c\n"), HasSubstr("blank after the closing quote"));
}

TEST(NotebookTest, ReadsFilesAndNamesTheMissingOne) {
  TestFolder folder;
  folder.Write("nb.sql", std::string(kFlights));
  Notebook notebook = ReadNotebookFile(folder.Path("nb.sql"));
  EXPECT_EQ(notebook.path, folder.Path("nb.sql"));
  EXPECT_EQ(WriteNotebook(notebook), kFlights);
  try {
    ReadNotebookFile(folder.Path("missing.sql"));
    ADD_FAILURE() << "no error";
  } catch (const IoError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("cannot read notebook"), HasSubstr("missing.sql")));
  }
}

}  // namespace
}  // namespace sluice::notebook
