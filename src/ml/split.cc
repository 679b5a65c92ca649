#include "ml/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "base/error.h"

namespace sluice::ml {
namespace {

/// Returns a uniform draw in [0, bound) from `rng` by rejection, the same with every standard
/// library (std::uniform_int_distribution's algorithm is implementation-defined).
uint64_t UniformBelow(std::mt19937_64& rng, uint64_t bound) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = kMax - kMax % bound;
  uint64_t draw = rng();
  while (draw >= limit) draw = rng();
  return draw % bound;
}

/// Returns 0 .. rows-1 in a seeded Fisher-Yates order, reproducible across platforms (which
/// std::shuffle is not).
std::vector<size_t> Shuffled(size_t rows, uint64_t seed) {
  std::vector<size_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  for (size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[UniformBelow(rng, i)]);
  return order;
}

/// Returns the split that holds out the rows flagged non-zero.
Split SplitOf(const std::vector<uint8_t>& is_eval) {
  Split split;
  for (size_t row = 0; row < is_eval.size(); ++row) {
    (is_eval[row] != 0 ? split.eval : split.train).push_back(row);
  }
  return split;
}

/// Throws a UserError unless 0 <= eval_fraction <= 1.
void CheckFraction(double eval_fraction) {
  if (!(eval_fraction >= 0 && eval_fraction <= 1)) {
    Throw("data_split_eval_fraction must be between 0 and 1, got {}", eval_fraction);
  }
}

/// Returns `count` moved into [1, rows - 1] when rows >= 2 and 0 < eval_fraction < 1, so that
/// both sides of the split have a row.
size_t KeepBothSides(size_t count, size_t rows, double eval_fraction) {
  if (rows < 2 || eval_fraction <= 0 || eval_fraction >= 1) return count;
  return std::clamp<size_t>(count, 1, rows - 1);
}

}  // namespace

Split RandomSplit(size_t rows, double eval_fraction, uint64_t seed) {
  CheckFraction(eval_fraction);
  const auto rounded = static_cast<size_t>(std::llround(eval_fraction * static_cast<double>(rows)));
  const size_t eval_rows = KeepBothSides(rounded, rows, eval_fraction);
  const std::vector<size_t> order = Shuffled(rows, seed);
  std::vector<uint8_t> is_eval(rows, 0);
  for (size_t i = 0; i < eval_rows; ++i) is_eval[order[i]] = 1;
  return SplitOf(is_eval);
}

Split SequentialSplit(const std::vector<double>& order, double eval_fraction) {
  CheckFraction(eval_fraction);
  std::vector<size_t> ranked;
  for (size_t row = 0; row < order.size(); ++row) {
    if (!std::isnan(order[row])) ranked.push_back(row);
  }
  // Stable: among equal values the later row counts as later.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](size_t a, size_t b) { return order[a] < order[b]; });
  const double rows = static_cast<double>(order.size());
  // The tolerance keeps a product such as 0.28 * 25 = 7.000000000000001 at 7 rows.
  const auto wanted = static_cast<size_t>(std::ceil(eval_fraction * rows - 1e-9));
  const size_t eval_rows =
      std::min(KeepBothSides(wanted, order.size(), eval_fraction), ranked.size());
  std::vector<uint8_t> is_eval(order.size(), 0);
  for (size_t i = ranked.size() - eval_rows; i < ranked.size(); ++i) is_eval[ranked[i]] = 1;
  return SplitOf(is_eval);
}

Split SequentialSplitOverRanks(const std::vector<double>& order, double eval_fraction,
                               RankReducer& ranks) {
  CheckFraction(eval_fraction);
  std::vector<double> ranked;
  for (double value : order) {
    if (!std::isnan(value)) ranked.push_back(value);
  }
  std::vector<int64_t> counts{static_cast<int64_t>(order.size()),
                              static_cast<int64_t>(ranked.size())};
  ranks.AllReduce(counts, Reduction::kSum);
  const auto rows = static_cast<size_t>(counts[0]);
  const auto ranked_rows = static_cast<size_t>(counts[1]);
  const auto wanted =
      static_cast<size_t>(std::ceil(eval_fraction * static_cast<double>(rows) - 1e-9));
  const size_t eval_rows = std::min(KeepBothSides(wanted, rows, eval_fraction), ranked_rows);
  std::vector<uint8_t> is_eval(order.size(), 0);
  if (eval_rows == 0) return SplitOf(is_eval);
  const double threshold = KthOverRanks(ranks, {ranked}, {ranked_rows - eval_rows})[0];
  size_t above = 0;
  size_t ties = 0;
  for (double value : ranked) {
    if (value > threshold) {
      ++above;
    } else if (value == threshold) {
      ++ties;
    }
  }
  const size_t wanted_ties = eval_rows - SumOverRanks(ranks, above);
  const std::vector<size_t> ties_of_ranks = CountsOfRanks(ranks, ties);
  size_t ties_above = 0;  // equal values on higher ranks, which count as later
  for (size_t r = static_cast<size_t>(ranks.rank()) + 1; r < ties_of_ranks.size(); ++r) {
    ties_above += ties_of_ranks[r];
  }
  size_t mine = wanted_ties > ties_above ? std::min(wanted_ties - ties_above, ties) : 0;
  for (size_t row = order.size(); row-- > 0;) {
    if (order[row] > threshold) is_eval[row] = 1;
    if (order[row] == threshold && mine > 0) {
      is_eval[row] = 1;
      --mine;
    }
  }
  return SplitOf(is_eval);
}

Split HashedSplit(const std::vector<uint64_t>& hashes, double eval_fraction, uint64_t seed) {
  CheckFraction(eval_fraction);
  std::vector<uint8_t> is_eval(hashes.size(), 0);
  for (size_t row = 0; row < hashes.size(); ++row) {
    // SplitMix64 of the row's hash and the seed.
    uint64_t z = hashes[row] + (seed + 1) * 0x9e3779b97f4a7c15;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    z ^= z >> 31;
    is_eval[row] = static_cast<double>(z >> 11) * 0x1.0p-53 < eval_fraction;
  }
  return SplitOf(is_eval);
}

Split CustomSplit(const std::vector<uint8_t>& is_eval) { return SplitOf(is_eval); }

std::vector<Split> KFold(size_t rows, int folds, uint64_t seed) {
  if (folds < 2 || static_cast<size_t>(folds) > rows) {
    Throw("num_folds must be between 2 and the number of rows ({}), got {}", rows, folds);
  }
  const std::vector<size_t> order = Shuffled(rows, seed);
  const size_t fold_count = static_cast<size_t>(folds);
  std::vector<Split> splits;
  splits.reserve(fold_count);
  size_t start = 0;
  for (size_t fold = 0; fold < fold_count; ++fold) {
    // As scikit-learn's KFold, the first rows % folds folds hold one row more.
    const size_t size = rows / fold_count + (fold < rows % fold_count ? 1 : 0);
    std::vector<uint8_t> is_eval(rows, 0);
    for (size_t i = start; i < start + size; ++i) is_eval[order[i]] = 1;
    splits.push_back(SplitOf(is_eval));
    start += size;
  }
  return splits;
}

}  // namespace sluice::ml
