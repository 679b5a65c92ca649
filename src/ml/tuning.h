#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model_options.h"
#include "ml/params.h"

namespace sluice::ml {

/// Returns the hyperparameter sets to try: `grid` walks the cartesian product of the
/// candidates (a range contributes up to four evenly spaced values, log-spaced when it spans
/// two or more orders of magnitude); `random` and `halving` draw `num_trials` seeded samples
/// (log-uniform over such wide ranges). At most `num_trials` sets, distinct.
std::vector<Params> HparamSets(const ModelOptions& options);

/// Is one rung of successive halving: how many training rows its configurations train on (the
/// first `rows` of a seeded shuffle), that as a fraction of all the training rows (the budget
/// ML.TRIAL_INFO shows; exactly 1 on the last rung), and how many configurations run on it.
struct Rung {
  size_t rows = 0;
  double budget = 1;
  size_t num_configs = 0;
};

/// Is the fewest training rows a rung of successive halving trains on: fewer make a poor
/// ranking of the configurations (on 89 rows halving dropped configurations that were best on
/// all rows), and more cost little on data where halving saves much.
inline constexpr size_t kMinRungRows = 1000;

/// Returns the rungs of successive halving (ASHA's synchronous form) over `num_configs`
/// configurations and `train_rows` training rows: all of them on the first rung, the best
/// third promoted to three times the rows, until the last rung trains on every row. No rung
/// trains on fewer than kMinRungRows rows (all of them when there are fewer), so small data gets
/// fewer rungs and more configurations on the last one: of the plans with at most one rung per
/// factor of three of configurations and of rows, the one that trains on the fewest rows in
/// all. When no plan of several rungs trains on fewer rows than one rung (below about 1,500
/// rows for 27 configurations), that one rung runs every configuration on every row, as grid
/// search does.
std::vector<Rung> HalvingRungs(size_t num_configs, size_t train_rows);

/// Returns the `keep` configurations with the largest scores (NaN last), in that order.
std::vector<size_t> BestConfigs(const std::vector<size_t>& configs,
                                const std::vector<double>& scores, size_t keep);

/// Spreads the trials of one tuning run over the ranks of an SPMD run. Every rank calls
/// TrainModel with the same rows and options and runs the trials Mine() gives it; the ranks then
/// swap the trials' outcomes (Share) so that each picks the same best trial, and the rank that
/// trained it sends the model to the others (BroadcastFrom). Share and BroadcastFrom are
/// collectives: every rank calls them at the same point; `failure` is what this rank caught
/// since the last one (null: nothing), and when any rank failed, every rank throws instead.
class TrialDistributor {
 public:
  TrialDistributor() = default;
  virtual ~TrialDistributor() = default;
  TrialDistributor(const TrialDistributor&) = delete;
  TrialDistributor& operator=(const TrialDistributor&) = delete;

  /// Returns true when this rank runs trial `trial` (numbered from 0 over every rung); exactly
  /// one rank runs each trial.
  virtual bool Mine(size_t trial) const = 0;
  /// Returns every rank's `mine`, indexed by rank.
  virtual std::vector<std::string> Share(std::string_view mine,
                                         const std::exception_ptr& failure) = 0;
  /// Replaces `bytes` on every rank with rank `owner`'s. REQUIRES: `owner` is a rank.
  virtual void BroadcastFrom(int owner, std::string& bytes, const std::exception_ptr& failure) = 0;
};

/// Runs `count` jobs on `parallel` threads (each job gets its index). REQUIRES: `job` does not
/// throw.
void RunParallel(size_t count, size_t parallel, const std::function<void(size_t)>& job);

}  // namespace sluice::ml
