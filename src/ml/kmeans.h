#pragma once

#include <vector>

#include "ml/estimator.h"

namespace sluice::ml {

/// Is `kmeans`: Lloyd's algorithm from k-means++ (or random) seeds. Labels are ignored. Params:
/// `num_clusters` (required: UserError when absent or < 2 or more than the rows),
/// `max_iterations` (20), `min_rel_progress` (0.01: stop when the mean squared distance improves
/// by less than this fraction), `kmeans_init_method` ('kmeans++' or 'random'), `seed` (0).
/// The loss per iteration is the mean squared distance to the nearest centroid. Missing values
/// (NaN) must have been imputed by the caller. On shares (FitShares) k-means++ draws each seed
/// from the D^2 mass of all ranks and Lloyd's steps sum the clusters' rows over the ranks.
class KMeans final : public Estimator {
 public:
  explicit KMeans(Params params);
  void Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) override;
  void FitShares(const Matrix& x, const Labels& y, const EvalSet* eval, int threads,
                 RankReducer& ranks) override;
  /// Returns the squared distance of each row to each centroid (rows x clusters).
  Matrix Predict(const Matrix& x, int threads) const override;
  const std::vector<TrainingIteration>& training_info() const override { return info_; }
  boost::json::object Save(std::string& blob) const override;
  void Load(const boost::json::object& state, const std::string& blob) override;
  /// Returns the centroids, one row per cluster.
  const Matrix& centroids() const { return centroids_; }

 private:
  Params params_;
  Matrix centroids_;
  std::vector<TrainingIteration> info_;
};

}  // namespace sluice::ml
