#pragma once

// The notebook file format: a `.sql` file in Jupytext "percent" format. A cell starts at a
// marker line `-- %%`, optionally followed by `[markdown]` and `key=value` metadata (a value may
// be double-quoted to hold spaces: `chart="bar x=origin y=n"`). Lines before the first marker
// form a header cell. Parsing keeps every byte (marker lines as written, line endings, blank
// lines), so WriteNotebook(ParseNotebook(text)) == text for every text that parses.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql/ast.h"

namespace sluice::notebook {

/// Is one cell of a notebook.
struct Cell {
  enum class Kind { kHeader, kSql, kMarkdown };

  /// Returns the value of metadata `key`, or nullopt when the marker does not set it.
  std::optional<std::string> Metadata(std::string_view key) const;
  /// Returns the notebook line (1-based) of the first line of `text`.
  int TextLine() const { return kind == Kind::kHeader ? first_line : first_line + 1; }

  Kind kind = Kind::kSql;
  /// Is the `name=` metadata; for an unnamed SQL cell `cell_<n>` (n counts SQL cells from 1),
  /// which WriteNotebook does not write back; empty for other unnamed cells.
  std::string name;
  std::vector<std::pair<std::string, std::string>> metadata;  // In marker order, quotes removed.
  /// Is the marker line as written, without its line ending; empty for the header. When empty
  /// on a non-header cell, WriteNotebook makes one from `kind` and `metadata`.
  std::string marker_line;
  std::string line_ending;  // Of the marker line: "\n", "\r\n", or "" at the end of the file.
  std::string text;         // The lines after the marker up to the next one, endings included.
  int first_line = 1;       // The notebook line of the marker (of the text for the header).
};

/// Is a parsed notebook; `path` is used in messages only.
struct Notebook {
  std::string path;
  std::vector<Cell> cells;
};

/// Returns the cells of `text`. Throws UserError for a malformed marker (an unterminated quote,
/// a word without `=`) or two cells with the same name, naming `path` and the lines.
Notebook ParseNotebook(std::string_view text, std::string path);

/// Returns the text of `notebook`: the exact input of ParseNotebook when nothing was changed.
std::string WriteNotebook(const Notebook& notebook);

/// Reads and parses the notebook file at `path`. Throws IoError when it cannot be read.
Notebook ReadNotebookFile(const std::string& path);

/// Parses the statements of SQL cell `cell`, their locations (and those in error messages)
/// being lines of the notebook file. Throws UserError for bad SQL.
std::vector<sql::StatementPtr> ParseCell(const Cell& cell);

/// Returns the text of a markdown cell with the `-- ` (or bare `--`) prefix of each line removed.
std::string MarkdownText(const Cell& cell);

}  // namespace sluice::notebook
