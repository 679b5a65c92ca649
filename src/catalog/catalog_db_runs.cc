// CatalogDb: lineage edges, expectation results, runs, notebook cell states and models.

#include <algorithm>
#include <tuple>

#include "base/error.h"
#include "catalog/catalog_db.h"
#include "catalog/catalog_transaction.h"
#include "core/datetime.h"

namespace sluice::catalog {
namespace {

RunRecord ReadRun(const MetaRow& row) {
  return {row.Int(0), row.Text(1), row.Text(2), row.Text(3),
          row.Int(4), row.Int(5),  row.Text(6), row.Text(7)};
}

}  // namespace

void CatalogDb::AddLineage(const std::vector<LineageEdge>& edges) {
  Transaction transaction(*this, true);
  for (const LineageEdge& edge : edges) InsertLineage(edge);
  transaction.Commit();
}

void CatalogDb::InsertLineage(const LineageEdge& edge) {
  db_->Execute(
      "INSERT INTO lineage (from_dataset, from_column, to_dataset, to_column, to_version, "
      "run_id, from_version) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (to_dataset, to_column, "
      "to_version, from_dataset, from_column) DO UPDATE SET run_id = excluded.run_id, "
      "from_version = excluded.from_version",
      {edge.from_dataset, edge.from_column, edge.to_dataset, edge.to_column, edge.to_version,
       edge.run_id, edge.from_version});
}

void CatalogDb::InsertProvenance(const VersionInfo& info, const VersionProvenance& provenance) {
  for (LineageEdge edge : provenance.lineage) {
    edge.to_dataset = info.result;
    edge.to_version = info.version;
    InsertLineage(edge);
  }
  for (const ExpectationResult& result : provenance.expectations) {
    db_->Execute(
        "INSERT INTO expectations (dataset, version, name, expression, action, rows_checked, "
        "violations) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {info.result, info.version, result.name, result.expression, result.action,
         result.rows_checked, result.violations});
  }
}

std::vector<ExpectationResult> CatalogDb::Expectations(std::string_view name, int64_t version) {
  std::lock_guard lock(mutex_);
  std::string sql =
      "SELECT name, expression, action, rows_checked, violations, dataset, version FROM "
      "expectations WHERE dataset = ?";
  std::vector<MetaRow> rows =
      version == 0 ? db_->Query(sql + " ORDER BY version, name", {name})
                   : db_->Query(sql + " AND version = ? ORDER BY name", {name, version});
  std::vector<ExpectationResult> results;
  for (const MetaRow& row : rows) {
    results.push_back(
        {row.Text(0), row.Text(1), row.Text(2), row.Int(3), row.Int(4), row.Text(5), row.Int(6)});
  }
  return results;
}

void CatalogDb::PutCellState(const CellState& state) {
  std::lock_guard lock(mutex_);
  db_->Execute(
      "INSERT INTO cell_states (notebook, cell, state_hash, inputs_json, outputs_json, run_id, "
      "finished_micros) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (notebook, cell) DO UPDATE SET "
      "state_hash = excluded.state_hash, inputs_json = excluded.inputs_json, "
      "outputs_json = excluded.outputs_json, run_id = excluded.run_id, "
      "finished_micros = excluded.finished_micros",
      {state.notebook, state.cell, state.state_hash, state.inputs_json, state.outputs_json,
       state.run_id, state.finished_micros != 0 ? state.finished_micros : core::NowMicros()});
}

std::vector<CellState> CatalogDb::CellStates(std::string_view notebook) {
  std::lock_guard lock(mutex_);
  std::vector<CellState> states;
  for (const MetaRow& row :
       db_->Query("SELECT notebook, cell, state_hash, inputs_json, outputs_json, run_id, "
                  "finished_micros FROM cell_states WHERE notebook = ? ORDER BY cell",
                  {notebook})) {
    states.push_back(
        {row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Int(5), row.Int(6)});
  }
  return states;
}

std::vector<LineageEdge> CatalogDb::Lineage(std::string_view name) {
  std::lock_guard lock(mutex_);
  constexpr const char* kSelect =
      "SELECT from_dataset, from_column, to_dataset, to_column, to_version, run_id, "
      "from_version FROM lineage";
  std::vector<MetaRow> rows =
      name.empty() ? db_->Query(kSelect)
                   : db_->Query(std::string(kSelect) + " WHERE from_dataset = ? OR to_dataset = ?",
                                {name, name});
  std::vector<LineageEdge> edges;
  for (const MetaRow& row : rows) {
    edges.push_back(
        {row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Int(4), row.Int(5), row.Int(6)});
  }
  auto key = [](const LineageEdge& edge) {
    return std::tie(edge.to_dataset, edge.to_version, edge.to_column, edge.from_dataset,
                    edge.from_column);
  };
  std::sort(edges.begin(), edges.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
  return edges;
}

int64_t CatalogDb::StartRun(const RunRecord& run) {
  Transaction transaction(*this, true);  // an insert is not safe to repeat outside one
  std::vector<MetaRow> rows = db_->Query(
      "INSERT INTO runs (notebook, notebook_hash, status, started_micros, finished_micros, "
      "error, details_json) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {run.notebook, run.notebook_hash, run.status.empty() ? "running" : run.status,
       run.started_micros != 0 ? run.started_micros : core::NowMicros(), run.finished_micros,
       run.error, run.details_json});
  transaction.Commit();
  return rows.at(0).Int(0);
}

