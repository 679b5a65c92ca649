#include "notebook/run_plan.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "base/error.h"
#include "base/hash.h"
#include "catalog/discovery.h"
#include "store/result_store.h"

namespace sluice::notebook {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Returns the upstream node of `node` that creates or inserts into table `name` (or writes
// file `name` when `file`), or nullopt when it comes from outside the notebook.
std::optional<size_t> Producer(const CellGraph& graph, size_t node, const std::string& name,
                               bool file) {
  for (size_t up : graph.nodes()[node].upstream) {
    const CellIo& io = graph.nodes()[up].io;
    if (file ? Contains(io.output_files, name)
             : Contains(io.outputs, name) || Contains(io.modified, name)) {
      return up;
    }
  }
  return std::nullopt;
}

// Returns why a cell whose recorded inputs were `before` and are now `now` runs again.
std::string ChangeReason(const std::map<std::string, std::string>& before,
                         const std::map<std::string, std::string>& now) {
  if (before == now) return "its text changed";
  for (const auto& [name, token] : now) {
    auto old = before.find(name);
    if (old == before.end()) return fmt::format("it reads {} now", name);
    if (old->second != token) {
      return token == kChangingToken ? fmt::format("{} gets a new version in this run", name)
                                     : fmt::format("{} changed", name);
    }
  }
  return fmt::format("it no longer reads {}", before.begin()->first);
}

// Returns a persisted output of `node` that is not there (a dropped result, a deleted file).
std::optional<std::string> MissingOutput(const CellGraph::Node& node, const VersionProbe& probe) {
  for (const auto& [name, token] : OutputTokens(node, probe)) {
    if (token.empty()) return name;
  }
  return std::nullopt;
}

}  // namespace

std::string VersionProbe::TableToken(const std::string& name) const {
  if (store::ResultStore* store = database_.store()) {
    std::vector<int64_t> versions = store->catalog().Versions(name);
    if (!versions.empty()) return fmt::format("v{}", versions.back());
    std::string model;
    for (const catalog::ModelRecord& record : store->catalog().Models()) {
      if (record.name == name) model = fmt::format("m{}", record.version);
    }
    if (!model.empty()) return model;
  }
  std::optional<session::SourceRecord> source = database_.sources().Find(name);
  if (!source) return "";
  if (source->sink) return "sink";
  if (source->table.empty()) return FileToken(source->location);
  try {
    for (const auto& dataset : catalog::Discover({source->location}).datasets) {
      if (dataset.table == source->table) return dataset.fingerprint;
    }
  } catch (const UserError&) {  // also IoError: an unreachable server
  }
  return "";
}

std::string VersionProbe::FileToken(const std::string& path) const {
  try {
    std::string token;
    for (const auto& dataset : catalog::Discover({path}).datasets) token += dataset.fingerprint;
    return token;
  } catch (const UserError&) {
    return "";  // no such file
  }
}

int64_t VersionProbe::Rows(const std::string& name) const {
  if (store::ResultStore* store = database_.store()) {
    if (auto dataset = store->catalog().FindDataset(name)) return dataset->rows;
  }
  if (database_.IsTemporaryTable(name)) {
    auto table = database_.FindTable(name);
    if (table != nullptr && table->batches != nullptr) {
      int64_t rows = 0;
      for (const core::Batch& batch : *table->batches) rows += batch.num_rows();
      return rows;
    }
  }
  return 0;
}

std::string StateHash(const std::string& text, const std::map<std::string, std::string>& inputs) {
  uint64_t hash = HashString(text);
  for (const auto& [name, token] : inputs) {
    hash = CombineHashes(hash, CombineHashes(HashString(name), HashString(token)));
  }
  return fmt::format("{:016x}", hash);
}

std::map<std::string, std::string> InputTokens(const CellGraph& graph, size_t node,
                                               const std::vector<CellDecision>& decisions,
                                               const VersionProbe& probe, bool upstream_done) {
  const CellGraph::Node& self = graph.nodes()[node];
  std::map<std::string, std::string> tokens;
  for (const std::string& name : self.io.inputs) {
    std::optional<size_t> producer = Producer(graph, node, name, false);
    if (producer && Contains(graph.nodes()[*producer].io.temporary, name)) {
      tokens[name] = "cell:" + decisions[*producer].state_hash;
    } else if (producer && decisions[*producer].run && !upstream_done) {
      tokens[name] = kChangingToken;
    } else {
      tokens[name] = probe.TableToken(name);
    }
  }
  for (const std::string& file : self.io.input_files) {
    std::optional<size_t> producer = Producer(graph, node, file, true);
    bool changing = producer && decisions[*producer].run && !upstream_done;
    tokens[file] = changing ? kChangingToken : probe.FileToken(file);
  }
  return tokens;
}

std::map<std::string, std::string> OutputTokens(const CellGraph::Node& node,
                                                const VersionProbe& probe) {
  std::map<std::string, std::string> tokens;
  for (const std::string& name : node.io.outputs) {
    if (!Contains(node.io.temporary, name)) tokens[name] = probe.TableToken(name);
  }
  for (const std::string& name : node.io.modified) tokens[name] = probe.TableToken(name);
  for (const std::string& file : node.io.output_files) tokens[file] = probe.FileToken(file);
  return tokens;
}

std::string TokensToJson(const std::map<std::string, std::string>& tokens) {
  boost::json::object object;
  for (const auto& [name, token] : tokens) object[name] = token;
  return boost::json::serialize(object);
}

std::map<std::string, std::string> TokensFromJson(const std::string& json) {
  std::map<std::string, std::string> tokens;
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(json, error);
  if (error || !value.is_object()) return tokens;
  for (const auto& [name, token] : value.as_object()) {
    if (token.is_string()) tokens[std::string(name)] = std::string(token.as_string());
  }
  return tokens;
}

namespace {

// Decides node `node` given the decisions of the nodes before it in topological order.
void Decide(const Notebook& notebook, const CellGraph& graph, size_t node,
            const std::map<std::string, catalog::CellState>& states, const VersionProbe& probe,
            bool force, std::vector<CellDecision>& decisions) {
  const CellGraph::Node& self = graph.nodes()[node];
  CellDecision& decision = decisions[node];
  decision.inputs = InputTokens(graph, node, decisions, probe, false);
  decision.state_hash = StateHash(notebook.cells[self.cell_index].text, decision.inputs);
  auto state = states.find(self.name);
  decision.run = true;
  if (force) {
    decision.reason = "--force";
  } else if (state == states.end()) {
    decision.reason = "no successful run yet";
  } else if (state->second.state_hash != decision.state_hash) {
    decision.reason = ChangeReason(TokensFromJson(state->second.inputs_json), decision.inputs);
  } else if (std::optional<std::string> missing = MissingOutput(self, probe)) {
    decision.reason = fmt::format("its output {} is missing", *missing);
  } else {
    decision.run = false;
    decision.reason = "current";
  }
}

// Marks the cells making a TEMP table or view that a running cell reads as running too (such
// outputs live only in the process that made them); returns true when it marked one.
bool MarkTemporaryProducers(const CellGraph& graph, std::vector<CellDecision>& decisions) {
  bool marked = false;
  for (size_t node = 0; node < graph.nodes().size(); ++node) {
    if (!decisions[node].run) continue;
    for (const std::string& name : graph.nodes()[node].io.inputs) {
      std::optional<size_t> producer = Producer(graph, node, name, false);
      if (!producer || decisions[*producer].run) continue;
      if (!Contains(graph.nodes()[*producer].io.temporary, name)) continue;
      decisions[*producer].run = true;
      decisions[*producer].reason = fmt::format("cell {} reads its {}, which only lives in memory",
                                                graph.nodes()[node].name, name);
      marked = true;
    }
  }
  return marked;
}

}  // namespace

std::vector<CellDecision> PlanRun(const Notebook& notebook, const CellGraph& graph,
                                  const std::vector<bool>& selected,
                                  const std::map<std::string, catalog::CellState>& states,
                                  const VersionProbe& probe, bool force) {
  std::vector<CellDecision> decisions(graph.nodes().size());
  std::vector<bool> needed(graph.nodes().size(), false);
  // Running a cell for its TEMP outputs changes its persisted outputs too: decide again until
  // nothing more runs.
  for (;;) {
    for (size_t node : graph.TopologicalOrder()) {
      decisions[node].selected = selected[node];
      if (!selected[node]) continue;
      std::string needed_reason = decisions[node].reason;
      Decide(notebook, graph, node, states, probe, force, decisions);
      if (!decisions[node].run && needed[node]) {
        decisions[node].run = true;
        decisions[node].reason = needed_reason;
      }
    }
    std::vector<bool> before(decisions.size());
    for (size_t i = 0; i < decisions.size(); ++i) before[i] = decisions[i].run;
    if (!MarkTemporaryProducers(graph, decisions)) return decisions;
    for (size_t i = 0; i < decisions.size(); ++i) {
      if (decisions[i].run && !before[i]) needed[i] = true;
    }
  }
}

}  // namespace sluice::notebook
