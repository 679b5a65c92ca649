#pragma once

// The dependency graph of a notebook's SQL cells: an edge from the cell that creates a table
// (or writes a file) to every cell that reads it. This is what a run of some cells, or a re-run
// of what a changed cell affects, is ordered by.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notebook/cell_io.h"
#include "notebook/notebook.h"

namespace sluice::notebook {

/// Is the DAG of a notebook's SQL cells. Nodes are numbered in notebook order. Immutable once
/// made; safe to read from several threads.
class CellGraph {
 public:
  /// Is one SQL cell in the graph.
  struct Node {
    size_t cell_index = 0;  // Into Notebook::cells.
    std::string name;
    int first_line = 0;  // The cell's marker line in the notebook file.
    CellIo io;
    std::vector<std::string> external_inputs;  // Inputs no cell creates: sources, stored results.
    std::vector<std::string> external_files;   // Input files no cell writes.
    std::vector<size_t> upstream;              // Nodes this one reads from, ascending.
    std::vector<size_t> downstream;            // Nodes reading from this one, ascending.
  };

  /// Parses every SQL cell of `notebook` and links them. Throws UserError for a SQL error
  /// (naming the notebook path, the cell and the notebook line), for statements before the
  /// first cell marker, for a table or file written by two cells, and for a cycle.
  static CellGraph Make(const Notebook& notebook);

  const std::vector<Node>& nodes() const { return nodes_; }
  /// Returns the node of the cell named `name`, or nullopt.
  std::optional<size_t> Find(std::string_view name) const;
  /// Returns every node once, each after all nodes upstream of it; ties go in notebook order.
  const std::vector<size_t>& TopologicalOrder() const { return order_; }
  /// Returns the nodes reachable from `node` (not `node` itself), in topological order.
  /// REQUIRES: node < nodes().size().
  std::vector<size_t> Downstream(size_t node) const;

 private:
  CellGraph() = default;
  void Link(const std::string& path);
  void Order(const std::string& path);

  std::vector<Node> nodes_;
  std::vector<size_t> order_;
};

}  // namespace sluice::notebook
