#include "ml/boosted_trees.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <xgboost/c_api.h>
#include <boost/json.hpp>

#include "base/error.h"
#include "base/strings.h"
#include "ml/estimator_state.h"
#include "ml/row_chunks.h"
#include "ml/training_clock.h"
#include "ml/tree_inputs.h"
#include "ml/xgboost_error.h"

namespace sluice::ml {
namespace {

// Fewer rows than this per chunk do not pay for predicting the chunk on a thread of its own.
constexpr size_t kMinRowsPerPredictChunk = 512;

// Inplace prediction keeps no cache in the booster, which makes it safe from several threads.
constexpr const char* kPredictConfig =
    R"({"type":0,"training":false,"iteration_begin":0,"iteration_end":0,)"
    R"("strict_shape":false,"cache_id":0,"missing":NaN})";

/// Throws `E` with XGBoost's message when `status` reports that `what` failed.
template <typename E>
void Check(int status, std::string_view what) {
  CheckXGBoost<E>(status, what);
}

template <auto kFree>
struct HandleFree {
  void operator()(void* handle) const { kFree(handle); }
};
using DMatrixPtr = std::unique_ptr<void, HandleFree<XGDMatrixFree>>;
using BoosterPtr = std::unique_ptr<void, HandleFree<XGBoosterFree>>;

/// Is the outcome of the boosting loop: the loss per round and the last round to keep.
struct Training {
  std::vector<TrainingIteration> info;
  int64_t best_iteration = 0;
};

/// Is the part of Save's state that Load reads back besides the booster.
struct StoredState {
  TreeTask task = TreeTask::kRegression;
  bool random_forest = false;
  size_t num_classes = 0;
  size_t num_features = 0;
  int64_t best_iteration = 0;
  std::vector<TrainingIteration> info;
};

/// Returns XGBoost's name of the booster in `booster_type`.
std::string BoosterName(const Params& params) {
  std::string name = params.Text("booster_type", "gbtree");
  if (EqualsIgnoreCase(name, "gbtree")) return "gbtree";
  if (EqualsIgnoreCase(name, "dart")) return "dart";
  Throw<UserError>("booster_type must be 'gbtree' or 'dart', not '{}'", name);
}

/// Returns the booster parameters for the BigQuery ML options in `params`.
std::vector<std::pair<std::string, std::string>> BoosterSettings(TreeTask task, bool forest,
                                                                 const Params& params,
                                                                 size_t num_classes, int threads) {
  auto number = [&](std::string_view name, double boosted, double forest_default) {
    return fmt::format("{}", params.Number(name, forest ? forest_default : boosted));
  };
  auto integer = [&](std::string_view name, int64_t boosted, int64_t forest_default) {
    return std::to_string(params.Integer(name, forest ? forest_default : boosted));
  };
  std::vector<std::pair<std::string, std::string>> settings = {
      {"booster", BoosterName(params)},
      {"tree_method", "hist"},
      {"nthread", std::to_string(threads)},
      {"verbosity", "0"},
      {"eta", number("learn_rate", 0.3, 1)},
      {"max_depth", integer("max_tree_depth", 6, 20)},
      {"subsample", number("subsample", 1, 0.8)},
      {"colsample_bytree", number("colsample_bytree", 1, 1)},
      {"colsample_bylevel", number("colsample_bylevel", 1, 1)},
      {"colsample_bynode", number("colsample_bynode", 1, 0.8)},
      {"gamma", number("min_split_loss", 0, 0)},
      {"min_child_weight", number("min_tree_child_weight", 1, 1)},
      {"alpha", number("l1_reg", 0, 0)},
      {"lambda", number("l2_reg", 1, 1)},
      {"num_parallel_tree", integer("num_parallel_tree", 1, 100)},
      {"max_bin", integer("max_bin", 256, 256)},
      {"seed", integer("seed", 0, 0)}};
  if (task == TreeTask::kRegression) {
    settings.insert(settings.end(), {{"objective", "reg:squarederror"}, {"eval_metric", "rmse"}});
  } else if (num_classes == 2) {
    settings.insert(settings.end(), {{"objective", "binary:logistic"}, {"eval_metric", "logloss"}});
  } else {
    settings.insert(settings.end(), {{"objective", "multi:softprob"},
                                     {"num_class", std::to_string(num_classes)},
                                     {"eval_metric", "mlogloss"}});
  }
  return settings;
}

/// Returns a DMatrix of `x` (as floats; NaN is missing) labelled with `y`.
DMatrixPtr MakeDMatrix(const Matrix& x, const Labels& y, int threads) {
  std::vector<float> values(x.values.begin(), x.values.end());
  DMatrixHandle handle = nullptr;
  Check<UserError>(
      XGDMatrixCreateFromMat_omp(values.data(), x.rows, x.cols,
                                 std::numeric_limits<float>::quiet_NaN(), &handle, threads),
      "to convert the features");
  DMatrixPtr matrix(handle);
  std::vector<float> labels(y.values.begin(), y.values.end());
  Check<UserError>(XGDMatrixSetFloatInfo(handle, "label", labels.data(), labels.size()),
                   "to set the labels");
  return matrix;
}

/// Returns a booster with `settings` that caches predictions for `train` and `eval` (may be null).
BoosterPtr MakeBooster(DMatrixHandle train, DMatrixHandle eval,
                       const std::vector<std::pair<std::string, std::string>>& settings) {
  DMatrixHandle cached[] = {train, eval};
  BoosterHandle handle = nullptr;
  Check<UserError>(XGBoosterCreate(cached, eval != nullptr ? 2 : 1, &handle),
                   "to create a booster");
  BoosterPtr booster(handle);
  for (const auto& [name, value] : settings) {
    Check<UserError>(XGBoosterSetParam(handle, name.c_str(), value.c_str()),
                     fmt::format("to set {} to {}", name, value));
  }
  return booster;
}

/// Returns round `iteration`'s losses from XGBoost's line "[3]\ttrain-rmse:0.1\teval-rmse:0.2"
/// (without the eval entry when `has_eval` is false).
TrainingIteration ParseEvaluation(std::string_view line, int64_t iteration, bool has_eval) {
  TrainingIteration round;
  round.iteration = iteration;
  bool has_loss = false;
  for (size_t tab = line.find('\t'); tab != std::string_view::npos;
       tab = line.find('\t', tab + 1)) {
    std::string_view entry = line.substr(tab + 1, line.find('\t', tab + 1) - tab - 1);
    const char* end = entry.data() + entry.size();
    double loss = 0;
    if (std::from_chars(entry.data() + entry.rfind(':') + 1, end, loss).ptr != end) {
      Throw<InternalError>("cannot read the loss in XGBoost's evaluation '{}'", entry);
    }
    if (entry.starts_with("train-")) {
      round.loss = loss;
      has_loss = true;
    } else if (entry.starts_with("eval-")) {
      round.eval_loss = loss;
    }
  }
  if (!has_loss || round.eval_loss.has_value() != has_eval) {
    Throw<InternalError>("XGBoost's evaluation '{}' lacks a loss", line);
  }
  return round;
}

/// Returns the losses on `train` and `eval` (may be null) after round `iteration`.
TrainingIteration Evaluate(BoosterHandle booster, int64_t iteration, DMatrixHandle train,
                           DMatrixHandle eval) {
  DMatrixHandle sets[] = {train, eval};
  const char* names[] = {"train", "eval"};
  const char* line = nullptr;
  Check<UserError>(XGBoosterEvalOneIter(booster, static_cast<int>(iteration), sets, names,
                                        eval != nullptr ? 2 : 1, &line),
                   "to evaluate the loss");
  return ParseEvaluation(line, iteration, eval != nullptr);
}

/// Returns true when the loss went from `previous` to `current` by less than `min_rel_progress`.
bool Stalled(double previous, double current, double min_rel_progress) {
  if (previous <= 0) return true;  // a perfect fit cannot improve
  return (previous - current) / previous < min_rel_progress;
}

/// Runs `max_iterations` boosting rounds on `booster`, fewer when it stops early.
Training Boost(BoosterHandle booster, DMatrixHandle train, DMatrixHandle eval,
               int64_t max_iterations, const Params& params) {
  Training training;
  const bool early_stop = eval != nullptr && params.Flag("early_stop", true);
  const double min_rel_progress = params.Number("min_rel_progress", 0.01);
  const TrainingClock clock;
  double best_loss = std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < max_iterations; ++i) {
    Check<UserError>(XGBoosterUpdateOneIter(booster, static_cast<int>(i), train), "to train");
    TrainingIteration round = Evaluate(booster, i, train, eval);
    round.duration_ms = clock.ElapsedMilliseconds();
    training.info.push_back(round);
    if (!early_stop) {
      training.best_iteration = i;
      continue;
    }
    if (*round.eval_loss < best_loss) {
      best_loss = *round.eval_loss;
      training.best_iteration = i;
    }
    if (i > 0 && Stalled(*training.info[i - 1].eval_loss, *round.eval_loss, min_rel_progress)) {
      break;
    }
  }
  return training;
}

/// Returns a booster with the first `rounds` boosting rounds of `booster`.
BoosterPtr KeepRounds(BoosterHandle booster, int64_t rounds) {
  BoosterHandle sliced = nullptr;
  Check<InternalError>(XGBoosterSlice(booster, 0, static_cast<int>(rounds), 1, &sliced),
                       "to keep the best rounds");
  return BoosterPtr(sliced);
}

/// Configures `booster` for Predict and returns its number of features.
size_t PrepareToPredict(BoosterHandle booster) {
  // Predict runs its own threads; configuring now (GetNumFeature does) keeps concurrent Predict
  // calls from configuring the booster at the same time.
  Check<InternalError>(XGBoosterSetParam(booster, "nthread", "1"), "to set nthread");
  bst_ulong num_features = 0;
  Check<InternalError>(XGBoosterGetNumFeature(booster, &num_features), "to configure the model");
  return num_features;
}

/// Writes the outputs for the rows `range` of `x` into the same rows of `out`.
void PredictRows(BoosterHandle booster, const Matrix& x, RowRange range, size_t num_classes,
                 Matrix& out) {
  const auto [begin, end] = range;
  std::string array =
      fmt::format(R"({{"data":[{},true],"shape":[{},{}],"typestr":"<f8","version":3}})",
                  reinterpret_cast<std::uintptr_t>(x.row(begin)), end - begin, x.cols);
  const bst_ulong* shape = nullptr;
  bst_ulong dimensions = 0;
  const float* result = nullptr;
  Check<InternalError>(XGBoosterPredictFromDense(booster, array.c_str(), kPredictConfig, nullptr,
                                                 &shape, &dimensions, &result),
                       "to predict");
  const size_t per_row = num_classes > 2 ? num_classes : 1;
  size_t size = std::accumulate(shape, shape + dimensions, size_t{1}, std::multiplies<>());
  if (size != (end - begin) * per_row) {
    Throw<InternalError>("XGBoost predicted {} values for {} rows", size, end - begin);
  }
  for (size_t row = begin; row < end; ++row) {
    const float* values = result + (row - begin) * per_row;
    if (num_classes == 2) {
      out.at(row, 0) = 1 - static_cast<double>(values[0]);
      out.at(row, 1) = values[0];
    } else {
      std::copy_n(values, per_row, out.row(row));
    }
  }
}

/// Returns XGBoost's `type` importance ("weight", "total_gain", ...) per feature index.
std::vector<std::pair<size_t, double>> FeatureScores(BoosterHandle booster, std::string_view type) {
  std::string config = fmt::format(R"({{"importance_type":"{}"}})", type);
  bst_ulong num_features = 0;
  const char** names = nullptr;
  bst_ulong dimensions = 0;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  Check<InternalError>(XGBoosterFeatureScore(booster, config.c_str(), &num_features, &names,
                                             &dimensions, &shape, &scores),
                       "to compute feature importance");
  std::vector<std::pair<size_t, double>> result;
  for (bst_ulong i = 0; i < num_features; ++i) {
    // Without feature names XGBoost names the features f0, f1, ...
    std::string_view name = names[i];
    size_t index = 0;
    auto [end, error] = std::from_chars(name.data() + 1, name.data() + name.size(), index);
    if (!name.starts_with('f') || error != std::errc() || end != name.data() + name.size()) {
      Throw<InternalError>("XGBoost names a feature '{}'", name);
    }
    result.emplace_back(index, scores[i]);
  }
  return result;
}

/// Returns Save's `state` as read back; the JSON accessors throw on a missing or wrong field.
StoredState ReadState(const boost::json::object& state) {
  StoredState stored;
  std::string_view task = state.at("task").as_string();
  stored.task = task == "regression" ? TreeTask::kRegression : TreeTask::kClassification;
  stored.random_forest = state.at("random_forest").as_bool();
  stored.num_classes = state.at("num_classes").to_number<size_t>();
  if (stored.task == TreeTask::kRegression ? stored.num_classes != 0
                                           : task != "classification" || stored.num_classes < 2) {
    Throw<InternalError>("a {} model with {} classes", task, stored.num_classes);
  }
  stored.num_features = state.at("num_features").to_number<size_t>();
  stored.best_iteration = state.at("best_iteration").to_number<int64_t>();
  stored.info = TrainingInfoFromJson(state.at("training_info"));
  return stored;
}

/// Returns a booster read from Save's `blob`.
BoosterPtr LoadBooster(const std::string& blob) {
  if (blob.empty()) Throw<InternalError>("the boosted tree model has no booster");
  BoosterHandle handle = nullptr;
  Check<InternalError>(XGBoosterCreate(nullptr, 0, &handle), "to create a booster");
  BoosterPtr booster(handle);
  Check<InternalError>(XGBoosterLoadModelFromBuffer(handle, blob.data(), blob.size()),
                       "to load the model");
  return booster;
}

}  // namespace

