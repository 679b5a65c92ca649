#include "ml/training_setup.h"

#include <cmath>
#include <set>

#include "base/error.h"
#include "ml/metrics.h"

namespace sluice::ml {
namespace {

std::string DefaultObjective(ModelType type) {
  switch (TaskOf(type)) {
    case ModelTask::kRegression:
      return "r2_score";
    case ModelTask::kClassification:
      return "roc_auc";
    case ModelTask::kClustering:
      break;
  }
  return "davies_bouldin_index";
}

// Returns the label values of `column` as text, of every rank with `ranks`.
std::set<std::string> ClassesOf(const Column& column, RankReducer* ranks) {
  std::set<std::string> classes;
  size_t rows = column.is_text() ? column.texts.size() : column.numbers.size();
  for (size_t row = 0; row < rows; ++row) classes.insert(TextAt(column, row));
  if (ranks == nullptr) return classes;
  std::string mine;  // the classes, each ended by a NUL (label texts hold none)
  for (const std::string& value : classes) mine += value + '\0';
  for (const std::string& part : ranks->AllGather(mine)) {
    for (size_t at = 0, end = 0; at < part.size(); at = end + 1) {
      end = part.find('\0', at);
      classes.insert(part.substr(at, end - at));
    }
  }
  return classes;
}

LabelSpec MakeLabelSpec(const ModelOptions& options, const Column& column, RankReducer* ranks) {
  LabelSpec label{column.name, column.type, {}};
  if (TaskOf(options.type) != ModelTask::kClassification) {
    if (column.is_text()) {
      Throw<UserError>("{} predicts a number, but label column \"{}\" is VARCHAR",
                       ModelTypeName(options.type), column.name);
    }
    return label;
  }
  std::set<std::string> classes = ClassesOf(column, ranks);
  if (classes.size() < 2) {
    Throw<UserError>(
        "label column \"{}\" has a single class ('{}'): a classifier needs two or more",
        column.name, classes.empty() ? "" : *classes.begin());
  }
  label.classes.assign(classes.begin(), classes.end());
  return label;
}

}  // namespace

const Column& LabelColumn(const ModelOptions& options, const Table& data) {
  const Column* column = data.Find(options.label_columns[0]);
  if (column == nullptr) {
    Throw<UserError>("input_label_cols names \"{}\", which the model's query does not return",
                     options.label_columns[0]);
  }
  return *column;
}

std::vector<size_t> LabelledRows(const Table& data, const Column& label) {
  std::vector<size_t> rows;
  for (size_t row = 0; row < data.num_rows; ++row) {
    if (!label.IsNull(row)) rows.push_back(row);
  }
  return rows;
}

Setup MakeSetup(const ModelOptions& options, const Table& data, RankReducer* ranks) {
  Setup setup{options, {}, {}, {}, options.hparam_tuning_objective};
  if (setup.objective.empty()) setup.objective = DefaultObjective(options.type);
  if (TaskOf(options.type) != ModelTask::kClustering) {
    const Column& label = LabelColumn(options, data);
    setup.label = MakeLabelSpec(options, label, ranks);
    setup.excluded.push_back(label.name);
  }
  if (options.data_split_method == "custom" || options.data_split_method == "seq") {
    setup.excluded.push_back(options.data_split_col);
  }
  ModelType type = options.type;
  setup.feature_options.standardize = type == ModelType::kLinearReg ||
                                      type == ModelType::kLogisticReg || type == ModelType::kKmeans;
  setup.feature_options.max_categories = static_cast<size_t>(options.max_categories);
  return setup;
}

Split SplitRows(const ModelOptions& options, const Table& data, RankReducer* ranks) {
  const std::string& method = options.data_split_method;
  const size_t rows = ranks == nullptr ? data.num_rows : SumOverRanks(*ranks, data.num_rows);
  // k-means takes no data_split_* options (as in BigQuery ML): it trains on every row.
  const bool clustering = TaskOf(options.type) == ModelTask::kClustering;
  if (clustering || method == "no_split" || (method == "auto_split" && rows < 500)) {
    Split split;
    for (size_t row = 0; row < data.num_rows; ++row) split.train.push_back(row);
    return split;
  }
  double fraction = options.data_split_eval_fraction;
  if (method == "auto_split" && rows > 50'000) fraction = 10'000.0 / static_cast<double>(rows);
  const auto seed = static_cast<uint64_t>(options.seed);
  if (method == "random" || method == "auto_split") {
    return ranks == nullptr ? RandomSplit(rows, fraction, seed)
                            : HashedSplit(HashRows(data), fraction, seed);
  }
  const Column* column = data.Find(options.data_split_col);
  if (column == nullptr || column->is_text()) {
    Throw<UserError>("data_split_col \"{}\" must name a {} column of the model's query",
                     options.data_split_col, method == "custom" ? "BOOLEAN" : "numeric or date");
  }
  if (method == "seq") {
    return ranks == nullptr ? SequentialSplit(column->numbers, fraction)
                            : SequentialSplitOverRanks(column->numbers, fraction, *ranks);
  }
  std::vector<uint8_t> is_eval;
  for (double v : column->numbers) is_eval.push_back(!std::isnan(v) && v != 0);
  return CustomSplit(is_eval);
}

}  // namespace sluice::ml
