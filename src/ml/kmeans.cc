#include "ml/kmeans.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <string_view>
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

}  // namespace

KMeans::KMeans(Params params) : params_(std::move(params)) {}

void KMeans::Fit(const Matrix& x, const Labels& /*y*/, const EvalSet* eval, int threads) {
  const TrainingClock clock;
  const size_t k = NumClusters(params_, x.rows);
  CheckFeatures(x);
  std::string init = params_.Text("kmeans_init_method", "kmeans++");
  std::transform(init.begin(), init.end(), init.begin(), [](char c) { return std::tolower(c); });
  if (init != "kmeans++" && init != "random") {
    Throw("kmeans supports kmeans_init_method 'kmeans++' or 'random', not '{}'", init);
  }
  std::mt19937_64 rng(static_cast<uint64_t>(params_.Integer("seed", 0)));
  centroids_ = init == "random" ? RandomSeeds(x, k, rng) : PlusPlusSeeds(x, k, rng, threads);
  const int64_t max_iterations = std::max<int64_t>(params_.Integer("max_iterations", 20), 1);
  const double min_rel_progress = params_.Number("min_rel_progress", 0.01);
  const double rows = static_cast<double>(x.rows);
  info_.clear();
  Assignment assignment = Assign(x, centroids_, threads);
  double previous = assignment.total / rows;
  for (int64_t iteration = 0; iteration < max_iterations; ++iteration) {
    UpdateCentroids(x, assignment, centroids_);
    assignment = Assign(x, centroids_, threads);
    const double loss = assignment.total / rows;
    std::optional<double> eval_loss;
    if (eval != nullptr) eval_loss = MeanSquaredDistance(eval->x, centroids_, threads);
    clock.Append(info_, loss, eval_loss);
    if (previous - loss <= min_rel_progress * previous) break;
    previous = loss;
  }
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
