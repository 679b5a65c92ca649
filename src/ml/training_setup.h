#pragma once

#include <string>
#include <vector>

#include "ml/features.h"
#include "ml/metrics.h"
#include "ml/model.h"
#include "ml/model_options.h"
#include "ml/rank_reducer.h"
#include "ml/table.h"

namespace sluice::ml {

// What TrainModel (trainer.cc) and TrainModelOnShares (trainer_shares.cc) share.

/// Is what every fit of one CREATE MODEL shares.
struct Setup {
  const ModelOptions& options;
  LabelSpec label;
  std::vector<std::string> excluded;  // columns that are not features
  FeatureOptions feature_options;
  std::string objective;
};

/// Returns the label column (found ignoring case); UserError when the query lacks it.
const Column& LabelColumn(const ModelOptions& options, const Table& data);

/// Returns the indexes of the rows of `data` whose `label` is not NULL.
std::vector<size_t> LabelledRows(const Table& data, const Column& label);

/// Returns the setup of `options` for `data` (its label rows: none NULL). With `ranks` (a
/// collective), `data` is this rank's share and a classifier's classes are those of every rank.
/// Throws UserError for a label of the wrong type or a single class.
Setup MakeSetup(const ModelOptions& options, const Table& data, RankReducer* ranks = nullptr);

/// Returns the split of `data` into training and evaluation rows (data_split_*; k-means, which
/// takes no such options, trains and is evaluated on every row). With `ranks`
/// (a collective), `data` is this rank's share: auto_split counts every rank's rows, `random`
/// holds out rows by a seeded hash of their values (HashedSplit: about the fraction, whichever
/// rank holds a row), `seq` is exact over all ranks (SequentialSplitOverRanks).
Split SplitRows(const ModelOptions& options, const Table& data, RankReducer* ranks = nullptr);

}  // namespace sluice::ml
