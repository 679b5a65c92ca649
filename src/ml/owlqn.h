#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include <Eigen/Core>

namespace sluice::ml {

/// Returns the smooth part f of an objective at `x` and sets `gradient` (resized as needed) to
/// its gradient there.
using SmoothObjective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& gradient)>;

/// Is how MinimizeOwlQn runs.
struct OwlQnOptions {
  /// How many past steps L-BFGS keeps; 10 is the usual choice (scikit-learn, liblbfgs).
  size_t memory = 10;
  /// The most iterations (accepted steps) to take; 0 returns the starting point.
  int64_t max_iterations = 100;
  /// Stops after an iteration that lowers the objective by at most this fraction of its value.
  double min_rel_progress = 1e-6;
  /// The strength of the l1 term, l1_weight * sum of |x_i| over the penalised coordinates.
  double l1_weight = 0;
  /// Which coordinates the l1 term covers (true: penalised); empty means all of them.
  std::vector<bool> penalized;
};

/// Is what MinimizeOwlQn found.
struct OwlQnResult {
  Eigen::VectorXd x;
  /// The whole objective (f plus the l1 term) after each iteration, one entry per iteration.
  std::vector<double> losses;
};

/// Minimises f(x) + l1_weight * sum_i |x_i| (over the penalised coordinates) from `start` by
/// OWL-QN (Andrew and Gao, 2007), which is plain L-BFGS where no coordinate is penalised.
/// Calls `on_iteration(x)` (when set) after each iteration, right after f was evaluated at the
/// new x, so that state f keeps about its last point describes x. Stops after
/// `max_iterations`, when an iteration makes less than `min_rel_progress`, when the
/// (pseudo-)gradient vanishes or when the line search finds no lower point.
/// REQUIRES: `options.penalized` is empty or has one entry per coordinate of `start`.
OwlQnResult MinimizeOwlQn(const SmoothObjective& f, Eigen::VectorXd start,
                          const OwlQnOptions& options,
                          const std::function<void(const Eigen::VectorXd& x)>& on_iteration = {});

}  // namespace sluice::ml
