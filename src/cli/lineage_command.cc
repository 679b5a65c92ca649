#include "cli/lineage_command.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "base/error.h"
#include "base/json_text.h"
#include "cli/workspace_options.h"
#include "planner/scope.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::cli {
namespace {

// Is every lineage edge of a catalog with the datasets it knows, walked into a tree. Each
// (dataset, version, direction) is walked once; a second meeting is marked `repeated`.
class LineageGraph {
 public:
  explicit LineageGraph(catalog::CatalogDb& catalog) : edges_(catalog.Lineage()) {
    for (catalog::DatasetRecord& dataset : catalog.Datasets()) {
      std::string name = dataset.name;
      datasets_.emplace(std::move(name), std::move(dataset));
    }
  }

  // Returns every dataset name the catalog or an edge has.
  std::set<std::string> Names() const {
    std::set<std::string> names;
    for (const auto& [name, dataset] : datasets_) names.insert(name);
    for (const auto& edge : edges_) names.insert({edge.from_dataset, edge.to_dataset});
    return names;
  }

  // Returns the node of `dataset` at `version` (0: its latest), not yet walked.
  LineageNode Node(const std::string& dataset, int64_t version) const;
  void WalkUpstream(LineageNode& node);
  void WalkDownstream(LineageNode& node);

 private:
  int64_t LatestVersion(const std::string& dataset) const;
  bool FirstVisit(LineageNode& node, int direction) {
    node.repeated = !walked_.insert({node.dataset, node.version, direction}).second;
    return !node.repeated;
  }

  std::vector<catalog::LineageEdge> edges_;
  std::map<std::string, catalog::DatasetRecord> datasets_;
  std::set<std::tuple<std::string, int64_t, int>> walked_;
};

// A result's latest version is the catalog's; a dataset it does not know has edges only.
int64_t LineageGraph::LatestVersion(const std::string& dataset) const {
  auto found = datasets_.find(dataset);
  if (found != datasets_.end()) return found->second.kind == "result" ? found->second.version : 0;
  int64_t latest = 0;
  for (const auto& edge : edges_) {
    if (edge.to_dataset == dataset) latest = std::max(latest, edge.to_version);
  }
  return latest;
}

LineageNode LineageGraph::Node(const std::string& dataset, int64_t version) const {
  LineageNode node;
  node.dataset = dataset;
  auto found = datasets_.find(dataset);
  node.kind = found != datasets_.end() ? found->second.kind : "file";
  node.version = version != 0 ? version : LatestVersion(dataset);
  for (const auto& edge : edges_) {
    if (edge.to_dataset != dataset || edge.to_version != node.version || edge.from_column.empty())
      continue;
    if (node.columns.empty() || node.columns.back().column != edge.to_column) {
      node.columns.push_back({edge.to_column, {}});
    }
    node.columns.back().origins.push_back(edge);  // edges come sorted by column
  }
  return node;
}

void LineageGraph::WalkUpstream(LineageNode& node) {
  if (!FirstVisit(node, 0)) return;
  std::map<std::string, int64_t> inputs;  // dataset → the version of it this version read
  for (const auto& edge : edges_) {
    if (edge.to_dataset != node.dataset || edge.to_version != node.version) continue;
    int64_t& version = inputs[edge.from_dataset];
    version = std::max(version, edge.from_version);
  }
  for (const auto& [dataset, version] : inputs) {
    node.upstream.push_back(Node(dataset, version));
    WalkUpstream(node.upstream.back());
  }
}

void LineageGraph::WalkDownstream(LineageNode& node) {
  if (!FirstVisit(node, 1)) return;
  std::set<std::string> outputs;  // datasets whose latest version read this one
  for (const auto& edge : edges_) {
    if (edge.from_dataset == node.dataset && edge.to_dataset != node.dataset &&
        edge.to_version == LatestVersion(edge.to_dataset)) {
      outputs.insert(edge.to_dataset);
    }
  }
  for (const std::string& dataset : outputs) {
    node.downstream.push_back(Node(dataset, 0));
    WalkDownstream(node.downstream.back());
  }
}

std::string Label(const LineageNode& node) {
  std::string label = node.dataset + " (" + node.kind;
  if (node.version != 0) label += fmt::format(", version {}", node.version);
  return label + (node.repeated ? ", shown above)" : ")");
}

std::string Origin(const catalog::LineageEdge& edge) {
  return edge.from_dataset + "." + edge.from_column;
}

void AppendText(const LineageNode& node, const std::string& arrow, size_t depth, bool columns,
                std::string& out) {
  std::string indent(2 * depth, ' ');
  out += indent + arrow + Label(node) + "\n";
  if (node.repeated) return;
  for (size_t i = 0; columns && i < node.columns.size(); ++i) {
    std::vector<std::string> origins;
    for (const auto& edge : node.columns[i].origins) origins.push_back(Origin(edge));
    out += fmt::format("{}  {} ◄ {}\n", indent, node.columns[i].column, fmt::join(origins, ", "));
  }
  for (const LineageNode& input : node.upstream) AppendText(input, "◄ ", depth + 1, columns, out);
  for (const LineageNode& output : node.downstream) {
    AppendText(output, "► ", depth + 1, columns, out);
  }
}

std::string ColumnsJson(const LineageNode& node) {
  std::vector<std::string> columns;
  for (const LineageColumn& column : node.columns) {
    std::vector<std::string> origins;
    for (const auto& edge : column.origins) {
      origins.push_back(fmt::format(R"({{"dataset":{},"column":{},"version":{}}})",
                                    JsonString(edge.from_dataset), JsonString(edge.from_column),
                                    edge.from_version));
    }
    columns.push_back(fmt::format(R"({{"column":{},"from":[{}]}})", JsonString(column.column),
                                  fmt::join(origins, ",")));
  }
  return fmt::format("[{}]", fmt::join(columns, ","));
}

std::unique_ptr<session::Database> OpenWorkspace(const WorkspaceOptions& options) {
  auto database = OpenDatabase(options);
  if (database->store() == nullptr) {
    Throw<UserError>(
        "the catalog lives in a workspace, and there is none here: run `sluice init` or pass "
        "--workspace DIR");
  }
  return database;
}

struct LineageOptions {
  WorkspaceOptions workspace;
  std::string name;
  bool upstream = false;
  bool downstream = false;
  bool columns = false;
  std::string format = "text";
};

void RunLineage(const LineageOptions& options) {
  auto database = OpenWorkspace(options.workspace);
  LineageDirection direction = options.upstream     ? LineageDirection::kUpstream
                               : options.downstream ? LineageDirection::kDownstream
                                                    : LineageDirection::kBoth;
  LineageNode root = WalkLineage(database->store()->catalog(), options.name, direction);
  std::cout << (options.format == "json" ? LineageJson(root, options.columns) + "\n"
                                         : LineageText(root, options.columns));
}

}  // namespace

