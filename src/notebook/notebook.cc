#include "notebook/notebook.h"

#include <map>

#include "base/error.h"
#include "base/text_file.h"
#include "sql/parser.h"

namespace sluice::notebook {
namespace {

/// Is one line of the file: its content and its ending ("\n", "\r\n" or "" at the end).
struct Line {
  std::string_view content;
  std::string_view ending;
};

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t newline = text.find('\n', start);
    if (newline == std::string_view::npos) {
      lines.push_back({text.substr(start), {}});
      break;
    }
    size_t end = newline > start && text[newline - 1] == '\r' ? newline - 1 : newline;
    lines.push_back({text.substr(start, end - start), text.substr(end, newline + 1 - end)});
    start = newline + 1;
  }
  return lines;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Returns what follows `%%` on a marker line (`--`, blanks, `%%`, then a blank or the end), or
// nullopt when the line is not a marker.
std::optional<std::string_view> MarkerRest(std::string_view line) {
  if (!line.starts_with("--")) return std::nullopt;
  size_t at = 2;
  while (at < line.size() && IsBlank(line[at])) ++at;
  if (line.substr(at, 2) != "%%") return std::nullopt;
  at += 2;
  if (at < line.size() && !IsBlank(line[at])) return std::nullopt;
  return line.substr(at);
}

// Reads a double-quoted value starting at `rest[at]` (the quote); `\"` and `\\` are escapes.
// Returns false when the closing quote is missing.
bool ReadQuoted(std::string_view rest, size_t& at, std::string& value) {
  for (++at; at < rest.size(); ++at) {
    if (rest[at] == '"') {
      ++at;
      return true;
    }
    if (rest[at] == '\\' && at + 1 < rest.size()) ++at;
    value += rest[at];
  }
  return false;
}

// Fills the kind and metadata of `cell` from the text after `%%` on its marker line.
void ParseMarker(std::string_view rest, const std::string& path, Cell& cell) {
  auto fail = [&](std::string_view problem) {
    Throw<UserError>("bad cell marker at {}:{}: {}: {}", path, cell.first_line, problem,
                     cell.marker_line);
  };
  size_t at = 0;
  while (true) {
    while (at < rest.size() && IsBlank(rest[at])) ++at;
    if (at == rest.size()) return;
    size_t end = at;
    while (end < rest.size() && !IsBlank(rest[end]) && rest[end] != '=') ++end;
    std::string_view key = rest.substr(at, end - at);
    if (end == rest.size() || rest[end] != '=') {
      if (key == "[markdown]" || key == "[md]") {
        cell.kind = Cell::Kind::kMarkdown;
        at = end;
        continue;
      }
      fail("expected key=value, found '" + std::string(key) + "'");
    }
    if (key.empty()) fail("expected a key before '='");
    at = end + 1;
    std::string value;
    if (at < rest.size() && rest[at] == '"') {
      if (!ReadQuoted(rest, at, value)) fail("unterminated quote");
      if (at < rest.size() && !IsBlank(rest[at])) fail("expected a blank after the closing quote");
    } else {
      while (at < rest.size() && !IsBlank(rest[at])) value += rest[at++];
    }
    cell.metadata.emplace_back(std::string(key), std::move(value));
  }
}

// Gives unnamed SQL cells their default names and rejects two cells with one name.
void NameCells(const std::string& path, std::vector<Cell>& cells) {
  int sql_cells = 0;
  std::map<std::string, const Cell*> seen;
  for (Cell& cell : cells) {
    if (cell.kind == Cell::Kind::kSql) ++sql_cells;
    if (auto name = cell.Metadata("name")) {
      cell.name = *name;
    } else if (cell.kind == Cell::Kind::kSql) {
      cell.name = "cell_" + std::to_string(sql_cells);
    }
  }
  for (const Cell& cell : cells) {
    if (cell.name.empty()) continue;
    auto [it, added] = seen.emplace(cell.name, &cell);
    if (!added) {
      Throw<UserError>("duplicate cell name in {}: lines {} and {} are both named '{}'", path,
                       it->second->first_line, cell.first_line, cell.name);
    }
  }
}

std::string QuoteIfNeeded(const std::string& value) {
  bool plain = !value.empty();
  for (char c : value) plain = plain && !IsBlank(c) && c != '"' && c != '\\' && c != '\n';
  if (plain) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string MakeMarker(const Cell& cell) {
  std::string marker = "-- %%";
  if (cell.kind == Cell::Kind::kMarkdown) marker += " [markdown]";
  for (const auto& [key, value] : cell.metadata) marker += " " + key + "=" + QuoteIfNeeded(value);
  return marker;
}

}  // namespace

std::optional<std::string> Cell::Metadata(std::string_view key) const {
  for (const auto& [name, value] : metadata) {
    if (name == key) return value;
  }
  return std::nullopt;
}

Notebook ParseNotebook(std::string_view text, std::string path) {
  Notebook notebook{std::move(path), {}};
  Cell header;
  header.kind = Cell::Kind::kHeader;
  Cell* current = &header;
  int line_number = 0;
  for (const Line& line : SplitLines(text)) {
    ++line_number;
    auto rest = MarkerRest(line.content);
    if (!rest) {
      current->text.append(line.content).append(line.ending);
      continue;
    }
    if (notebook.cells.empty() && !header.text.empty()) notebook.cells.push_back(header);
    Cell& cell = notebook.cells.emplace_back();
    cell.marker_line = line.content;
    cell.line_ending = line.ending;
    cell.first_line = line_number;
    ParseMarker(*rest, notebook.path, cell);
    current = &cell;
  }
  if (notebook.cells.empty() && !header.text.empty()) notebook.cells.push_back(header);
  NameCells(notebook.path, notebook.cells);
  return notebook;
}

std::string WriteNotebook(const Notebook& notebook) {
  std::string text;
  for (const Cell& cell : notebook.cells) {
    if (cell.kind != Cell::Kind::kHeader) {
      // A marker must start a line, even after a cell whose text was edited to lack an ending.
      if (!text.empty() && text.back() != '\n') text += '\n';
      if (cell.marker_line.empty()) {
        text += MakeMarker(cell);
        text += cell.line_ending.empty() ? "\n" : cell.line_ending;
      } else {
        text += cell.marker_line;
        text += cell.line_ending;
      }
    }
    text += cell.text;
  }
  return text;
}

Notebook ReadNotebookFile(const std::string& path) {
  return ParseNotebook(ReadTextFile(path, "notebook"), path);
}

std::vector<sql::StatementPtr> ParseCell(const Cell& cell) {
  // Blank lines in front put every location on the cell's own lines of the notebook.
  std::string text(static_cast<size_t>(std::max(cell.TextLine() - 1, 0)), '\n');
  text += cell.text;
  return sql::ParseSql(text);
}

std::string MarkdownText(const Cell& cell) {
  std::string text;
  for (const Line& line : SplitLines(cell.text)) {
    std::string_view content = line.content;
    if (content.starts_with("-- ")) {
      content.remove_prefix(3);
    } else if (content.starts_with("--")) {
      content.remove_prefix(2);
    }
    text.append(content).append(line.ending);
  }
  return text;
}

}  // namespace sluice::notebook
