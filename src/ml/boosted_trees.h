#pragma once

#include <cstdint>
#include <vector>

#include "ml/estimator.h"

namespace sluice::ml {

class XGBoostCollective;

/// Names what a tree model predicts.
enum class TreeTask { kRegression, kClassification };

/// Is one feature's importance in a tree model (ML.FEATURE_IMPORTANCE): how many splits use it,
/// and the total gain and cover of those splits.
struct FeatureImportance {
  double weight = 0;
  double gain = 0;
  double cover = 0;
};

/// Is `boosted_tree_regressor` / `boosted_tree_classifier` and `random_forest_regressor` /
/// `random_forest_classifier` on the XGBoost C API (tree_method hist). Objectives
/// reg:squarederror, binary:logistic, multi:softprob; the loss per iteration is XGBoost's rmse
/// or (m)logloss. Params (BigQuery ML names; boosted / random forest defaults):
/// `max_iterations` (boosting rounds: 20 / 1), `learn_rate` (0.3 / 1), `max_tree_depth` (6 / 20),
/// `subsample` (1 / 0.8), `colsample_bytree` (1), `colsample_bylevel` (1), `colsample_bynode`
/// (1 / 0.8), `min_split_loss` (0), `min_tree_child_weight` (1), `l1_reg` (0), `l2_reg` (1),
/// `num_parallel_tree` (1 / 100), `early_stop` (true: with an evaluation set, stop after the
/// first round whose evaluation loss improves by less than `min_rel_progress` (0.01) and keep
/// the best round), `booster_type` ('gbtree' or 'dart'), `max_bin` (256), `seed` (0).
/// XGBoost errors are translated into UserError or InternalError here.
class BoostedTrees final : public Estimator {
 public:
  BoostedTrees(TreeTask task, bool random_forest, Params params);
  ~BoostedTrees() override;
  BoostedTrees(const BoostedTrees&) = delete;
  BoostedTrees& operator=(const BoostedTrees&) = delete;
  void Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) override;
  /// Trains data-parallel (see Estimator::FitShares) through XGBoost's own collective: rank 0
  /// starts an XGBoostTracker, every rank joins it on a thread of its own and runs
  /// FitDistributed on its share, and rank 0 waits for every worker to leave. The tracker is on
  /// 127.0.0.1 when every rank runs on one host (gethostname), else workers connect to
  /// $SLUICE_TRACKER_HOST or rank 0's host name. A bad share (CheckTreeShares) or a failure
  /// inside XGBoost on any rank throws the same error on every rank.
  void FitShares(const Matrix& x, const Labels& y, const EvalSet* eval, int threads,
                 RankReducer& ranks) override;
  Matrix Predict(const Matrix& x, int threads) const override;
  const std::vector<TrainingIteration>& training_info() const override { return info_; }
  boost::json::object Save(std::string& blob) const override;
  void Load(const boost::json::object& state, const std::string& blob) override;
  /// Trains on this member's rows `x`, `y` together with the other members of `collective`, who
  /// call it at the same time with the same params and their own rows: XGBoost's hist method
  /// sums its sketches and histograms over the members, and the losses (early stopping's too),
  /// so every member ends with the same booster. `eval` (may be null or empty on some members)
  /// holds this member's evaluation rows. A member may have no training rows when another has.
  /// When any member's rows are wrong every member throws, naming the problem.
  /// REQUIRES: called on the thread that holds `collective`.
  void FitDistributed(const XGBoostCollective& collective, const Matrix& x, const Labels& y,
                      const EvalSet* eval, int threads);
  /// Returns the importance of each feature (by feature index; features no split uses get 0).
  std::vector<FeatureImportance> Importance(size_t num_features) const;

 private:
  /// Returns `max_iterations`, throwing UserError when it is below 1.
  int64_t MaxIterations() const;
  /// Boosts on the DMatrix handles `train` and `test` (may be null) and keeps the booster.
  void Train(void* train, void* test, size_t num_classes, int64_t max_iterations, int threads);

  TreeTask task_;
  bool random_forest_;
  Params params_;
  size_t num_classes_ = 0;
  size_t num_features_ = 0;
  int64_t best_iteration_ = -1;  // the last boosting round the booster keeps
  void* booster_ = nullptr;      // BoosterHandle, configured to predict on one thread per call
  std::vector<TrainingIteration> info_;
};

}  // namespace sluice::ml
