#include "session/model_functions.h"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>

#include "base/error.h"
#include "base/strings.h"
#include "base/task.h"
#include "ml/json_text.h"
#include "ml/model_tables.h"
#include "planner/query_planner.h"
#include "sql/parser.h"
#include "sql/to_sql.h"

namespace sluice::session {
namespace {

namespace json = boost::json;
using core::TypeId;
using core::Value;

constexpr std::string_view kInputName = "ml_input";

// Is the database's catalog with the function's input rows as table `ml_input`.
class InputCatalog final : public planner::Catalog {
 public:
  InputCatalog(const planner::Catalog& base, std::shared_ptr<const planner::TableEntry> input)
      : base_(base), input_(std::move(input)) {}
  std::shared_ptr<const planner::TableEntry> FindTable(std::string_view name) const override {
    return name == kInputName ? input_ : base_.FindTable(name);
  }
  std::shared_ptr<const planner::ViewEntry> FindView(std::string_view name) const override {
    return base_.FindView(name);
  }
  std::vector<std::string> TableNames() const override { return base_.TableNames(); }

 private:
  const planner::Catalog& base_;
  std::shared_ptr<const planner::TableEntry> input_;
};

std::shared_ptr<const planner::TableEntry> EntryOf(std::vector<core::Field> fields,
                                                   const std::vector<std::vector<Value>>& rows) {
  auto entry = std::make_shared<planner::TableEntry>();
  entry->schema = std::make_shared<core::Schema>(std::move(fields));
  std::vector<core::Batch> batches;
  for (size_t start = 0; start < rows.size(); start += core::kVectorSize) {
    core::Batch& batch = batches.emplace_back(entry->schema);
    for (size_t r = start; r < std::min(rows.size(), start + core::kVectorSize); ++r) {
      batch.AppendRow(rows[r]);
    }
  }
  entry->batches = std::make_shared<const std::vector<core::Batch>>(std::move(batches));
  return entry;
}

std::shared_ptr<const planner::TableEntry> EntryOf(ml::ModelTable table) {
  return EntryOf(std::move(table.fields), table.rows);
}

std::string OutputName(const sql::SelectItem& item) {
  if (!item.alias.empty()) return item.alias;
  return item.expr->kind == sql::ExprKind::kColumnRef
             ? item.expr->As<sql::ColumnRefExpr>().names.back()
             : sql::DefaultColumnName(*item.expr);
}

const planner::TableEntry& Need(const sql::ModelFunctionRef& ref,
                                const planner::TableEntry* input) {
  if (input != nullptr) return *input;
  Throw<UserError>("ML.{} needs rows: ML.{}(MODEL {}, TABLE t) or (query) (line {}, column {})",
                   AsciiUpper(ref.function), AsciiUpper(ref.function), ref.model.back(),
                   ref.location.line, ref.location.column);
}

double Threshold(const sql::ModelFunctionRef& ref) {
  for (const sql::OptionItem& setting : ref.settings) {
    if (setting.name != "threshold") {
      Throw<UserError>(
          "ML.{} takes STRUCT(value AS threshold); \"{}\" is unknown (line {}, "
          "column {})",
          AsciiUpper(ref.function), setting.name, setting.location.line, setting.location.column);
    }
    const sql::Expr& value = *setting.value;
    if (value.kind == sql::ExprKind::kLiteral) {
      const auto& literal = value.As<sql::LiteralExpr>();
      if (literal.literal_kind == sql::LiteralKind::kDouble) return literal.double_value;
      if (literal.literal_kind == sql::LiteralKind::kInteger) return literal.integer_value;
    }
    Throw<UserError>("threshold takes a number between 0 and 1 (line {}, column {})",
                     setting.location.line, setting.location.column);
  }
  return 0.5;
}

std::shared_ptr<const planner::TableEntry> Predict(const sql::ModelFunctionRef& ref,
                                                   const ModelVersion& version,
                                                   const planner::TableEntry& input,
                                                   const planner::Catalog& catalog) {
  ml::PredictionColumns predicted = PredictColumns(version, input, catalog, Threshold(ref));
  std::vector<core::Field> fields = input.schema->fields();
  size_t visible = fields.size();
  fields.insert(fields.end(), predicted.fields.begin(), predicted.fields.end());
  std::vector<std::vector<Value>> rows;
  size_t row = 0;
  for (const core::Batch& batch : *input.batches) {
    for (size_t r = 0; r < batch.num_rows(); ++r, ++row) {
      std::vector<Value> values;
      for (size_t c = 0; c < visible; ++c) values.push_back(batch.GetValue(c, r));
      for (const auto& column : predicted.values) values.push_back(column[row]);
      rows.push_back(std::move(values));
    }
  }
  return EntryOf(std::move(fields), rows);
}

ml::Metrics StoredMetrics(const ModelVersion& version) {
  ml::Metrics metrics;
  json::value parsed = json::parse(version.record.metrics_json);
  for (const auto& [name, value] : parsed.as_object()) {
    metrics.emplace_back(name, value.is_null() ? NAN : value.to_number<double>());
  }
  return metrics;
}

// Returns the confusion matrix recorded at training, on the evaluation rows.
std::shared_ptr<const planner::TableEntry> StoredConfusionMatrix(const sql::ModelFunctionRef& ref,
                                                                 const ModelVersion& version) {
  json::value details = json::parse(version.record.details_json);
  const json::value* stored = details.as_object().if_contains("confusion_matrix");
  const std::vector<std::string>& classes = version.model->label().classes;
  if (stored == nullptr || stored->as_array().size() != classes.size() || classes.empty()) {
    Throw<UserError>(
        "ML.CONFUSION_MATRIX of model \"{}\" needs rows: ML.CONFUSION_MATRIX(MODEL "
        "{}, TABLE t) or (query) (line {}, column {})",
        version.record.name, version.record.name, ref.location.line, ref.location.column);
  }
  ml::Matrix counts(classes.size(), classes.size());
  for (size_t r = 0; r < classes.size(); ++r) {
    const json::array& row = stored->as_array()[r].as_array();
    for (size_t c = 0; c < classes.size() && c < row.size(); ++c) {
      counts.at(r, c) = row[c].to_number<double>();
    }
  }
  return EntryOf(ml::ConfusionMatrixTable(classes, counts));
}

std::shared_ptr<const planner::TableEntry> TrialInfo(const ModelVersion& version) {
  std::vector<core::Field> fields = {
      {"trial_id", TypeId::kBigint},   {"hyperparameters", TypeId::kVarchar},
      {"metrics", TypeId::kVarchar},   {"objective", TypeId::kDouble},
      {"budget", TypeId::kDouble},     {"training_seconds", TypeId::kDouble},
      {"status", TypeId::kVarchar},    {"error_message", TypeId::kVarchar},
      {"is_optimal", TypeId::kBoolean}};
  std::vector<std::vector<Value>> rows;
  for (const catalog::TrialRecord& trial : version.trials) {
    json::object d = json::parse(trial.details_json).as_object();
    auto number = [&](const char* key) {
      const json::value& v = d.at(key);
      return v.is_null() ? Value::Null(TypeId::kDouble) : Value::Double(v.to_number<double>());
    };
    std::string error(d.at("error").as_string());
    rows.push_back(
        {Value::Bigint(trial.trial_id), Value::Varchar(ml::JsonText(d.at("hyperparameters"))),
         Value::Varchar(ml::JsonText(d.at("metrics"))), number("objective"), number("budget"),
         number("seconds"), Value::Varchar(error.empty() ? "SUCCEEDED" : "FAILED"),
         error.empty() ? Value::Null(TypeId::kVarchar) : Value::Varchar(error),
         Value::Boolean(d.at("best").as_bool())});
  }
  return EntryOf(std::move(fields), rows);
}

}  // namespace

ml::PredictionColumns PredictColumns(const ModelVersion& version, const planner::TableEntry& input,
                                     const planner::Catalog& catalog, double threshold) {
  const ml::Model& model = *version.model;
  ml::Table features = ModelInput(input, version.transform, catalog, model.label().name);
  return model.Predict(features, static_cast<int>(ThreadCount()), threshold);
}

std::string TransformSql(const std::vector<sql::SelectItem>& transform) {
  std::string text;
  for (const sql::SelectItem& item : transform) {
    if (!text.empty()) text += ", ";
    text += sql::ToSql(*item.expr);
    if (!item.alias.empty()) text += " AS " + sql::QuoteIdentifier(item.alias);
  }
  return text;
}

ml::Table ModelInput(const planner::TableEntry& input, const std::string& transform,
                     const planner::Catalog& catalog, const std::string& drop) {
  if (transform.empty()) return ml::TableFromBatches(*input.schema, *input.batches);
  sql::StatementPtr statement =
      sql::ParseStatement("SELECT " + transform + " FROM " + std::string(kInputName));
  auto& select = statement->As<sql::SelectStatement>().query->As<sql::SelectNode>();
  std::erase_if(select.select_list, [&](const sql::SelectItem& item) {
    return !drop.empty() && EqualsIgnoreCase(OutputName(item), drop) &&
           !input.schema->FindField(drop);
  });
  InputCatalog overlay(catalog, std::make_shared<planner::TableEntry>(input));
  planner::QueryPlan plan = planner::QueryPlanner(overlay).Plan(select);
  std::vector<core::Batch> batches = planner::ExecutePlan(plan);
  core::Schema schema(std::vector<core::Field>(
      plan.schema->fields().begin(), plan.schema->fields().begin() + plan.visible_columns));
  return ml::TableFromBatches(schema, batches);
}

std::shared_ptr<const planner::TableEntry> ModelFunctionRows(const sql::ModelFunctionRef& ref,
                                                             const ModelVersion& version,
                                                             const planner::TableEntry* input,
                                                             const planner::Catalog& catalog) {
  const ml::Model& model = *version.model;
  const std::string& function = ref.function;
  int threads = static_cast<int>(ThreadCount());
  if (function == "predict") return Predict(ref, version, Need(ref, input), catalog);
  if (function == "evaluate") {
    if (input == nullptr) return EntryOf(ml::MetricsTable(StoredMetrics(version)));
    return EntryOf(
        ml::MetricsTable(model.Evaluate(ModelInput(*input, version.transform, catalog), threads)));
  }
  if (function == "confusion_matrix" && input == nullptr)
    return StoredConfusionMatrix(ref, version);
  if (function == "confusion_matrix") {
    ml::Table rows = ModelInput(*input, version.transform, catalog);
    return EntryOf(ml::ConfusionMatrixTable(model, rows, threads, Threshold(ref)));
  }
  if (function == "feature_info") return EntryOf(ml::FeatureInfo(model));
  if (function == "weights") return EntryOf(ml::Weights(model));
  if (function == "centroids") return EntryOf(ml::Centroids(model));
  if (function == "feature_importance") return EntryOf(ml::FeatureImportanceTable(model));
  if (function == "training_info") return EntryOf(ml::TrainingInfo(model));
  if (function == "trial_info") return TrialInfo(version);
  Throw<UserError>(
      "unknown function ML.{} (line {}, column {}); Sluice has ML.PREDICT, ML.EVALUATE, "
      "ML.CONFUSION_MATRIX, ML.FEATURE_INFO, ML.WEIGHTS, ML.CENTROIDS, ML.FEATURE_IMPORTANCE, "
      "ML.TRAINING_INFO and ML.TRIAL_INFO",
      AsciiUpper(function), ref.location.line, ref.location.column);
}

}  // namespace sluice::session
