#pragma once

// What an incremental run decides before it starts: for each cell, whether it runs and why.
// A cell is current when its text and the versions of its inputs are those of its last
// successful run (its recorded state hash); it then is skipped. Outputs kept only in memory
// (TEMP tables, views) are not there in a new process, so a cell producing one runs again
// when a cell reading it runs.

#include <map>
#include <string>
#include <vector>

#include "catalog/dataset_record.h"
#include "notebook/cell_graph.h"
#include "session/database.h"

namespace sluice::notebook {

/// Finds version tokens: text that changes when the data behind a name or a file changes.
class VersionProbe {
 public:
  explicit VersionProbe(session::Database& database) : database_(database) {}

  /// Returns the token of table `name`: "v<n>" for a stored result at version n, "m<n>" for a
  /// model at version n, the files' fingerprint for a source, "" when it is none of these (a
  /// temporary table, or missing).
  std::string TableToken(const std::string& name) const;
  /// Returns the fingerprint (sizes and modification times) of the files at `path` (a file,
  /// folder or glob), or "" when there are none.
  std::string FileToken(const std::string& path) const;
  /// Returns the rows of table `name` as the catalog or the temporary table knows them, or 0.
  int64_t Rows(const std::string& name) const;

 private:
  session::Database& database_;
};

/// Is a token standing for "a new version, made by a cell of this run".
inline constexpr char kChangingToken[] = "(changing)";

/// Is the decision for one cell.
struct CellDecision {
  bool selected = false;  // in the run at all (--cell selects a cell and its upstream)
  bool run = false;
  std::string reason;                         // why it runs, or "current"
  std::map<std::string, std::string> inputs;  // input name or file -> token
  std::string state_hash;                     // of the text and `inputs`
};

/// Returns the state hash of a cell with SQL `text` and input tokens `inputs`.
std::string StateHash(const std::string& text, const std::map<std::string, std::string>& inputs);

/// Returns the tokens of `node`'s inputs: tables and files from `probe`, except a TEMP table
/// or view of an upstream cell (that cell's state hash) and, unless `upstream_done`, a
/// persisted output of an upstream cell that runs (kChangingToken).
std::map<std::string, std::string> InputTokens(const CellGraph& graph, size_t node,
                                               const std::vector<CellDecision>& decisions,
                                               const VersionProbe& probe, bool upstream_done);

/// Returns the tokens of `node`'s persisted outputs (tables and files) as they are now.
std::map<std::string, std::string> OutputTokens(const CellGraph::Node& node,
                                                const VersionProbe& probe);

/// Returns `tokens` as a JSON object, and back (an empty map for text that is not one).
std::string TokensToJson(const std::map<std::string, std::string>& tokens);
std::map<std::string, std::string> TokensFromJson(const std::string& json);

/// Decides, for each node of `graph` (by node index), whether it runs. `selected[i]` says
/// which nodes are in the run; `states` holds the recorded state of each cell by name;
/// `force` runs every selected cell.
std::vector<CellDecision> PlanRun(const Notebook& notebook, const CellGraph& graph,
                                  const std::vector<bool>& selected,
                                  const std::map<std::string, catalog::CellState>& states,
                                  const VersionProbe& probe, bool force);

}  // namespace sluice::notebook
