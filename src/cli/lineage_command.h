#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "catalog/catalog_db.h"

namespace sluice::cli {

/// Says which way a lineage walk goes from its dataset.
enum class LineageDirection { kBoth, kUpstream, kDownstream };

/// Is one column of a dataset's version with the edges from the columns it was made from.
struct LineageColumn {
  std::string column;
  std::vector<catalog::LineageEdge> origins;
};

/// Is a dataset in a lineage tree: the version whose edges were followed, its columns' origins,
/// what it was made from (upstream) and what was made from it (downstream).
struct LineageNode {
  std::string dataset;
  std::string kind;       // "result" or "source" as the catalog knows it, else "file"
  int64_t version = 0;    // the version shown (results), 0 when the dataset has none
  bool repeated = false;  // shown already elsewhere in the tree, so not walked again
  std::vector<LineageColumn> columns;
  std::vector<LineageNode> upstream;
  std::vector<LineageNode> downstream;
};

/// Returns the lineage tree around dataset `name` from the catalog's edges, walked transitively
/// in `direction`: upstream from a version to the versions of its inputs it read, downstream to
/// the latest versions of the datasets whose latest versions read it. Starts at `name`'s latest
/// version. Throws UserError naming `name` (and the nearest known name) when neither the catalog
/// nor any edge knows it.
LineageNode WalkLineage(catalog::CatalogDb& catalog, const std::string& name,
                        LineageDirection direction);

/// Returns `root` as an indented tree, a dataset a line (`◄` made from, `►` made into); with
/// `columns` each dataset's columns follow it as `column ◄ dataset.column, …`.
std::string LineageText(const LineageNode& root, bool columns);

/// Returns `root` as one JSON object: dataset, kind, version, repeated, upstream and downstream
/// (nested objects), and with `columns` the columns with their origins.
std::string LineageJson(const LineageNode& root, bool columns);

/// Adds `lineage NAME [--upstream|--downstream] [--columns] [--format text|json]` to the
/// `sluice catalog` command `catalog`.
void AddLineageCommand(CLI::App& catalog);

}  // namespace sluice::cli
