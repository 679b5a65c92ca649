#include "notebook/cell_graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <set>

#include "base/error.h"
#include "sql/parser.h"

namespace sluice::notebook {
namespace {

std::vector<sql::StatementPtr> ParseCellNamingPath(const std::string& path, const Cell& cell) {
  try {
    return ParseCell(cell);
  } catch (const sql::ParseError& error) {
    sql::SourceLocation at = error.location();
    Throw<UserError>("syntax error at {}:{}:{} in cell '{}': {}", path,
                     std::max(at.line, cell.TextLine()), at.column, cell.name, error.detail());
  }
}

void CheckHeader(const std::string& path, const Cell& header) {
  std::vector<sql::StatementText> statements;
  try {
    statements = sql::SplitStatements(header.text);
  } catch (const sql::ParseError& error) {
    Throw<UserError>("syntax error at {}:{}:{} before the first cell marker: {}", path,
                     std::max(error.location().line, 1), error.location().column, error.detail());
  }
  if (statements.empty()) return;
  Throw<UserError>("SQL before the first cell marker at {}:{}: put a '-- %%' line above it", path,
                   header.TextLine() + statements[0].location.line - 1);
}

void AddEdge(std::vector<CellGraph::Node>& nodes, size_t from, size_t to) {
  if (from == to) return;
  nodes[from].downstream.push_back(to);
  nodes[to].upstream.push_back(from);
}

void SortUnique(std::vector<size_t>& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

// Maps each name in `names_of(node)` to the one node that writes it; `what` words the error.
std::map<std::string, size_t> OneWriterEach(
    const std::string& path, const std::vector<CellGraph::Node>& nodes, std::string_view what,
    const std::function<const std::vector<std::string>&(const CellGraph::Node&)>& names_of) {
  std::map<std::string, size_t> writers;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& name : names_of(nodes[i])) {
      auto [it, added] = writers.emplace(name, i);
      if (added) continue;
      const auto& first = nodes[it->second];
      Throw<UserError>("{} by two cells in {}: '{}' (line {}) and '{}' (line {}): {}", what, path,
                       first.name, first.first_line, nodes[i].name, nodes[i].first_line, name);
    }
  }
  return writers;
}

}  // namespace

CellGraph CellGraph::Make(const Notebook& notebook) {
  CellGraph graph;
  for (size_t i = 0; i < notebook.cells.size(); ++i) {
    const Cell& cell = notebook.cells[i];
    if (cell.kind == Cell::Kind::kHeader) CheckHeader(notebook.path, cell);
    if (cell.kind != Cell::Kind::kSql) continue;
    Node& node = graph.nodes_.emplace_back();
    node.cell_index = i;
    node.name = cell.name;
    node.first_line = cell.first_line;
    node.io = AnalyzeStatements(ParseCellNamingPath(notebook.path, cell));
  }
  graph.Link(notebook.path);
  graph.Order(notebook.path);
  return graph;
}

void CellGraph::Link(const std::string& path) {
  auto creators = OneWriterEach(
      path, nodes_, "table created",
      [](const Node& node) -> const auto& { return node.io.outputs; });
  auto file_writers = OneWriterEach(
      path, nodes_, "file written",
      [](const Node& node) -> const auto& { return node.io.output_files; });
  std::map<std::string, std::vector<size_t>> inserters;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (const std::string& name : nodes_[i].io.modified) inserters[name].push_back(i);
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& node = nodes_[i];
    for (const std::string& name : node.io.inputs) {
      if (auto creator = creators.find(name); creator != creators.end()) {
        AddEdge(nodes_, creator->second, i);
      } else {
        node.external_inputs.push_back(name);
      }
      // A reader sees the rows other cells insert; cells that insert too are not ordered.
      auto rows_from = inserters.find(name);
      if (rows_from == inserters.end()) continue;
      bool inserts = std::count(rows_from->second.begin(), rows_from->second.end(), i) > 0;
      for (size_t inserter : rows_from->second) {
        if (!inserts) AddEdge(nodes_, inserter, i);
      }
    }
    for (const std::string& file : node.io.input_files) {
      if (auto writer = file_writers.find(file); writer != file_writers.end()) {
        AddEdge(nodes_, writer->second, i);
      } else {
        node.external_files.push_back(file);
      }
    }
  }
  for (Node& node : nodes_) {
    SortUnique(node.upstream);
    SortUnique(node.downstream);
  }
}

void CellGraph::Order(const std::string& path) {
  std::vector<size_t> waiting(nodes_.size());
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    waiting[i] = nodes_[i].upstream.size();
    if (waiting[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    size_t next = ready.top();
    ready.pop();
    order_.push_back(next);
    for (size_t down : nodes_[next].downstream) {
      if (--waiting[down] == 0) ready.push(down);
    }
  }
  if (order_.size() == nodes_.size()) return;
  // Every node left waits on another node left, so walking upstream from one must loop.
  size_t start = std::find_if(waiting.begin(), waiting.end(), [](size_t n) { return n > 0; }) -
                 waiting.begin();
  std::vector<size_t> walk;
  std::vector<size_t> position(nodes_.size(), SIZE_MAX);
  size_t at = start;
  while (position[at] == SIZE_MAX) {
    position[at] = walk.size();
    walk.push_back(at);
    at = *std::find_if(nodes_[at].upstream.begin(), nodes_[at].upstream.end(),
                       [&](size_t up) { return waiting[up] > 0; });
  }
  std::vector<size_t> cycle(walk.begin() + static_cast<std::ptrdiff_t>(position[at]), walk.end());
  std::reverse(cycle.begin(), cycle.end());  // Upstream walk; show the data's direction.
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  std::string names;
  for (size_t node : cycle) names += "'" + nodes_[node].name + "' -> ";
  Throw<UserError>("cells depend on each other in a cycle in {}: {}'{}'", path, names,
                   nodes_[cycle[0]].name);
}

std::optional<size_t> CellGraph::Find(std::string_view name) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].name == name) return i;
  }
  return std::nullopt;
}

std::vector<size_t> CellGraph::Downstream(size_t node) const {
  SLUICE_DCHECK(node < nodes_.size());
  std::vector<bool> reached(nodes_.size(), false);
  std::vector<size_t> stack = {node};
  while (!stack.empty()) {
    size_t at = stack.back();
    stack.pop_back();
    for (size_t down : nodes_[at].downstream) {
      if (!reached[down]) {
        reached[down] = true;
        stack.push_back(down);
      }
    }
  }
  std::vector<size_t> result;
  for (size_t at : order_) {
    if (reached[at]) result.push_back(at);
  }
  return result;
}

}  // namespace sluice::notebook
