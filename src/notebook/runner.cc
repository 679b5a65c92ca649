#include "notebook/runner.h"

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "base/error.h"
#include "base/hash.h"
#include "core/datetime.h"
#include "notebook/cell_graph.h"
#include "notebook/run_plan.h"
#include "notebook/run_record.h"
#include "store/result_store.h"

namespace sluice::notebook {
namespace fs = std::filesystem;
namespace {

// Cells run at once at most; each cell's queries use every core already.
constexpr size_t kMaxParallelCells = 4;

std::string RelativeToWorkspace(const std::string& path, const std::string& workspace) {
  fs::path absolute = fs::weakly_canonical(fs::absolute(path));
  fs::path relative = absolute.lexically_relative(fs::weakly_canonical(fs::absolute(workspace)));
  if (relative.empty() || *relative.begin() == "..") return absolute.generic_string();
  return relative.generic_string();
}

// Returns which nodes a run takes: every one, or cell `name` with everything upstream of it.
std::vector<bool> Select(const CellGraph& graph, const std::optional<std::string>& name,
                         const std::string& path) {
  std::vector<bool> selected(graph.nodes().size(), !name.has_value());
  if (!name) return selected;
  std::optional<size_t> node = graph.Find(*name);
  if (!node) {
    std::vector<std::string> names;
    for (const auto& each : graph.nodes()) names.push_back(each.name);
    Throw<UserError>("notebook {} has no SQL cell named '{}'; its cells are {}", path, *name,
                     fmt::join(names, ", "));
  }
  std::vector<size_t> pending = {*node};
  while (!pending.empty()) {
    size_t next = pending.back();
    pending.pop_back();
    if (selected[next]) continue;
    selected[next] = true;
    for (size_t up : graph.nodes()[next].upstream) pending.push_back(up);
  }
  return selected;
}

// Makes every CREATE of a cell replace what its last run made: in a pipeline a cell owns the
// names it creates (the DAG lets no other cell create them).
void MakeReplacing(std::vector<sql::StatementPtr>& statements) {
  for (auto& statement : statements) {
    switch (statement->kind) {
      case sql::StatementKind::kCreateTable:
        statement->As<sql::CreateTableStatement>().or_replace = true;
        break;
      case sql::StatementKind::kCreateView:
        statement->As<sql::CreateViewStatement>().or_replace = true;
        break;
      case sql::StatementKind::kCreateSource:
        statement->As<sql::CreateSourceStatement>().or_replace = true;
        break;
      case sql::StatementKind::kCreateSink:
        statement->As<sql::CreateSinkStatement>().or_replace = true;
        break;
      case sql::StatementKind::kCreateModel:
        statement->As<sql::CreateModelStatement>().or_replace = true;
        break;
      default:
        break;
    }
  }
}

std::string Seconds(int64_t micros) { return fmt::format("{:.2f}s", micros / 1e6); }

/// Runs the decided cells of one notebook run, several at a time.
class NotebookRun {
 public:
  NotebookRun(session::Database& database, const Notebook& notebook, const CellGraph& graph,
              std::vector<CellDecision> decisions, const RunOptions& options, RunReport& report,
              RunLog& log)
      : database_(database),
        notebook_(notebook),
        graph_(graph),
        decisions_(std::move(decisions)),
        options_(options),
        report_(report),
        log_(log),
        probe_(database),
        cells_(graph.nodes().size()) {
    for (size_t i = 0; i < cells_.size(); ++i) {
      cells_[i].name = graph.nodes()[i].name;
      cells_[i].line = graph.nodes()[i].first_line;
      cells_[i].reason = decisions_[i].reason;
    }
  }

  /// Runs every selected cell; returns their reports in notebook order.
  std::vector<CellReport> Execute();

 private:
  bool Settle();  // REQUIRES: mutex_ held. Starts or settles ready cells; false when all done.
  bool FirstRank() const { return options_.ranks == nullptr || options_.ranks->rank() == 0; }
  void Start(size_t node);
  void RunCell(size_t node, std::vector<sql::StatementPtr> statements);
  void Commit(size_t node, int64_t rows_of_last_statement);
  void Fail(size_t node, const std::vector<sql::StatementPtr>& statements, size_t failed_at,
            const std::string& message, const std::map<std::string, int64_t>& versions_before);
  void Report(size_t node);  // REQUIRES: mutex_ held.
  std::map<std::string, int64_t> LatestVersions(const CellGraph::Node& node) const;

