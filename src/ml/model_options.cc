#include "ml/model_options.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "base/error.h"
#include "base/strings.h"
#include "sql/names.h"
#include "sql/to_sql.h"

namespace sluice::ml {
namespace {

// Model families an option applies to (a bit each).
constexpr unsigned kLinear = 1, kLogistic = 2, kBoosted = 4, kForest = 8, kKmeans = 16;
constexpr unsigned kTrees = kBoosted | kForest;
constexpr unsigned kSupervised = kLinear | kLogistic | kTrees;
constexpr unsigned kAll = kSupervised | kKmeans;

enum class OptionKind { kNumber, kInteger, kText, kFlag, kTextList };

// Is one row of the option table: its name, value kind, the model families that take it, its
// bounds (numbers), the texts it allows (texts), and whether HPARAM_* may tune it.
struct OptionRule {
  std::string_view name;
  OptionKind kind;
  unsigned families;
  double min;
  double max;
  std::vector<std::string_view> texts;
  bool tunable;
};

constexpr double kInf = HUGE_VAL;

// Every option CREATE MODEL takes, in one place (BigQuery ML names; the last four are ours).
const std::vector<OptionRule>& Rules() {
  static const std::vector<OptionRule> rules = {
      {"model_type", OptionKind::kText, kAll, 0, 0, {}, false},
      {"input_label_cols", OptionKind::kTextList, kSupervised, 0, 0, {}, false},
      {"l1_reg", OptionKind::kNumber, kSupervised, 0, kInf, {}, true},
      {"l2_reg", OptionKind::kNumber, kSupervised, 0, kInf, {}, true},
      {"max_iterations", OptionKind::kInteger, kAll, 1, 100000, {}, true},
      {"min_rel_progress", OptionKind::kNumber, kAll, 0, 1, {}, false},
      {"early_stop", OptionKind::kFlag, kTrees, 0, 0, {}, false},
      {"auto_class_weights", OptionKind::kFlag, kLogistic, 0, 0, {}, false},
      {"learn_rate", OptionKind::kNumber, kBoosted, 0, 1, {}, true},
      {"max_tree_depth", OptionKind::kInteger, kTrees, 1, 100, {}, true},
      {"subsample", OptionKind::kNumber, kTrees, 0, 1, {}, true},
      {"colsample_bytree", OptionKind::kNumber, kTrees, 0, 1, {}, true},
      {"colsample_bylevel", OptionKind::kNumber, kTrees, 0, 1, {}, true},
      {"colsample_bynode", OptionKind::kNumber, kTrees, 0, 1, {}, true},
      {"min_split_loss", OptionKind::kNumber, kTrees, 0, kInf, {}, true},
      {"min_tree_child_weight", OptionKind::kNumber, kTrees, 0, kInf, {}, true},
      {"num_parallel_tree", OptionKind::kInteger, kTrees, 1, 10000, {}, true},
      {"booster_type", OptionKind::kText, kBoosted, 0, 0, {"gbtree", "dart"}, false},
      {"num_clusters", OptionKind::kInteger, kKmeans, 2, 100000, {}, true},
      {"kmeans_init_method", OptionKind::kText, kKmeans, 0, 0, {"kmeans++", "random"}, false},
      {"data_split_method",
       OptionKind::kText,
       kSupervised,
       0,
       0,
       {"auto_split", "random", "custom", "seq", "no_split"},
       false},
      {"data_split_eval_fraction", OptionKind::kNumber, kSupervised, 0, 1, {}, false},
      {"data_split_col", OptionKind::kText, kSupervised, 0, 0, {}, false},
      {"num_trials", OptionKind::kInteger, kAll, 1, 1000, {}, false},
      {"max_parallel_trials", OptionKind::kInteger, kAll, 1, 1000, {}, false},
      {"hparam_tuning_algorithm",
       OptionKind::kText,
       kAll,
       0,
       0,
       {"grid", "random", "halving"},
       false},
      {"hparam_tuning_objectives", OptionKind::kTextList, kAll, 0, 0, {}, false},
      {"num_folds", OptionKind::kInteger, kSupervised, 2, 100, {}, false},
      {"max_categories", OptionKind::kInteger, kAll, 1, 100000, {}, false},
      {"max_bin", OptionKind::kInteger, kTrees, 2, 65536, {}, false},
      {"seed", OptionKind::kInteger, kAll, 0, 9.0e15, {}, false},
  };
  return rules;
}

struct TypeRow {
  std::string_view name;
  ModelType type;
  ModelTask task;
  unsigned family;
};

constexpr TypeRow kTypes[] = {
    {"linear_reg", ModelType::kLinearReg, ModelTask::kRegression, kLinear},
    {"logistic_reg", ModelType::kLogisticReg, ModelTask::kClassification, kLogistic},
    {"boosted_tree_regressor", ModelType::kBoostedTreeRegressor, ModelTask::kRegression, kBoosted},
    {"boosted_tree_classifier", ModelType::kBoostedTreeClassifier, ModelTask::kClassification,
     kBoosted},
    {"random_forest_regressor", ModelType::kRandomForestRegressor, ModelTask::kRegression, kForest},
    {"random_forest_classifier", ModelType::kRandomForestClassifier, ModelTask::kClassification,
     kForest},
    {"kmeans", ModelType::kKmeans, ModelTask::kClustering, kKmeans},
};

const TypeRow& RowOf(ModelType type) {
  for (const TypeRow& row : kTypes) {
    if (row.type == type) return row;
  }
  throw InternalError("unknown model type");
}

[[noreturn]] void Fail(const sql::OptionItem& item, const std::string& message) {
  Throw<UserError>("option {}: {} (line {}, column {})", item.name, message, item.location.line,
                   item.location.column);
}

const OptionRule& RuleOf(const sql::OptionItem& item) {
  for (const OptionRule& rule : Rules()) {
    if (rule.name == item.name) return rule;
  }
  std::vector<std::string> names;
  for (const OptionRule& rule : Rules()) names.emplace_back(rule.name);
  std::optional<std::string> closest = sql::ClosestName(item.name, names);
  Fail(item, closest ? "unknown option; did you mean " + *closest + "?" : "unknown option");
}

// Returns a constant option value: a string, a number (signed), TRUE/FALSE.
std::optional<ParamValue> Constant(const sql::Expr& expr) {
  if (expr.kind == sql::ExprKind::kUnary) {
    const auto& unary = expr.As<sql::UnaryExpr>();
    std::optional<ParamValue> inner = Constant(*unary.operand);
    if (unary.op != sql::UnaryOp::kNegate || !inner || !std::holds_alternative<double>(*inner)) {
      return std::nullopt;
    }
    return -std::get<double>(*inner);
  }
  if (expr.kind != sql::ExprKind::kLiteral) return std::nullopt;
  const auto& literal = expr.As<sql::LiteralExpr>();
  switch (literal.literal_kind) {
    case sql::LiteralKind::kBoolean:
      return literal.boolean_value;
    case sql::LiteralKind::kInteger:
      return static_cast<double>(literal.integer_value);
    case sql::LiteralKind::kDouble:
      return literal.double_value;
    case sql::LiteralKind::kString:
      return literal.text;
    case sql::LiteralKind::kNull:
      break;
  }
  return std::nullopt;
}

std::string_view KindName(OptionKind kind) {
  switch (kind) {
    case OptionKind::kNumber:
      return "a number";
    case OptionKind::kInteger:
      return "an integer";
    case OptionKind::kText:
      return "a string";
    case OptionKind::kFlag:
      return "TRUE or FALSE";
    case OptionKind::kTextList:
      return "a list of strings such as ['a', 'b']";
  }
  return "?";
}

// Checks a single value against `rule`; returns it with texts lower-cased where they name
// choices.
ParamValue CheckValue(const sql::OptionItem& item, const OptionRule& rule,
                      std::optional<ParamValue> value) {
  auto wrong = [&] { Fail(item, "takes " + std::string(KindName(rule.kind))); };
  if (!value) wrong();
  if (rule.kind == OptionKind::kNumber || rule.kind == OptionKind::kInteger) {
    if (!std::holds_alternative<double>(*value)) wrong();
    double number = std::get<double>(*value);
    if (rule.kind == OptionKind::kInteger && number != std::floor(number)) wrong();
    if (number < rule.min || number > rule.max) {
      Fail(item, fmt::format("must be between {} and {}", rule.min, rule.max));
    }
    return *value;
  }
  if (rule.kind == OptionKind::kFlag) {
    if (!std::holds_alternative<bool>(*value)) wrong();
    return *value;
  }
  if (!std::holds_alternative<std::string>(*value)) wrong();
  std::string text = std::get<std::string>(*value);
  if (rule.texts.empty()) return text;
  text = AsciiLower(text);
  if (std::find(rule.texts.begin(), rule.texts.end(), text) == rule.texts.end()) {
    std::string allowed;
    for (std::string_view t : rule.texts)
      allowed += (allowed.empty() ? "'" : ", '") + std::string(t) + "'";
    Fail(item, "must be one of " + allowed);
  }
  return text;
}

std::vector<std::string> TextList(const sql::OptionItem& item, const OptionRule& rule) {
  if (item.value->kind != sql::ExprKind::kList)
    Fail(item, "takes " + std::string(KindName(rule.kind)));
  std::vector<std::string> texts;
  for (const sql::ExprPtr& element : item.value->As<sql::ListExpr>().elements) {
    std::optional<ParamValue> value = Constant(*element);
    if (!value || !std::holds_alternative<std::string>(*value)) {
      Fail(item, "takes " + std::string(KindName(rule.kind)));
    }
    texts.push_back(std::get<std::string>(*value));
  }
  if (texts.empty()) Fail(item, "needs at least one name");
  return texts;
}

// Returns the search space of HPARAM_RANGE(a, b) / HPARAM_CANDIDATES([...]), or nullopt.
std::optional<Hparam> SearchSpace(const sql::OptionItem& item, const OptionRule& rule) {
  if (item.value->kind != sql::ExprKind::kFunction) return std::nullopt;
  const auto& call = item.value->As<sql::FunctionExpr>();
  const std::string& name = call.name.back();
  if (name != "hparam_range" && name != "hparam_candidates") return std::nullopt;
  if (!rule.tunable) Fail(item, "cannot be tuned");
  Hparam hparam{item.name, rule.kind == OptionKind::kInteger, name == "hparam_range", 0, 0, {}};
  if (hparam.range) {
    if (call.args.size() != 2) Fail(item, "HPARAM_RANGE takes (min, max)");
    hparam.min = std::get<double>(CheckValue(item, rule, Constant(*call.args[0])));
    hparam.max = std::get<double>(CheckValue(item, rule, Constant(*call.args[1])));
    if (hparam.min > hparam.max) Fail(item, "HPARAM_RANGE's min is above its max");
    return hparam;
  }
  if (call.args.size() != 1 || call.args[0]->kind != sql::ExprKind::kList) {
    Fail(item, "HPARAM_CANDIDATES takes a list such as [4, 6, 8]");
  }
  for (const sql::ExprPtr& element : call.args[0]->As<sql::ListExpr>().elements) {
    hparam.candidates.push_back(CheckValue(item, rule, Constant(*element)));
  }
  if (hparam.candidates.empty()) Fail(item, "HPARAM_CANDIDATES needs at least one value");
  return hparam;
}

double NumberOf(const ParamValue& value) { return std::get<double>(value); }
std::string TextOf(const ParamValue& value) { return std::get<std::string>(value); }

// Applies an option that shapes training around the model (split, tuning, ...) rather than
// the estimator; returns false for estimator parameters.
bool ApplySetting(const std::string& name, const ParamValue& value, ModelOptions& options) {
  if (name == "data_split_method")
    options.data_split_method = TextOf(value);
  else if (name == "data_split_eval_fraction")
    options.data_split_eval_fraction = NumberOf(value);
  else if (name == "data_split_col")
    options.data_split_col = TextOf(value);
  else if (name == "num_folds")
    options.num_folds = static_cast<int64_t>(NumberOf(value));
  else if (name == "num_trials")
    options.num_trials = static_cast<int64_t>(NumberOf(value));
  else if (name == "max_parallel_trials")
    options.max_parallel_trials = static_cast<int64_t>(NumberOf(value));
  else if (name == "hparam_tuning_algorithm")
    options.hparam_tuning_algorithm = TextOf(value);
  else if (name == "max_categories")
    options.max_categories = static_cast<int64_t>(NumberOf(value));
  else if (name == "seed")
    options.seed = static_cast<int64_t>(NumberOf(value));
  else
    return false;
  return true;
}

ModelType TypeOption(const std::vector<sql::OptionItem>& items) {
  for (const sql::OptionItem& item : items) {
    if (item.name != "model_type") continue;
    std::optional<ParamValue> value = Constant(*item.value);
    if (!value || !std::holds_alternative<std::string>(*value)) Fail(item, "takes a string");
    std::string name = AsciiLower(std::get<std::string>(*value));
    for (const TypeRow& row : kTypes) {
      if (row.name == name) return row.type;
    }
    Fail(item, "unknown model type '" + std::get<std::string>(*value) +
                   "'; Sluice trains linear_reg, logistic_reg, boosted_tree_regressor, "
                   "boosted_tree_classifier, random_forest_regressor, "
                   "random_forest_classifier and kmeans");
  }
  Throw<UserError>("CREATE MODEL needs OPTIONS (model_type = '...')");
}

void CheckComplete(const std::vector<sql::OptionItem>& items, ModelOptions& options) {
  bool supervised = TaskOf(options.type) != ModelTask::kClustering;
  if (supervised && options.label_columns.empty()) {
    Throw<UserError>("{} needs OPTIONS (input_label_cols = ['column'])",
                     ModelTypeName(options.type));
  }
  if (options.label_columns.size() > 1) {
    Throw<UserError>("input_label_cols names one label column");
  }
  bool custom = options.data_split_method == "custom" || options.data_split_method == "seq";
  if (custom && options.data_split_col.empty()) {
    Throw<UserError>("data_split_method '{}' needs data_split_col", options.data_split_method);
  }
  if (!options.hparams.empty() && options.num_trials < 2) {
    for (const sql::OptionItem& item : items) {
      if (item.name == options.hparams[0].name) Fail(item, "is tuned: set num_trials to 2 or more");
    }
  }
}

}  // namespace

std::string_view ModelTypeName(ModelType type) { return RowOf(type).name; }

ModelTask TaskOf(ModelType type) { return RowOf(type).task; }

ModelOptions ParseModelOptions(const std::vector<sql::OptionItem>& items) {
  ModelOptions options;
  options.type = TypeOption(items);
  unsigned family = RowOf(options.type).family;
  for (const sql::OptionItem& item : items) {
    options.written.emplace_back(item.name, sql::ToSql(*item.value));
    const OptionRule& rule = RuleOf(item);
    if ((rule.families & family) == 0) {
      Fail(item, "does not apply to model_type '" + std::string(ModelTypeName(options.type)) + "'");
    }
    if (item.name == "model_type") continue;
    if (rule.kind == OptionKind::kTextList) {
      std::vector<std::string> texts = TextList(item, rule);
      if (item.name == "input_label_cols")
        options.label_columns = std::move(texts);
      else
        options.hparam_tuning_objective = texts[0];
      continue;
    }
    if (std::optional<Hparam> hparam = SearchSpace(item, rule)) {
      options.hparams.push_back(std::move(*hparam));
      continue;
    }
    ParamValue value = CheckValue(item, rule, Constant(*item.value));
    if (!ApplySetting(item.name, value, options)) options.params.Set(item.name, value);
  }
  CheckComplete(items, options);
  return options;
}

}  // namespace sluice::ml
