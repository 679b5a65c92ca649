#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ml/params.h"
#include "sql/ast.h"

namespace sluice::ml {

/// Names the model types of CREATE MODEL (BigQuery ML's `model_type`).
enum class ModelType {
  kLinearReg,
  kLogisticReg,
  kBoostedTreeRegressor,
  kBoostedTreeClassifier,
  kRandomForestRegressor,
  kRandomForestClassifier,
  kKmeans,
};

/// Names what a model predicts.
enum class ModelTask { kRegression, kClassification, kClustering };

/// Returns the option spelling of `type` ("boosted_tree_regressor").
std::string_view ModelTypeName(ModelType type);
/// Returns what models of `type` predict.
ModelTask TaskOf(ModelType type);

/// Is a tuned parameter's search space: `HPARAM_RANGE(min, max)` (numbers; integers for
/// integer options) or `HPARAM_CANDIDATES([a, b, ...])`.
struct Hparam {
  std::string name;
  bool integer = false;
  bool range = false;
  double min = 0;
  double max = 0;
  std::vector<ParamValue> candidates;
};

/// Is the checked OPTIONS of CREATE MODEL.
struct ModelOptions {
  ModelType type = ModelType::kLinearReg;
  std::vector<std::string> label_columns;  // input_label_cols
  Params params;                           // training parameters given as plain values
  std::vector<Hparam> hparams;             // tuned parameters
  std::string data_split_method = "auto_split";
  double data_split_eval_fraction = 0.2;
  std::string data_split_col;
  int64_t num_folds = 0;  // k-fold cross-validation when >= 2
  int64_t num_trials = 1;
  int64_t max_parallel_trials = 1;
  std::string hparam_tuning_algorithm = "random";
  std::string hparam_tuning_objective;  // empty: the model type's default
  int64_t max_categories = 100;
  int64_t seed = 0;
  std::vector<std::pair<std::string, std::string>> written;  // every option as written (SQL)
};

/// Returns the options of a CREATE MODEL. Throws UserError naming the option, its line and
/// column for an unknown option, one that the model type does not take, a value of the wrong
/// type or out of range, or a missing `model_type` / `input_label_cols`.
ModelOptions ParseModelOptions(const std::vector<sql::OptionItem>& items);

}  // namespace sluice::ml