  session::Database& database_;
  const Notebook& notebook_;
  const CellGraph& graph_;
  std::vector<CellDecision> decisions_;
  const RunOptions& options_;
  RunReport& report_;
  RunLog& log_;
  VersionProbe probe_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<CellReport> cells_;
  std::vector<CellStatus> reported_;
  size_t running_ = 0;
  std::vector<std::thread> threads_;
  // With ranks: the cell Start() chose, run by Execute() on its own thread.
  std::optional<std::pair<size_t, std::vector<sql::StatementPtr>>> next_;
};

std::vector<CellReport> NotebookRun::Execute() {
  reported_.assign(cells_.size(), CellStatus::kPending);
  {
    std::unique_lock lock(mutex_);
    while (Settle()) {
      if (next_) {
        auto [node, statements] = std::move(*next_);
        next_.reset();
        lock.unlock();
        RunCell(node, std::move(statements));
        options_.ranks->Barrier();  // rank 0's commits are visible to every rank from here
        lock.lock();
        continue;
      }
      changed_.wait_for(lock, std::chrono::milliseconds(100));
      int64_t now = core::NowMicros();
      for (size_t node = 0; node < cells_.size(); ++node) {
        if (cells_[node].status != CellStatus::kRunning) continue;
        cells_[node].elapsed_micros = now - cells_[node].started_micros;
        if (options_.on_progress) options_.on_progress(cells_[node]);
      }
    }
  }
  for (std::thread& thread : threads_) thread.join();
  std::vector<CellReport> selected;
  for (size_t node = 0; node < cells_.size(); ++node) {
    if (decisions_[node].selected) selected.push_back(cells_[node]);
  }
  return selected;
}

bool NotebookRun::Settle() {
  bool busy = false;
  for (size_t node : graph_.TopologicalOrder()) {
    Report(node);
    CellReport& cell = cells_[node];
    if (!decisions_[node].selected || cell.status != CellStatus::kPending) {
      busy = busy || cell.status == CellStatus::kRunning;
      continue;
    }
    busy = true;
    bool ready = true;
    for (size_t up : graph_.nodes()[node].upstream) {
      CellStatus status = cells_[up].status;
      if (status == CellStatus::kFailed || status == CellStatus::kNotRun) {
        cell.status = CellStatus::kNotRun;
        cell.reason = fmt::format("upstream cell {} did not succeed", cells_[up].name);
        break;
      }
      if (decisions_[up].selected && status != CellStatus::kSucceeded &&
          status != CellStatus::kSkipped) {
        ready = false;
      }
    }
    if (cell.status != CellStatus::kPending || !ready) {
      Report(node);
      continue;
    }
    if (options_.cancel != nullptr && options_.cancel->load()) {
      cell.status = CellStatus::kNotRun;
      cell.reason = "the run was cancelled";
    } else if (!decisions_[node].run) {
      cell.status = CellStatus::kSkipped;
      cell.inputs = decisions_[node].inputs;
      cell.outputs = OutputTokens(graph_.nodes()[node], probe_);
      for (const auto& [name, token] : cell.outputs) cell.rows_out += probe_.Rows(name);
    } else if (running_ < (options_.ranks != nullptr ? 1 : kMaxParallelCells)) {
      Start(node);
    }
    Report(node);
  }
  return busy;
}

void NotebookRun::Start(size_t node) {
  CellReport& cell = cells_[node];
  const CellGraph::Node& self = graph_.nodes()[node];
  CellDecision& decision = decisions_[node];
  // Upstream cells have finished: their outputs' versions are known now.
  decision.inputs = InputTokens(graph_, node, decisions_, probe_, true);
  decision.state_hash = StateHash(notebook_.cells[self.cell_index].text, decision.inputs);
  cell.inputs = decision.inputs;
  for (const std::string& name : self.io.inputs) cell.rows_in += probe_.Rows(name);
  cell.status = CellStatus::kRunning;
  cell.started_micros = core::NowMicros();
  ++running_;
  std::vector<sql::StatementPtr> statements = ParseCell(notebook_.cells[self.cell_index]);
  MakeReplacing(statements);
  if (options_.ranks != nullptr) {
    next_.emplace(node, std::move(statements));
    return;
  }
  threads_.emplace_back([this, node, statements = std::move(statements)]() mutable {
    RunCell(node, std::move(statements));
  });
}

void NotebookRun::RunCell(size_t node, std::vector<sql::StatementPtr> statements) {
  std::map<std::string, int64_t> versions_before = LatestVersions(graph_.nodes()[node]);
  session::Connection connection(database_);
  connection.set_run_id(report_.run_id);
  connection.set_cell(report_.notebook + ":" + graph_.nodes()[node].name);
  connection.set_ranks(options_.ranks);
  connection.set_select_rows_on_first_rank(true);  // rank 0 alone reports a cell's rows
  size_t at = 0;
  try {
    int64_t rows = 0;
    for (; at < statements.size(); ++at) {
      rows = static_cast<int64_t>(connection.Run(*statements[at]).num_rows());
    }
    Commit(node, rows);
  } catch (const UserError& error) {
    Fail(node, statements, at, error.what(), versions_before);
  } catch (const std::exception& error) {
    Fail(node, statements, at, fmt::format("internal error: {}", error.what()), versions_before);
  }
}

std::map<std::string, int64_t> NotebookRun::LatestVersions(const CellGraph::Node& node) const {
  std::map<std::string, int64_t> versions;
  store::ResultStore* store = database_.store();
  for (const auto* names : {&node.io.outputs, &node.io.modified}) {
    for (const std::string& name : *names) {
      std::vector<int64_t> list = store->catalog().Versions(name);
      versions[name] = list.empty() ? 0 : list.back();
    }
  }
  return versions;
}

void NotebookRun::Commit(size_t node, int64_t rows_of_last_statement) {
  const CellGraph::Node& self = graph_.nodes()[node];
  std::map<std::string, std::string> outputs = OutputTokens(self, probe_);
  int64_t rows_out = self.io.outputs.empty() ? rows_of_last_statement : 0;
  for (const std::string& name : self.io.outputs) rows_out += probe_.Rows(name);
  std::lock_guard lock(mutex_);
  CellReport& cell = cells_[node];
  catalog::CellState state;
  state.notebook = report_.notebook;
  state.cell = cell.name;
  state.state_hash = decisions_[node].state_hash;
  state.inputs_json = TokensToJson(cell.inputs);
  state.outputs_json = TokensToJson(outputs);
  state.run_id = report_.run_id;
  if (FirstRank()) database_.store()->catalog().PutCellState(state);
  cell.outputs = std::move(outputs);
  cell.rows_out = rows_out;
  cell.elapsed_micros = core::NowMicros() - cell.started_micros;
  cell.status = CellStatus::kSucceeded;
  --running_;
  changed_.notify_all();
}

void NotebookRun::Fail(size_t node, const std::vector<sql::StatementPtr>& statements,
                       size_t failed_at, const std::string& message,
                       const std::map<std::string, int64_t>& versions_before) {
  // What the cell's earlier statements committed goes too: a cell commits all or nothing.
  store::ResultStore* store = database_.store();
  for (const auto& [name, before] : FirstRank() ? versions_before : decltype(versions_before){}) {
    for (int64_t version : store->catalog().Versions(name)) {
      if (version > before) store->Retract(name, version);
    }
  }
  int line = failed_at < statements.size() ? statements[failed_at]->location.line
                                           : graph_.nodes()[node].first_line;
  std::lock_guard lock(mutex_);
  CellReport& cell = cells_[node];
  cell.error = fmt::format("{}:{}: cell '{}' failed: {}", notebook_.path, line, cell.name, message);
  cell.elapsed_micros = core::NowMicros() - cell.started_micros;
  cell.status = CellStatus::kFailed;
  --running_;
  changed_.notify_all();
}

void NotebookRun::Report(size_t node) {
  CellReport& cell = cells_[node];
  if (reported_[node] == cell.status) return;
  reported_[node] = cell.status;
  switch (cell.status) {
    case CellStatus::kRunning:
      log_.Write(fmt::format("cell {} running: {}", cell.name, cell.reason));
      break;
    case CellStatus::kSucceeded:
      log_.Write(fmt::format("cell {} succeeded: {} rows in, {} rows out, {}", cell.name,
                             cell.rows_in, cell.rows_out, Seconds(cell.elapsed_micros)));
      break;
    case CellStatus::kFailed:
      log_.Write(cell.error);
      break;
    default:
      log_.Write(
          fmt::format("cell {} {}: {}", cell.name, CellStatusName(cell.status), cell.reason));
      break;
  }
  if (options_.on_progress) options_.on_progress(cell);
}

// Returns the decisions of a dry run as the reports of the selected cells.
std::vector<CellReport> PlannedCells(const CellGraph& graph,
                                     const std::vector<CellDecision>& decisions) {
  std::vector<CellReport> cells;
  for (size_t node = 0; node < decisions.size(); ++node) {
    if (!decisions[node].selected) continue;
    CellReport cell;
    cell.name = graph.nodes()[node].name;
    cell.line = graph.nodes()[node].first_line;
    cell.status = decisions[node].run ? CellStatus::kPending : CellStatus::kSkipped;
    cell.reason = decisions[node].reason;
    cell.inputs = decisions[node].inputs;
    cells.push_back(std::move(cell));
  }
  return cells;
}

std::string RunStatus(const std::vector<CellReport>& cells) {
  bool cancelled = false;
  for (const CellReport& cell : cells) {
    if (cell.status == CellStatus::kFailed) return "failed";
    if (cell.status == CellStatus::kNotRun) cancelled = true;
  }
  return cancelled ? "cancelled" : "succeeded";
}

std::string LogPath(const std::string& state_dir, const std::string& notebook, int64_t run_id) {
  return fmt::format("{}/logs/{}-{}.log", state_dir, fs::path(notebook).stem().string(), run_id);
}

}  // namespace

const char* CellStatusName(CellStatus status) {
  switch (status) {
    case CellStatus::kPending:
      return "pending";
    case CellStatus::kRunning:
      return "running";
    case CellStatus::kSucceeded:
      return "succeeded";
    case CellStatus::kSkipped:
      return "skipped";
    case CellStatus::kFailed:
      return "failed";
    case CellStatus::kNotRun:
      return "not run";
  }
  return "unknown";
}

RunReport RunNotebook(session::Database& database, const std::string& path,
                      const RunOptions& options) {
  store::ResultStore* store = database.store();
  if (store == nullptr) Throw<UserError>("running a notebook needs a workspace (sluice init)");
  Notebook notebook = ReadNotebookFile(path);
  CellGraph graph = CellGraph::Make(notebook);
  RunReport report;
  report.notebook = RelativeToWorkspace(path, store->workspace());
  report.trigger = options.trigger;
  report.started_micros = core::NowMicros();
  std::map<std::string, catalog::CellState> states;
  for (catalog::CellState& state : store->catalog().CellStates(report.notebook)) {
    states[state.cell] = std::move(state);
  }
  std::vector<CellDecision> decisions = PlanRun(notebook, graph, Select(graph, options.cell, path),
                                                states, VersionProbe(database), options.force);
  if (options.dry_run) {
    report.status = "planned";
    report.cells = PlannedCells(graph, decisions);
    return report;
  }
  catalog::RunRecord record;
  record.notebook = report.notebook;
  record.notebook_hash = fmt::format("{:016x}", HashString(WriteNotebook(notebook)));
  record.started_micros = report.started_micros;
  bool first_rank = options.ranks == nullptr || options.ranks->rank() == 0;
  if (options.ranks != nullptr) options.ranks->Barrier();  // every rank planned from one state
  std::optional<RunLiveness> liveness;
  if (first_rank) {
    CloseAbandonedRuns(*store);
    liveness.emplace(store->state_dir());
    record.details_json = RunDetailsJson(report, liveness->file_name());
    report.run_id = record.id = store->catalog().StartRun(record);
  }
  if (options.ranks != nullptr) {
    std::string id = std::to_string(report.run_id);
    options.ranks->Broadcast(id, 0);
    report.run_id = record.id = std::stoll(id);
  }
  report.log_path = LogPath(store->state_dir(), report.notebook, report.run_id);
  RunLog log(first_rank ? report.log_path : "");
  log.Write(
      fmt::format("run {} of {} started ({})", report.run_id, report.notebook, report.trigger));
  report.cells =
      NotebookRun(database, notebook, graph, std::move(decisions), options, report, log).Execute();
  report.status = RunStatus(report.cells);
  report.elapsed_micros = core::NowMicros() - report.started_micros;
  record.status = report.status;
  for (const CellReport& cell : report.cells) {
    if (cell.status == CellStatus::kFailed && record.error.empty()) record.error = cell.error;
  }
  if (first_rank) {
    record.details_json = RunDetailsJson(report, liveness->file_name());
    store->catalog().FinishRun(record);
    liveness->Finished();
  }
  log.Write(
      fmt::format("run {} {} in {}", report.run_id, report.status, Seconds(report.elapsed_micros)));
  return report;
}

}  // namespace sluice::notebook