void CatalogDb::FinishRun(const RunRecord& run) {
  std::lock_guard lock(mutex_);
  int64_t changed = db_->Execute(
      "UPDATE runs SET status = ?, finished_micros = ?, error = ?, details_json = ? "
      "WHERE id = ?",
      {run.status, run.finished_micros != 0 ? run.finished_micros : core::NowMicros(), run.error,
       run.details_json, run.id});
  if (changed == 0) Throw<UserError>("the catalog has no run {}", run.id);
}

std::vector<RunRecord> CatalogDb::Runs(std::string_view notebook) {
  std::lock_guard lock(mutex_);
  constexpr const char* kSelect =
      "SELECT id, notebook, notebook_hash, status, started_micros, finished_micros, error, "
      "details_json FROM runs";
  constexpr const char* kOrder = " ORDER BY started_micros DESC, id DESC";
  std::vector<MetaRow> rows =
      notebook.empty()
          ? db_->Query(std::string(kSelect) + kOrder)
          : db_->Query(std::string(kSelect) + " WHERE notebook = ?" + kOrder, {notebook});
  std::vector<RunRecord> runs;
  for (const MetaRow& row : rows) runs.push_back(ReadRun(row));
  return runs;
}

void CatalogDb::PutModel(const ModelRecord& model, const std::vector<TrialRecord>& trials,
                         const std::vector<LineageEdge>& lineage) {
  Transaction transaction(*this, true);
  db_->Execute(
      "INSERT INTO models (name, version, model_type, created_micros, artifact_path, "
      "options_json, metrics_json, details_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (name, version) DO UPDATE SET model_type = excluded.model_type, "
      "created_micros = excluded.created_micros, artifact_path = excluded.artifact_path, "
      "options_json = excluded.options_json, metrics_json = excluded.metrics_json, "
      "details_json = excluded.details_json",
      {model.name, model.version, model.model_type,
       model.created_micros != 0 ? model.created_micros : core::NowMicros(), model.artifact_path,
       model.options_json, model.metrics_json, model.details_json});
  for (const TrialRecord& trial : trials) {
    db_->Execute(
        "INSERT INTO trials (model, version, trial_id, details_json) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (model, version, trial_id) DO UPDATE SET details_json = "
        "excluded.details_json",
        {model.name, model.version, trial.trial_id, trial.details_json});
  }
  for (LineageEdge edge : lineage) {
    edge.to_dataset = model.name;
    edge.to_version = model.version;
    InsertLineage(edge);
  }
  transaction.Commit();
}

std::vector<ModelRecord> CatalogDb::Models() {
  std::lock_guard lock(mutex_);
  std::vector<ModelRecord> models;
  for (const MetaRow& row :
       db_->Query("SELECT name, version, model_type, created_micros, artifact_path, "
                  "options_json, metrics_json, details_json FROM models")) {
    models.push_back({row.Text(0), row.Int(1), row.Text(2), row.Int(3), row.Text(4), row.Text(5),
                      row.Text(6), row.Text(7)});
  }
  std::sort(models.begin(), models.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.version) < std::tie(b.name, b.version);
  });
  return models;
}

std::vector<TrialRecord> CatalogDb::Trials(std::string_view name) {
  std::lock_guard lock(mutex_);
  constexpr const char* kSelect = "SELECT model, version, trial_id, details_json FROM trials";
  constexpr const char* kOrder = " ORDER BY model, version, trial_id";
  std::vector<MetaRow> rows =
      name.empty() ? db_->Query(std::string(kSelect) + kOrder)
                   : db_->Query(std::string(kSelect) + " WHERE model = ?" + kOrder, {name});
  std::vector<TrialRecord> trials;
  for (const MetaRow& row : rows) {
    trials.push_back({row.Text(0), row.Int(1), row.Int(2), row.Text(3)});
  }
  return trials;
}

std::vector<ModelRecord> CatalogDb::DeleteModel(std::string_view name) {
  std::vector<ModelRecord> removed;
  for (ModelRecord& model : Models()) {
    if (model.name == name) removed.push_back(std::move(model));
  }
  Transaction transaction(*this, true);
  db_->Execute("DELETE FROM models WHERE name = ?", {name});
  db_->Execute("DELETE FROM trials WHERE model = ?", {name});
  db_->Execute("DELETE FROM lineage WHERE to_dataset = ?", {name});
  transaction.Commit();
  return removed;
}

}  // namespace sluice::catalog
