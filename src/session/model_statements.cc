// CREATE MODEL, DROP MODEL and the ML.* table functions of a database.

#include <boost/json.hpp>
#include <cmath>
#include <optional>
#include <span>

#include "base/error.h"
#include "base/task.h"
#include "cluster/communicator.h"
#include "ml/json_text.h"
#include "ml/trainer.h"
#include "planner/column_lineage.h"
#include "planner/query_planner.h"
#include "session/database.h"
#include "session/model_functions.h"
#include "sql/names.h"
#include "sql/to_sql.h"

namespace sluice::session {
namespace {

namespace json = boost::json;
using core::TypeId;
using core::Value;

json::object MetricsJson(const ml::Metrics& metrics) {
  json::object object;
  for (const auto& [name, value] : metrics) {
    if (std::isnan(value))
      object[name] = nullptr;
    else
      object[name] = value;
  }
  return object;
}

std::vector<catalog::TrialRecord> TrialRecords(const ml::TrainingOutcome& outcome) {
  std::vector<catalog::TrialRecord> records;
  for (const ml::Trial& trial : outcome.trials) {
    json::object details{{"hyperparameters", ml::ParamsToJson(trial.hparams)},
                         {"metrics", MetricsJson(trial.metrics)},
                         {"budget", trial.budget},
                         {"seconds", trial.seconds},
                         {"best", trial.best},
                         {"error", trial.error}};
    if (trial.rank >= 0) details["rank"] = trial.rank;
    double objective = ml::MetricValue(trial.metrics, outcome.objective);
    details["objective"] = std::isnan(objective) ? json::value(nullptr) : json::value(objective);
    records.push_back({"", 0, trial.id, ml::JsonText(details)});
  }
  return records;
}

// Spreads a tuning run's trials over the ranks, trial i on rank i % size: the trials of one
// rung are numbered in a row, so each rung is balanced to within one trial per rank.
class RankTrials : public ml::TrialDistributor {
 public:
  explicit RankTrials(cluster::Communicator& ranks) : ranks_(ranks) {}

  bool Mine(size_t trial) const override {
    return trial % static_cast<size_t>(ranks_.size()) == static_cast<size_t>(ranks_.rank());
  }

  std::vector<std::string> Share(std::string_view mine,
                                 const std::exception_ptr& failure) override {
    cluster::AgreeOnFailure(ranks_, failure);
    return ranks_.AllGather(mine);
  }

  void BroadcastFrom(int owner, std::string& bytes, const std::exception_ptr& failure) override {
    cluster::AgreeOnFailure(ranks_, failure);
    ranks_.Broadcast(bytes, owner);
  }

 private:
  cluster::Communicator& ranks_;
};

// Lets ml train data-parallel over the ranks of the communicator.
class RankSums : public ml::RankReducer {
 public:
  explicit RankSums(cluster::Communicator& ranks) : ranks_(ranks) {}

  int rank() const override { return ranks_.rank(); }
  int size() const override { return ranks_.size(); }
  void AllReduce(std::span<double> values, ml::Reduction op) override {
    ranks_.AllReduce(values, Op(op));
  }
  void AllReduce(std::span<int64_t> values, ml::Reduction op) override {
    ranks_.AllReduce(values, Op(op));
  }
  std::vector<std::string> AllGather(std::string_view mine) override {
    return ranks_.AllGather(mine);
  }
  void Broadcast(std::string& bytes, int root) override { ranks_.Broadcast(bytes, root); }
  void Agree(const std::exception_ptr& failure) override {
    cluster::AgreeOnFailure(ranks_, failure);
  }

 private:
  static cluster::ReduceOp Op(ml::Reduction op) {
    switch (op) {
      case ml::Reduction::kSum:
        return cluster::ReduceOp::kSum;
      case ml::Reduction::kMin:
        return cluster::ReduceOp::kMin;
      case ml::Reduction::kMax:
        break;
    }
    return cluster::ReduceOp::kMax;
  }