BoostedTrees::BoostedTrees(TreeTask task, bool random_forest, Params params)
    : task_(task), random_forest_(random_forest), params_(std::move(params)) {}

BoostedTrees::~BoostedTrees() { BoosterPtr owned(booster_); }

void BoostedTrees::Fit(const Matrix& x, const Labels& y, const EvalSet* eval, int threads) {
  CheckTreeInputs(x, y, eval);
  if (eval != nullptr && eval->x.rows == 0) eval = nullptr;
  const size_t num_classes = task_ == TreeTask::kClassification ? CheckClasses(y) : 0;
  const int64_t max_iterations = MaxIterations();
  threads = std::max(threads, 1);
  DMatrixPtr train = MakeDMatrix(x, y, threads);
  DMatrixPtr test = eval != nullptr ? MakeDMatrix(eval->x, eval->y, threads) : nullptr;
  Train(train.get(), test.get(), num_classes, max_iterations, threads);
}

void BoostedTrees::FitDistributed(const XGBoostCollective& collective, const Matrix& x,
                                  const Labels& y, const EvalSet* eval, int threads) {
  const ShardAgreement agreement =
      AgreeOnShards(collective, task_ == TreeTask::kClassification, x, y, eval);
  const int64_t max_iterations = MaxIterations();
  threads = std::max(threads, 1);
  // Making a DMatrix is a collective call (XGBoost agrees on the number of features), so a
  // member without evaluation rows makes an empty one when the others make theirs.
  DMatrixPtr train = MakeDMatrix(x, y, threads);
  DMatrixPtr test;
  if (agreement.has_eval && eval != nullptr) {
    test = MakeDMatrix(eval->x, eval->y, threads);
  } else if (agreement.has_eval) {
    test = MakeDMatrix(Matrix(0, x.cols), Labels{{}, y.num_classes}, threads);
  }
  Train(train.get(), test.get(), agreement.num_classes, max_iterations, threads);
}

