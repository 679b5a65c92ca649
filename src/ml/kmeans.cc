#include "ml/kmeans.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <Eigen/Dense>
#include <boost/json.hpp>

#include "base/error.h"
#include "ml/estimator_state.h"
#include "ml/row_chunks.h"
#include "ml/training_clock.h"

namespace sluice::ml {
namespace {

using Eigen::Index;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Returns the squared distances of the rows `range` of `x` to each centroid (rows x clusters),
/// as |x|^2 - 2 x.c + |c|^2 (one matrix product), clamped at 0 against rounding.
RowMatrix SquaredDistances(const Matrix& x, RowRange range, const Matrix& centroids) {
  const RowsView rows = RowsOf(x, range);
  const RowsView centers = RowsOf(centroids, {0, centroids.rows});
  RowMatrix distances = -2.0 * (rows * centers.transpose());
  distances.colwise() += rows.rowwise().squaredNorm();
  distances.rowwise() += centers.rowwise().squaredNorm().transpose();
  return distances.cwiseMax(0.0);
}

/// Is the result of assigning rows to their nearest centroid.
struct Assignment {
  std::vector<double> distances;  // per row, squared distance to its centroid
  RowMatrix sums;                 // per cluster, sum of its rows
  std::vector<size_t> counts;     // per cluster, number of rows
  double total = 0;               // sum of distances
};

/// Assigns every row of `x` to its nearest centroid, in parallel over chunks of rows.
Assignment Assign(const Matrix& x, const Matrix& centroids, int threads) {
  const std::vector<RowRange> chunks = RowChunks(x.rows, threads);
  std::vector<Assignment> parts(chunks.size());
  Assignment out;
  out.distances.resize(x.rows);
  ForEachChunk(chunks, [&](size_t c, RowRange range) {
    Assignment& part = parts[c];
    part.sums = RowMatrix::Zero(static_cast<Index>(centroids.rows), static_cast<Index>(x.cols));
    part.counts.assign(centroids.rows, 0);
    const RowMatrix distances = SquaredDistances(x, range, centroids);
    for (Index i = 0; i < distances.rows(); ++i) {
      Index nearest = 0;
      const double distance = distances.row(i).minCoeff(&nearest);
      out.distances[range.begin + static_cast<size_t>(i)] = distance;
      part.total += distance;
      part.sums.row(nearest) += RowsOf(x, range).row(i);
      ++part.counts[static_cast<size_t>(nearest)];
    }
  });
  out.sums = std::move(parts[0].sums);
  out.counts = std::move(parts[0].counts);
  out.total = parts[0].total;
  for (size_t c = 1; c < parts.size(); ++c) {
    out.sums += parts[c].sums;
    for (size_t k = 0; k < out.counts.size(); ++k) out.counts[k] += parts[c].counts[k];
    out.total += parts[c].total;
  }
  return out;
}

/// Returns the mean squared distance of the rows of `x` to their nearest centroid.
double MeanSquaredDistance(const Matrix& x, const Matrix& centroids, int threads) {
  if (x.rows == 0) return 0;
  return Assign(x, centroids, threads).total / static_cast<double>(x.rows);
}

/// Returns a uniform number in [0, 1) from `rng`, the same on every platform (unlike
/// std::uniform_real_distribution).
double Uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

size_t UniformIndex(std::mt19937_64& rng, size_t size) {
  return std::min(static_cast<size_t>(Uniform(rng) * static_cast<double>(size)), size - 1);
}

/// Returns k-means++ seeds: the first a uniform row, each next one a row drawn with probability
/// proportional to its squared distance to the nearest seed so far.
Matrix PlusPlusSeeds(const Matrix& x, size_t k, std::mt19937_64& rng, int threads) {
  Matrix seeds(k, x.cols);
  std::copy_n(x.row(UniformIndex(rng, x.rows)), x.cols, seeds.row(0));
  std::vector<double> nearest(x.rows, std::numeric_limits<double>::infinity());
  const std::vector<RowRange> chunks = RowChunks(x.rows, threads);
  for (size_t c = 1; c < k; ++c) {
    Matrix last(1, x.cols);
    std::copy_n(seeds.row(c - 1), x.cols, last.row(0));
    ForEachChunk(chunks, [&](size_t, RowRange range) {
      const RowMatrix distances = SquaredDistances(x, range, last);
      for (Index i = 0; i < distances.rows(); ++i) {
        double& best = nearest[range.begin + static_cast<size_t>(i)];
        best = std::min(best, distances(i, 0));
      }
    });
    const double total = std::accumulate(nearest.begin(), nearest.end(), 0.0);
    size_t chosen = UniformIndex(rng, x.rows);  // every row is a seed already: any will do
    if (total > 0) {
      double target = Uniform(rng) * total;
      for (chosen = 0; chosen + 1 < x.rows && (target -= nearest[chosen]) >= 0;) ++chosen;
    }
    std::copy_n(x.row(chosen), x.cols, seeds.row(c));
  }
  return seeds;
}

/// Returns `k` distinct rows of `x` drawn uniformly.
Matrix RandomSeeds(const Matrix& x, size_t k, std::mt19937_64& rng) {
  std::vector<size_t> order(x.rows);
  std::iota(order.begin(), order.end(), 0);
  Matrix seeds(k, x.cols);
  for (size_t c = 0; c < k; ++c) {
    std::swap(order[c], order[c + UniformIndex(rng, x.rows - c)]);
    std::copy_n(x.row(order[c]), x.cols, seeds.row(c));
  }
  return seeds;
}

/// Moves each centroid to the mean of its rows; a centroid left without rows moves to the row
/// farthest from its own centroid (each such row used once).
void UpdateCentroids(const Matrix& x, Assignment& assignment, Matrix& centroids) {
  for (size_t k = 0; k < centroids.rows; ++k) {
    double* centroid = centroids.row(k);
    if (assignment.counts[k] > 0) {
      const double count = static_cast<double>(assignment.counts[k]);
      for (size_t j = 0; j < x.cols; ++j) centroid[j] = assignment.sums(Index(k), Index(j)) / count;
      continue;
    }
    std::vector<double>& distances = assignment.distances;
    const size_t farthest = static_cast<size_t>(
        std::max_element(distances.begin(), distances.end()) - distances.begin());
    std::copy_n(x.row(farthest), x.cols, centroid);
    distances[farthest] = -1;
  }
}

/// Returns `num_clusters`, checked against the number of rows.
size_t NumClusters(const Params& params, size_t rows) {
  if (!params.Has("num_clusters")) Throw("kmeans needs the option num_clusters");
  const double value = params.Number("num_clusters", 0);
  if (!(value >= 2) || value != std::floor(value)) {
    Throw("kmeans needs num_clusters to be an integer >= 2, got {}", value);
  }
  if (value > static_cast<double>(rows)) {
    Throw("kmeans num_clusters ({}) exceeds the number of training rows ({})", value, rows);
  }
  return static_cast<size_t>(value);
}

void CheckFeatures(const Matrix& x) {
  for (size_t i = 0; i < x.values.size(); ++i) {
    if (std::isfinite(x.values[i])) continue;
    Throw("k-means needs imputed features: feature {} of row {} is {}", i % x.cols, i / x.cols,
          x.values[i]);
  }
}

/// Is how the rows of all ranks are numbered: rank r's after those of the ranks below it.
struct GlobalRows {
  std::vector<size_t> first;  // per rank its first row's number, then the total