  cluster::Communicator& ranks_;
};

json::object Details(const sql::CreateModelStatement& statement, const ml::TrainingOutcome& outcome,
                     const planner::QueryLineage& lineage, const std::string& transform,
                     int64_t run_id, const std::string& cell, const core::Schema& query_schema) {
  json::array inputs;
  for (const planner::ColumnOrigin& dataset : lineage.datasets) {
    inputs.push_back(json::object{{"dataset", dataset.dataset}, {"version", dataset.version}});
  }
  json::array features;
  for (const std::string& name : outcome.model->features().FeatureNames())
    features.push_back(json::string(name));
  json::array transform_inputs;
  for (const core::Field& field :
       transform.empty() ? std::vector<core::Field>{} : query_schema.fields()) {
    transform_inputs.push_back(
        json::object{{"name", field.name}, {"type", core::TypeName(field.type)}});
  }
  json::array confusion;
  const ml::Matrix& counts = outcome.confusion_matrix;
  for (size_t r = 0; r < counts.rows; ++r) {
    confusion.emplace_back(json::array(counts.row(r), counts.row(r) + counts.cols));
  }
  json::object details{{"query", sql::ToSql(*statement.query)},
                       {"confusion_matrix", std::move(confusion)},
                       {"transform", transform},
                       {"transform_inputs", std::move(transform_inputs)},
                       {"run_id", run_id},
                       {"cell", cell},
                       {"inputs", std::move(inputs)},
                       {"hyperparameters", ml::ParamsToJson(outcome.model->params())},
                       {"label", outcome.model->label().name},
                       {"features", std::move(features)},
                       {"train_rows", outcome.train_rows},
                       {"eval_rows", outcome.eval_rows},
                       {"evaluated_on", outcome.evaluated_on},
                       {"objective", outcome.objective},
                       {"training_seconds", outcome.seconds}};
  if (!outcome.share_train_rows.empty()) {
    // Data-parallel training: the rows each rank trained and evaluated on.
    details["share_train_rows"] = json::value_from(outcome.share_train_rows);
    details["share_eval_rows"] = json::value_from(outcome.share_eval_rows);
  }
  return details;
}

QueryResult Summary(const std::string& name, int64_t version, const ml::ModelOptions& options,
                    const ml::TrainingOutcome& outcome) {
  std::vector<core::Field> fields = {
      {"model", TypeId::kVarchar},      {"version", TypeId::kBigint},
      {"model_type", TypeId::kVarchar}, {"train_rows", TypeId::kBigint},
      {"eval_rows", TypeId::kBigint},   {"training_seconds", TypeId::kDouble}};
  std::vector<Value> row = {Value::Varchar(name),
                            Value::Bigint(version),
                            Value::Varchar(std::string(ml::ModelTypeName(options.type))),
                            Value::Bigint(static_cast<int64_t>(outcome.train_rows)),
                            Value::Bigint(static_cast<int64_t>(outcome.eval_rows)),
                            Value::Double(outcome.seconds)};
  for (const auto& [metric, value] : outcome.evaluation) {
    fields.push_back({metric, TypeId::kDouble});
    row.push_back(std::isnan(value) ? Value::Null(TypeId::kDouble) : Value::Double(value));
  }
  return Listing(std::move(fields), {row});
}

}  // namespace

QueryResult Connection::CreateModel(const sql::CreateModelStatement& statement) {
  std::string name = sql::CatalogName(statement.name);
  if (database_.models().Find(name) != nullptr && !statement.or_replace) {
    if (statement.if_not_exists)
      return Listing({{"status", TypeId::kVarchar}}, {{Value::Varchar("CREATE MODEL")}});
    Throw<UserError>(
        "model \"{}\" already exists (line {}, column {}); use CREATE OR REPLACE MODEL", name,
        statement.location.line, statement.location.column);
  }
  ml::ModelOptions options = ml::ParseModelOptions(statement.options);
  // Several ranks train a single fit data-parallel, each on its own share of the rows; tuning
  // spreads trials instead, each rank with every row.
  const bool shares = ranks_ != nullptr && ranks_->size() > 1 && ml::TrainsOnShares(options);
  QueryResult rows;
  if (shares) {
    planner::QueryPlan plan =
        planner::QueryPlanner(database_, nullptr, ranks_).PlanShares(*statement.query);
    rows = RunPlan(plan);
  } else {
    rows = RunQuery(*statement.query);
  }
  planner::TableEntry input;
  input.schema = rows.schema;
  input.batches = std::make_shared<const std::vector<core::Batch>>(std::move(rows.batches));
  std::string transform = TransformSql(statement.transform);
  ml::Table table = ModelInput(input, transform, database_);
  const int threads = static_cast<int>(ThreadCount());
  ml::TrainingOutcome outcome;
  if (shares) {
    RankSums sums(*ranks_);
    outcome = ml::TrainModelOnShares(options, table, threads, sums);
  } else {
    std::optional<RankTrials> trials;
    if (ranks_ != nullptr && ranks_->size() > 1) trials.emplace(*ranks_);
    outcome = ml::TrainModel(options, table, threads, trials ? &*trials : nullptr);
  }

  planner::QueryLineage lineage = planner::DeriveLineage(*statement.query, database_);
  std::vector<catalog::LineageEdge> edges;
  for (const planner::ColumnOrigin& dataset : lineage.datasets) {
    edges.push_back({dataset.dataset, "", "", "", 0, run_id_, dataset.version});
  }
  json::object option_json;
  for (const auto& [option, value] : options.written) option_json[option] = value;
  catalog::ModelRecord record;
  record.model_type = std::string(ml::ModelTypeName(options.type));
  record.options_json = ml::JsonText(option_json);
  record.metrics_json = ml::JsonText(MetricsJson(outcome.evaluation));
  record.details_json =
      ml::JsonText(Details(statement, outcome, lineage, transform, run_id_, cell_, *input.schema));
  auto commit = [&] {
    return database_.models().Commit(name, std::move(outcome.model), std::move(record),
                                     TrialRecords(outcome), edges, transform);
  };
  int64_t version = 0;
  if (database_.store() == nullptr) {
    version = commit();
  } else {
    // Rank 0 writes the model; the other ranks read it from the workspace when they use it.
    version = std::stoll(OnFirstRank([&] { return std::to_string(commit()); }));
    if (ranks_ != nullptr && ranks_->rank() != 0) database_.models().Forget(name);
  }
  return Summary(name, version, options, outcome);
}

QueryResult Connection::DropModel(const sql::DropStatement& statement) {
  std::string name = sql::CatalogName(statement.name);
  bool dropped = false;
  if (database_.store() == nullptr) {
    dropped = database_.models().Drop(name);
  } else {
    dropped = OnFirstRank([&] { return database_.models().Drop(name) ? "1" : ""; }) == "1";
    database_.models().Forget(name);
  }
  if (!dropped && !statement.if_exists) {
    Throw<UserError>("model \"{}\" does not exist (line {}, column {})", name,
                     statement.location.line, statement.location.column);
  }
  return Listing({{"status", TypeId::kVarchar}}, {{Value::Varchar("DROP MODEL")}});
}

std::shared_ptr<const planner::TableEntry> Database::RunModelFunction(
    const sql::ModelFunctionRef& ref, const planner::TableEntry* input) const {
  std::string name = sql::CatalogName(ref.model);
  std::shared_ptr<const ModelVersion> version = models_->Find(name);
  if (version == nullptr) {
    auto suggestion = sql::ClosestName(name, models_->Names());
    Throw<UserError>("model \"{}\" does not exist (line {}, column {}){}", name, ref.location.line,
                     ref.location.column,
                     suggestion ? "; did you mean \"" + *suggestion + "\"?" : "");
  }
  return ModelFunctionRows(ref, *version, input, *this);
}

}  // namespace sluice::session