int64_t BoostedTrees::MaxIterations() const {
  const int64_t max_iterations = params_.Integer("max_iterations", random_forest_ ? 1 : 20);
  if (max_iterations < 1) {
    Throw<UserError>("max_iterations must be at least 1, not {}", max_iterations);
  }
  return max_iterations;
}

void BoostedTrees::Train(void* train, void* test, size_t num_classes, int64_t max_iterations,
                         int threads) {
  BoosterPtr booster = MakeBooster(
      train, test, BoosterSettings(task_, random_forest_, params_, num_classes, threads));
  Training training = Boost(booster.get(), train, test, max_iterations, params_);
  if (training.best_iteration + 1 < static_cast<int64_t>(training.info.size())) {
    booster = KeepRounds(booster.get(), training.best_iteration + 1);
  }
  num_features_ = PrepareToPredict(booster.get());
  BoosterPtr previous(std::exchange(booster_, booster.release()));
  num_classes_ = num_classes;
  best_iteration_ = training.best_iteration;
  info_ = std::move(training.info);
}

Matrix BoostedTrees::Predict(const Matrix& x, int threads) const {
  if (booster_ == nullptr) Throw<InternalError>("the boosted tree model is not trained");
  if (x.cols != num_features_ || x.values.size() != x.rows * x.cols) {
    Throw<InternalError>("the boosted tree model has {} features, the input {}", num_features_,
                         x.cols);
  }
  Matrix out(x.rows, task_ == TreeTask::kRegression ? 1 : num_classes_);
  ForEachChunk(RowChunks(x.rows, std::max(threads, 1), kMinRowsPerPredictChunk),
               [&](size_t, RowRange range) {
                 if (range.size() > 0) PredictRows(booster_, x, range, num_classes_, out);
               });
  return out;
}

