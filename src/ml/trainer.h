#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ml/model.h"
#include "ml/model_options.h"
#include "ml/rank_reducer.h"
#include "ml/table.h"
#include "ml/tuning.h"

namespace sluice::ml {

/// Is one hyperparameter tuning trial (ML.TRIAL_INFO): the tuned values tried, the metrics on the
/// evaluation rows, the budget (the fraction of training rows it trained on: below 1 on the
/// early rungs of successive halving), its time, and whether it became the model.
struct Trial {
  int64_t id = 0;  // from 1
  Params hparams;
  Metrics metrics;
  double objective = 0;
  double budget = 1;
  double seconds = 0;
  bool best = false;
  std::string error;  // why the trial failed; empty when it ran
  int rank = -1;      // the rank that ran it when the trials were spread over ranks, else -1
};

/// Is a trained model with how it was trained and evaluated.
struct TrainingOutcome {
  std::unique_ptr<Model> model;
  Metrics evaluation;
  std::string evaluated_on;  // "eval_split", "training_data" or "cross_validation"
  std::string objective;     // the metric tuning optimised (empty without tuning)
  std::vector<Trial> trials;
  Matrix confusion_matrix;  // classifiers: on the rows `evaluated_on` names (not with folds)
  size_t train_rows = 0;
  size_t eval_rows = 0;
  std::vector<size_t> share_train_rows;  // on shares: the training rows of each rank
  std::vector<size_t> share_eval_rows;   // on shares: the evaluation rows of each rank
  double seconds = 0;
};

/// Trains a model of `options` on `data` (the query's rows; rows with a NULL label are left
/// out) using at most `threads` threads: splits the rows (data_split_*), fits the preprocessing
/// on the training rows, tunes when options hold HPARAM_* (grid, random or successive halving;
/// trials in parallel, trial threads x model threads <= `threads`), and evaluates the model.
/// With num_folds, metrics are the mean over folds and the model is trained on every row.
/// Throws UserError for a missing or all-NULL label, a single class, and the like.
///
/// With `distributor` (null: this process alone) and more than one hyperparameter set, this
/// rank runs only the trials the distributor gives it, the ranks swap the outcomes after each
/// rung, and the rank that trained the best trial sends its model to the others: every rank
/// returns the same trials and the same model (with folds, that rank also fits the final model).
/// REQUIRES: every rank passes the same `options` and `data`.
TrainingOutcome TrainModel(const ModelOptions& options, const Table& data, int threads,
                           TrialDistributor* distributor = nullptr);

/// Returns true when a CREATE MODEL of `options` trains data-parallel when there are several
/// ranks (TrainModelOnShares): linear_reg, logistic_reg, kmeans, boosted_tree_* and
/// random_forest_*, without tuning (HPARAM_*)
/// or folds, which spread over the ranks by trials or need every row on each rank. This is
/// where a model type joins once its estimator overrides Estimator::FitShares.
bool TrainsOnShares(const ModelOptions& options);

/// Trains a model of `options` as TrainModel does, data-parallel: `data` is this rank's share
/// of the query's rows (no rank holds them all; a share may be empty). A collective: rows with a
/// NULL label, the split, the preprocessing, the fit and the evaluation are over every rank's
/// rows (see SplitRows for how a split works on shares), and every rank returns the same
/// outcome and model, rank 0's sent to the others. REQUIRES: TrainsOnShares(options); every
/// rank passes the same `options` and a share with the same columns.
TrainingOutcome TrainModelOnShares(const ModelOptions& options, const Table& data, int threads,
                                   RankReducer& ranks);

}  // namespace sluice::ml
