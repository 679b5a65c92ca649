#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "ml/model_options.h"
#include "ml/params.h"

namespace sluice::ml {

/// Returns the hyperparameter sets to try: `grid` walks the cartesian product of the
/// candidates (a range contributes up to four evenly spaced values, log-spaced when it spans
/// two or more orders of magnitude); `random` and `halving` draw `num_trials` seeded samples
/// (log-uniform over such wide ranges). At most `num_trials` sets, distinct.
std::vector<Params> HparamSets(const ModelOptions& options);

/// Is one rung of successive halving: the budget (fraction of the training rows) and how many
/// configurations run on it.
struct Rung {
  double budget = 1;
  size_t num_configs = 0;
};

/// Returns the rungs of successive halving (ASHA's synchronous form) over `num_configs`
/// configurations: all of them on the smallest budget, the best third promoted to three times
/// the budget, until the last rung runs at budget 1.
std::vector<Rung> HalvingRungs(size_t num_configs);

/// Returns the `keep` configurations with the largest scores (NaN last), in that order.
std::vector<size_t> BestConfigs(const std::vector<size_t>& configs,
                                const std::vector<double>& scores, size_t keep);

/// Runs `count` jobs on `parallel` threads (each job gets its index). REQUIRES: `job` does not
/// throw.
void RunParallel(size_t count, size_t parallel, const std::function<void(size_t)>& job);

}  // namespace sluice::ml