  size_t total() const { return first.back(); }
  int OwnerOf(size_t row) const {
    const auto after = std::upper_bound(first.begin(), first.end(), row);
    return static_cast<int>(after - first.begin()) - 1;
  }
};

GlobalRows NumberRows(RankReducer& ranks, size_t rows) {
  GlobalRows numbering{{0}};
  for (size_t count : CountsOfRanks(ranks, rows)) {
    numbering.first.push_back(numbering.first.back() + count);
  }
  return numbering;
}

/// Copies row `row` (numbered over all ranks) into `out`: its rank sends it to the others.
void FetchRow(const Matrix& x, const GlobalRows& rows, size_t row, RankReducer& ranks,
              double* out) {
  const int owner = rows.OwnerOf(row);
  std::string bytes;
  if (ranks.rank() == owner) {
    bytes.assign(reinterpret_cast<const char*>(x.row(row - rows.first[owner])),
                 x.cols * sizeof(double));
  }
  ranks.Broadcast(bytes, owner);
  std::memcpy(out, bytes.data(), x.cols * sizeof(double));
}

/// Returns the rank whose rows hold `target` of the D^2 mass, `target` left as the rest within
/// it; ranks without mass are skipped (the last one with mass when rounding runs past it).
int MassOwner(const std::vector<double>& totals, double& target) {
  int last = 0;
  for (size_t r = 0; r < totals.size(); ++r) {
    if (totals[r] <= 0) continue;
    last = static_cast<int>(r);
    if (target < totals[r]) return last;
    target -= totals[r];
  }
  target = totals[static_cast<size_t>(last)];
  return last;
}

/// Returns PlusPlusSeeds over every rank's rows: the ranks' D^2 totals are shared, one seeded
/// draw (the same on every rank) picks the rank and the point in it, and that rank sends it.
Matrix PlusPlusSeedsOverRanks(const Matrix& x, size_t k, std::mt19937_64& rng,
                              const GlobalRows& rows, int threads, RankReducer& ranks) {
  Matrix seeds(k, x.cols);
  FetchRow(x, rows, UniformIndex(rng, rows.total()), ranks, seeds.row(0));
  std::vector<double> nearest(x.rows, std::numeric_limits<double>::infinity());
  for (size_t c = 1; c < k; ++c) {
    Matrix last(1, x.cols);
    std::copy_n(seeds.row(c - 1), x.cols, last.row(0));
    if (x.rows > 0) {
      const Assignment distances = Assign(x, last, threads);
      for (size_t i = 0; i < x.rows; ++i) nearest[i] = std::min(nearest[i], distances.distances[i]);
    }
    std::vector<double> totals(static_cast<size_t>(ranks.size()), 0);
    totals[static_cast<size_t>(ranks.rank())] =
        std::accumulate(nearest.begin(), nearest.end(), 0.0);
    ranks.AllReduce(totals, Reduction::kSum);  // others' entries are 0: every rank adds alike
    const double total = std::accumulate(totals.begin(), totals.end(), 0.0);
    if (!(total > 0)) {
      FetchRow(x, rows, UniformIndex(rng, rows.total()), ranks, seeds.row(c));
      continue;
    }
    double target = Uniform(rng) * total;
    const int owner = MassOwner(totals, target);
    size_t chosen = 0;
    if (ranks.rank() == owner) {
      while (chosen + 1 < x.rows && (target -= nearest[chosen]) >= 0) ++chosen;
    }
    FetchRow(x, rows, rows.first[static_cast<size_t>(owner)] + chosen, ranks, seeds.row(c));
  }
  return seeds;
}

/// Returns RandomSeeds over every rank's rows: k distinct row numbers drawn alike on every rank
/// (a Fisher-Yates shuffle's first k steps, the swapped entries kept in a map).
Matrix RandomSeedsOverRanks(const Matrix& x, size_t k, std::mt19937_64& rng, const GlobalRows& rows,
                            RankReducer& ranks) {
  std::unordered_map<size_t, size_t> swapped;
  auto at = [&](size_t i) { return swapped.contains(i) ? swapped[i] : i; };
  Matrix seeds(k, x.cols);
  for (size_t c = 0; c < k; ++c) {
    const size_t other = c + UniformIndex(rng, rows.total() - c);
    const size_t row = at(other);
    swapped[other] = at(c);
    swapped[c] = row;
    FetchRow(x, rows, row, ranks, seeds.row(c));
  }
  return seeds;
}

/// Returns Assign's sums, counts and total over every rank's rows (one allreduce); the
/// distances stay this rank's.
Assignment AssignOverRanks(const Matrix& x, const Matrix& centroids, int threads,
                           RankReducer& ranks) {
  Assignment assignment;
  if (x.rows > 0) {
    assignment = Assign(x, centroids, threads);
  } else {
    assignment.sums = RowMatrix::Zero(Index(centroids.rows), Index(x.cols));
    assignment.counts.assign(centroids.rows, 0);
  }
  const size_t sums = assignment.sums.size();
  std::vector<double> values(assignment.sums.data(), assignment.sums.data() + sums);
  for (size_t count : assignment.counts) values.push_back(static_cast<double>(count));
  values.push_back(assignment.total);
  ranks.AllReduce(values, Reduction::kSum);
  std::copy_n(values.begin(), sums, assignment.sums.data());
  for (size_t c = 0; c < centroids.rows; ++c) {
    assignment.counts[c] = static_cast<size_t>(values[sums + c]);
  }
  assignment.total = values.back();
  return assignment;
}

/// Is UpdateCentroids over every rank's rows: an empty cluster takes the row farthest from its
/// centroid over all ranks (of equal ones, the lowest rank's), which that rank sends.
void UpdateCentroidsOverRanks(const Matrix& x, Assignment& assignment, Matrix& centroids,
                              RankReducer& ranks) {
  for (size_t k = 0; k < centroids.rows; ++k) {
    if (assignment.counts[k] > 0) {
      const double count = static_cast<double>(assignment.counts[k]);
      for (size_t j = 0; j < x.cols; ++j) {
        centroids.at(k, j) = assignment.sums(Index(k), Index(j)) / count;
      }
      continue;
    }
    std::vector<double>& distances = assignment.distances;
    const auto farthest = std::max_element(distances.begin(), distances.end());
    double largest = farthest == distances.end() ? -1 : *farthest;
    const double mine = largest;
    ranks.AllReduce(std::span<double>(&largest, 1), Reduction::kMax);
    int64_t owner = mine == largest ? ranks.rank() : ranks.size();
    ranks.AllReduce(std::span<int64_t>(&owner, 1), Reduction::kMin);
    std::string bytes;
    if (ranks.rank() == owner) {
      bytes.assign(reinterpret_cast<const char*>(x.row(size_t(farthest - distances.begin()))),
                   x.cols * sizeof(double));
      *farthest = -1;
    }
    ranks.Broadcast(bytes, static_cast<int>(owner));
    std::memcpy(centroids.row(k), bytes.data(), x.cols * sizeof(double));
  }
}

std::string InitMethod(const Params& params) {
  std::string init = params.Text("kmeans_init_method", "kmeans++");
  std::transform(init.begin(), init.end(), init.begin(), [](char c) { return std::tolower(c); });
  if (init != "kmeans++" && init != "random") {
    Throw("kmeans supports kmeans_init_method 'kmeans++' or 'random', not '{}'", init);
  }
  return init;
}

/// Is the steps of Lloyd's algorithm, on this process's rows or on every rank's.
struct LloydSteps {
  std::function<Assignment()> assign;
  std::function<void(Assignment&)> update;
  std::function<std::optional<double>()> eval_loss;
};

/// Runs Lloyd's iterations from the current centroids over `rows` rows, appending the loss of
/// each to `info`; stops after max_iterations or when the loss improves by less than
/// min_rel_progress of itself.
void RunLloyd(const LloydSteps& steps, double rows, const Params& params,
              const TrainingClock& clock, std::vector<TrainingIteration>& info) {
  const int64_t max_iterations = std::max<int64_t>(params.Integer("max_iterations", 20), 1);
  const double min_rel_progress = params.Number("min_rel_progress", 0.01);
  Assignment assignment = steps.assign();
  double previous = assignment.total / rows;
  for (int64_t iteration = 0; iteration < max_iterations; ++iteration) {
    steps.update(assignment);
    assignment = steps.assign();
    const double loss = assignment.total / rows;
    clock.Append(info, loss, steps.eval_loss());
    if (previous - loss <= min_rel_progress * previous) break;
    previous = loss;
  }
}

}  // namespace

KMeans::KMeans(Params params) : params_(std::move(params)) {}

void KMeans::Fit(const Matrix& x, const Labels& /*y*/, const EvalSet* eval, int threads) {
  const TrainingClock clock;
  const size_t k = NumClusters(params_, x.rows);
  CheckFeatures(x);
  const std::string init = InitMethod(params_);
  std::mt19937_64 rng(static_cast<uint64_t>(params_.Integer("seed", 0)));
  centroids_ = init == "random" ? RandomSeeds(x, k, rng) : PlusPlusSeeds(x, k, rng, threads);
  LloydSteps steps;
  steps.assign = [&] { return Assign(x, centroids_, threads); };
  steps.update = [&](Assignment& assignment) { UpdateCentroids(x, assignment, centroids_); };
  steps.eval_loss = [&]() -> std::optional<double> {
    if (eval == nullptr) return std::nullopt;
    return MeanSquaredDistance(eval->x, centroids_, threads);
  };
  info_.clear();
  RunLloyd(steps, static_cast<double>(x.rows), params_, clock, info_);
}

void KMeans::FitShares(const Matrix& x, const Labels& /*y*/, const EvalSet* eval, int threads,
                       RankReducer& ranks) {
  const TrainingClock clock;
  const GlobalRows rows = NumberRows(ranks, x.rows);
  const size_t k = NumClusters(params_, rows.total());
  RunTogether(ranks, [&] { CheckFeatures(x); });
  const std::string init = InitMethod(params_);
  std::mt19937_64 rng(static_cast<uint64_t>(params_.Integer("seed", 0)));
  centroids_ = init == "random" ? RandomSeedsOverRanks(x, k, rng, rows, ranks)
                                : PlusPlusSeedsOverRanks(x, k, rng, rows, threads, ranks);
  LloydSteps steps;
  steps.assign = [&] { return AssignOverRanks(x, centroids_, threads, ranks); };
  steps.update = [&](Assignment& assignment) {
    UpdateCentroidsOverRanks(x, assignment, centroids_, ranks);
  };
  steps.eval_loss = [&]() -> std::optional<double> {
    if (eval == nullptr) return std::nullopt;
    const double eval_rows = SumOverRanks(ranks, static_cast<double>(eval->x.rows));
    const double total = eval->x.rows == 0 ? 0 : Assign(eval->x, centroids_, threads).total;
    return eval_rows == 0 ? 0 : SumOverRanks(ranks, total) / eval_rows;
  };
  info_.clear();
  RunLloyd(steps, static_cast<double>(rows.total()), params_, clock, info_);
}

Matrix KMeans::Predict(const Matrix& x, int threads) const {
  if (centroids_.rows == 0) Throw<InternalError>("kmeans predicts before it was trained");
  if (x.cols != centroids_.cols) {
    Throw<InternalError>("kmeans was trained on {} features, got {}", centroids_.cols, x.cols);
  }
  Matrix out(x.rows, centroids_.rows);
  ForEachChunk(RowChunks(x.rows, threads), [&](size_t, RowRange range) {
    Eigen::Map<RowMatrix>(out.row(range.begin), static_cast<Index>(range.size()),
                          static_cast<Index>(centroids_.rows)) =
        SquaredDistances(x, range, centroids_);
  });
  return out;
}

boost::json::object KMeans::Save(std::string& blob) const {
  blob.clear();
  return {{"model_type", "kmeans"},
          {"centroids", MatrixToJson(centroids_)},
          {"training_info", TrainingInfoToJson(info_)}};
}

void KMeans::Load(const boost::json::object& state, const std::string& /*blob*/) {
  ReadEstimatorState("kmeans", [&] {
    Matrix centroids = MatrixFromJson(state.at("centroids"));
    if (centroids.rows == 0) Throw<InternalError>("no centroids");
    info_ = TrainingInfoFromJson(state.at("training_info"));
    centroids_ = std::move(centroids);
  });
}

}  // namespace sluice::ml
