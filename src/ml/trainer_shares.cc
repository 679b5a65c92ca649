// TrainModelOnShares: one CREATE MODEL trained data-parallel on the ranks' shares of its rows.

#include <chrono>
#include <memory>
#include <utility>

#include "base/error.h"
#include "ml/model_wire.h"
#include "ml/trainer.h"
#include "ml/training_setup.h"

namespace sluice::ml {
namespace {

// Returns this rank's rows with a label (all of `data`, or `kept`); throws UserError on every
// rank when no rank has one.
const Table& LabelledShare(const ModelOptions& options, const Table& data, Table& kept,
                           RankReducer& ranks) {
  const Column& label = LabelColumn(options, data);
  std::vector<size_t> rows = LabelledRows(data, label);
  if (SumOverRanks(ranks, rows.size()) == 0) {
    Throw<UserError>("label column \"{}\" is NULL in every row", label.name);
  }
  if (rows.size() == data.num_rows) return data;
  kept = SelectTableRows(data, rows);
  return kept;
}

// Replaces `model` with rank 0's on every rank. The ranks computed the same model from the
// same sums; sending rank 0's makes it bit for bit the same even where a backend's sums round
// differently per rank (MPI's allreduce does not promise one order).
void ShareFirstRankModel(std::unique_ptr<Model>& model, RankReducer& ranks) {
  std::string bytes;
  if (ranks.rank() == 0) bytes = ModelToBytes(*model);
  ranks.Broadcast(bytes, 0);
  if (ranks.rank() != 0) model = ModelFromBytes(bytes);
}

// Is one rank's training and evaluation rows made features.
struct ShareFeatures {
  Matrix x;
  Labels y;
  Matrix eval_x;
  Labels eval_y;
};

ShareFeatures MakeShareFeatures(const Model& model, const Table& train, const Table& eval,
                                int threads) {
  const bool supervised = !model.label().name.empty();
  return {MakeFeatures(model.features(), train, threads),
          supervised ? model.MakeLabels(train) : Labels{},
          MakeFeatures(model.features(), eval, threads),
          supervised ? model.MakeLabels(eval) : Labels{}};
}

}  // namespace

bool TrainsOnShares(const ModelOptions& options) {
  if (!options.hparams.empty() || options.num_folds >= 2) return false;
  switch (options.type) {
    case ModelType::kLinearReg:
    case ModelType::kLogisticReg:
    case ModelType::kKmeans:
    case ModelType::kBoostedTreeRegressor:
    case ModelType::kBoostedTreeClassifier:
    case ModelType::kRandomForestRegressor:
    case ModelType::kRandomForestClassifier:
      return true;
    default:
      return false;
  }
}

TrainingOutcome TrainModelOnShares(const ModelOptions& options, const Table& input, int threads,
                                   RankReducer& ranks) {
  SLUICE_CHECK(TrainsOnShares(options));
  const auto start = std::chrono::steady_clock::now();
  const Table* data = &input;
  Table labelled;
  if (TaskOf(options.type) != ModelTask::kClustering) {
    data = &LabelledShare(options, input, labelled, ranks);
  } else if (SumOverRanks(ranks, input.num_rows) == 0) {
    Throw<UserError>("the model's query returned no rows");
  }
  const Setup setup = MakeSetup(options, *data, &ranks);
  const Split split = SplitRows(options, *data, &ranks);
  const Table train = SelectTableRows(*data, split.train);
  const Table eval = SelectTableRows(*data, split.eval);
  TrainingOutcome outcome;
  outcome.share_train_rows = CountsOfRanks(ranks, train.num_rows);
  outcome.share_eval_rows = CountsOfRanks(ranks, eval.num_rows);
  for (size_t rows : outcome.share_train_rows) outcome.train_rows += rows;
  for (size_t rows : outcome.share_eval_rows) outcome.eval_rows += rows;
  if (outcome.train_rows == 0) Throw<UserError>("the split leaves no training rows");

  FeatureSpec spec = FitFeatures(train, setup.excluded, setup.feature_options, &ranks);
  outcome.model =
      std::make_unique<Model>(options.type, HparamSets(options)[0], std::move(spec), setup.label);
  ShareFeatures rows;
  RunTogether(ranks, [&] { rows = MakeShareFeatures(*outcome.model, train, eval, threads); });
  const bool held_out = outcome.eval_rows > 0;
  const EvalSet eval_set{rows.eval_x, rows.eval_y};
  outcome.model->estimator().FitShares(rows.x, rows.y, held_out ? &eval_set : nullptr, threads,
                                       ranks);
  Matrix* confusion =
      TaskOf(options.type) == ModelTask::kClassification ? &outcome.confusion_matrix : nullptr;
  outcome.evaluation =
      held_out ? outcome.model->EvaluateShares(rows.eval_x, rows.eval_y, threads, ranks, confusion)
               : outcome.model->EvaluateShares(rows.x, rows.y, threads, ranks, confusion);
  outcome.evaluated_on = held_out ? "eval_split" : "training_data";
  ShareFirstRankModel(outcome.model, ranks);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace sluice::ml
