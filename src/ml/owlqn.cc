#include "ml/owlqn.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <utility>

#include "base/error.h"

namespace sluice::ml {
namespace {

using Eigen::Index;
using Eigen::VectorXd;

constexpr double kArmijo = 1e-4;
constexpr int kMaxBacktracks = 60;
constexpr double kGradientTolerance = 1e-12;

/// Is the memory of L-BFGS: the last `capacity` steps s and gradient changes y.
class LbfgsMemory {
 public:
  explicit LbfgsMemory(size_t capacity) : capacity_(capacity) {}

  void Add(VectorXd step, VectorXd change) {
    const double curvature = step.dot(change);
    // Without positive curvature the inverse Hessian estimate would not stay positive definite.
    if (capacity_ == 0 || !(curvature > 1e-12 * change.squaredNorm())) return;
    if (steps_.size() == capacity_) {
      steps_.pop_front();
      changes_.pop_front();
      rhos_.pop_front();
    }
    steps_.push_back(std::move(step));
    changes_.push_back(std::move(change));
    rhos_.push_back(1 / curvature);
  }

  void Clear() {
    steps_.clear();
    changes_.clear();
    rhos_.clear();
  }

  bool empty() const { return steps_.empty(); }

  /// Returns -H g, H the inverse Hessian estimate (the two-loop recursion).
  VectorXd Direction(const VectorXd& gradient) const {
    VectorXd q = gradient;
    std::vector<double> alphas(steps_.size());
    for (size_t i = steps_.size(); i-- > 0;) {
      alphas[i] = rhos_[i] * steps_[i].dot(q);
      q -= alphas[i] * changes_[i];
    }
    if (!steps_.empty()) q *= 1 / (rhos_.back() * changes_.back().squaredNorm());
    for (size_t i = 0; i < steps_.size(); ++i) {
      q += steps_[i] * (alphas[i] - rhos_[i] * changes_[i].dot(q));
    }
    return -q;
  }

 private:
  size_t capacity_;
  std::deque<VectorXd> steps_;
  std::deque<VectorXd> changes_;
  std::deque<double> rhos_;
};

/// Is a point of the optimisation: the parameters, the smooth part's gradient, and the whole
/// objective (with the l1 term).
struct Point {
  VectorXd x;
  VectorXd gradient;
  double total = 0;
};

/// Returns the l1 strength of each coordinate: `options.l1_weight` where penalised, else 0.
VectorXd L1Strengths(const OwlQnOptions& options, Index size) {
  if (options.penalized.empty()) return VectorXd::Constant(size, options.l1_weight);
  if (options.penalized.size() != static_cast<size_t>(size)) {
    Throw<InternalError>("OWL-QN got {} penalised flags for {} coordinates",
                         options.penalized.size(), size);
  }
  VectorXd l1(size);
  for (Index i = 0; i < size; ++i) l1[i] = options.penalized[i] ? options.l1_weight : 0;
  return l1;
}

double L1Term(const VectorXd& x, const VectorXd& l1) {
  return (l1.array() * x.array().abs()).sum();
}

/// Returns OWL-QN's pseudo-gradient: the steepest-descent direction's negative for f + l1 |x|.
VectorXd PseudoGradient(const Point& p, const VectorXd& l1) {
  VectorXd pseudo = p.gradient;
  for (Index i = 0; i < pseudo.size(); ++i) {
    if (l1[i] == 0) continue;
    const double g = p.gradient[i];
    if (p.x[i] != 0) {
      pseudo[i] = g + (p.x[i] > 0 ? l1[i] : -l1[i]);
    } else {
      pseudo[i] = g + l1[i] < 0 ? g + l1[i] : (g - l1[i] > 0 ? g - l1[i] : 0);
    }
  }
  return pseudo;
}

/// Returns the L-BFGS direction for `pseudo`, zeroed where it leaves the orthant OWL-QN allows.
VectorXd SearchDirection(LbfgsMemory& memory, const VectorXd& pseudo, const VectorXd& l1) {
  VectorXd direction = memory.Direction(pseudo);
  for (Index i = 0; i < direction.size(); ++i) {
    if (l1[i] != 0 && direction[i] * pseudo[i] >= 0) direction[i] = 0;
  }
  if (direction.dot(pseudo) < 0) return direction;
  memory.Clear();  // the estimate went bad: restart from steepest descent
  return -pseudo;
}

/// Backtracks from `step` along `direction` until the Armijo condition holds, projecting each
/// trial on the orthant of `from` (OWL-QN). Returns false when no step decreases the objective.
bool LineSearch(const SmoothObjective& f, const VectorXd& l1, const Point& from,
                const VectorXd& pseudo, const VectorXd& direction, double step, Point& to) {
  VectorXd orthant(from.x.size());
  for (Index i = 0; i < orthant.size(); ++i) {
    const double sign_source = from.x[i] != 0 ? from.x[i] : -pseudo[i];
    orthant[i] = l1[i] == 0 ? 1 : (sign_source > 0) - (sign_source < 0);
  }
  for (int trial = 0; trial < kMaxBacktracks; ++trial, step *= 0.5) {
    to.x = from.x + step * direction;
    for (Index i = 0; i < orthant.size(); ++i) {
      if (l1[i] != 0 && to.x[i] * orthant[i] <= 0) to.x[i] = 0;
    }
    to.total = f(to.x, to.gradient) + L1Term(to.x, l1);
    if (to.total <= from.total + kArmijo * pseudo.dot(to.x - from.x)) return true;
  }
  return false;
}

}  // namespace

OwlQnResult MinimizeOwlQn(const SmoothObjective& f, VectorXd start, const OwlQnOptions& options,
                          const std::function<void(const VectorXd& x)>& on_iteration) {
  const VectorXd l1 = L1Strengths(options, start.size());
  Point current{std::move(start), VectorXd(l1.size())};
  current.total = f(current.x, current.gradient) + L1Term(current.x, l1);
  LbfgsMemory memory(options.memory);
  Point next;
  OwlQnResult result;
  for (int64_t iteration = 0; iteration < options.max_iterations; ++iteration) {
    const VectorXd pseudo = PseudoGradient(current, l1);
    const double norm = pseudo.norm();
    if (!(norm > kGradientTolerance)) break;
    const VectorXd direction = SearchDirection(memory, pseudo, l1);
    const double length = memory.empty() ? std::min(1.0, 1 / norm) : 1.0;
    if (!LineSearch(f, l1, current, pseudo, direction, length, next)) break;
    memory.Add(next.x - current.x, next.gradient - current.gradient);
    const double progress = current.total - next.total;
    std::swap(current, next);
    result.losses.push_back(current.total);
    if (on_iteration) on_iteration(current.x);
    if (progress <= options.min_rel_progress * std::abs(next.total)) break;
  }
  result.x = std::move(current.x);
  return result;
}

}  // namespace sluice::ml