LineageNode WalkLineage(catalog::CatalogDb& catalog, const std::string& name,
                        LineageDirection direction) {
  LineageGraph graph(catalog);
  std::set<std::string> names = graph.Names();
  if (!names.contains(name)) {
    auto suggestion = planner::ClosestName(name, {names.begin(), names.end()});
    Throw<UserError>("dataset \"{}\" is not in the catalog and no lineage names it{}", name,
                     suggestion ? "; did you mean \"" + *suggestion + "\"?" : "");
  }
  LineageNode root = graph.Node(name, 0);
  if (direction != LineageDirection::kDownstream) graph.WalkUpstream(root);
  if (direction != LineageDirection::kUpstream) graph.WalkDownstream(root);
  return root;
}

std::string LineageText(const LineageNode& root, bool columns) {
  std::string text;
  AppendText(root, "", 0, columns, text);
  return text;
}

std::string LineageJson(const LineageNode& root, bool columns) {
  auto nodes = [&](const std::vector<LineageNode>& list) {
    std::vector<std::string> items;
    for (const LineageNode& node : list) items.push_back(LineageJson(node, columns));
    return fmt::format("[{}]", fmt::join(items, ","));
  };
  std::string json = fmt::format(R"({{"dataset":{},"kind":{},"version":{},"repeated":{})",
                                 JsonString(root.dataset), JsonString(root.kind), root.version,
                                 root.repeated ? "true" : "false");
  if (columns) json += R"(,"columns":)" + ColumnsJson(root);
  return json + R"(,"upstream":)" + nodes(root.upstream) + R"(,"downstream":)" +
         nodes(root.downstream) + "}";
}

void AddLineageCommand(CLI::App& catalog) {
  auto options = std::make_shared<LineageOptions>();
  CLI::App* command = catalog.add_subcommand(
      "lineage",
      "Show what a dataset was made from and what was made from it, transitively, as recorded "
      "when results were committed (the latest version of each result)");
  command->add_option("name", options->name, "Dataset name (a file read by path: the path)")
      ->required();
  auto* upstream = command->add_flag("--upstream", options->upstream, "Only what it was made from");
  command->add_flag("--downstream", options->downstream, "Only what was made from it")
      ->excludes(upstream);
  command->add_flag("--columns", options->columns, "Also each column with its origin columns");
  command->add_option("--format", options->format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->add_option("--workspace", options->workspace.workspace,
                      "Workspace folder whose catalog to use (default: the nearest folder upward "
                      "with .sluice/ or sluice.yaml)");
  command->callback([options] { RunLineage(*options); });
}

}  // namespace sluice::cli