boost::json::object BoostedTrees::Save(std::string& blob) const {
  if (booster_ == nullptr) Throw<InternalError>("the boosted tree model is not trained");
  bst_ulong length = 0;
  const char* data = nullptr;
  Check<InternalError>(XGBoosterSaveModelToBuffer(booster_, R"({"format":"ubj"})", &length, &data),
                       "to save the model");
  blob.assign(data, length);
  return boost::json::object{
      {"task", task_ == TreeTask::kRegression ? "regression" : "classification"},
      {"random_forest", random_forest_},
      {"num_classes", num_classes_},
      {"num_features", num_features_},
      {"best_iteration", best_iteration_},
      {"training_info", TrainingInfoToJson(info_)}};
}

void BoostedTrees::Load(const boost::json::object& state, const std::string& blob) {
  StoredState stored;
  try {
    stored = ReadState(state);
  } catch (const std::exception& error) {
    Throw<InternalError>("cannot read the boosted tree model's state: {}", error.what());
  }
  BoosterPtr booster = LoadBooster(blob);
  if (PrepareToPredict(booster.get()) != stored.num_features) {
    Throw<InternalError>("the stored booster does not have {} features", stored.num_features);
  }
  BoosterPtr previous(std::exchange(booster_, booster.release()));
  task_ = stored.task;
  random_forest_ = stored.random_forest;
  num_classes_ = stored.num_classes;
  num_features_ = stored.num_features;
  best_iteration_ = stored.best_iteration;
  info_ = std::move(stored.info);
}

std::vector<FeatureImportance> BoostedTrees::Importance(size_t num_features) const {
  if (booster_ == nullptr) Throw<InternalError>("the boosted tree model is not trained");
  std::vector<FeatureImportance> importance(num_features);
  const std::pair<const char*, double FeatureImportance::*> kinds[] = {
      {"weight", &FeatureImportance::weight},
      {"total_gain", &FeatureImportance::gain},
      {"total_cover", &FeatureImportance::cover}};
  for (const auto& [type, member] : kinds) {
    for (const auto& [index, score] : FeatureScores(booster_, type)) {
      if (index < num_features) importance[index].*member = score;
    }
  }
  return importance;
}

}  // namespace sluice::ml
