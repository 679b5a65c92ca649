#include "session/expectations.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "base/error.h"
#include "base/log.h"
#include "base/task.h"
#include "exec/expression_evaluator.h"
#include "exec/gather.h"
#include "planner/expression_binder.h"
#include "planner/query_planner.h"
#include "sql/to_sql.h"

namespace sluice::session {
namespace {

using sql::ViolationAction;

std::string ActionName(ViolationAction action) {
  switch (action) {
    case ViolationAction::kWarn:
      return "warn";
    case ViolationAction::kDropRow:
      return "drop_row";
    case ViolationAction::kFail:
      return "fail";
  }
  return "warn";
}

std::string Rows(int64_t count) { return fmt::format("{} row{}", count, count == 1 ? "" : "s"); }

// Binds an expectation's condition against the columns of the table being created; binding
// errors name the expectation, since the same column name may appear in the query.
std::unique_ptr<exec::Expression> BindCondition(const sql::Expectation& expectation,
                                                const planner::Scope& scope,
                                                planner::QueryPlanner& planner) {
  std::unique_ptr<exec::Expression> condition;
  try {
    planner::ExpressionBinder binder(scope, nullptr, {nullptr, &planner});
    condition = binder.Bind(*expectation.condition);
  } catch (const UserError& error) {
    Throw<UserError>("expectation \"{}\" (line {}, column {}): {}", expectation.name,
                     expectation.location.line, expectation.location.column, error.what());
  }
  // A bare NULL binds untyped; as a condition it is a NULL boolean (every row violates).
  if (condition->kind == exec::ExpressionKind::kConstant && condition->constant.is_null()) {
    return exec::Expression::Constant(core::Value::Null(core::TypeId::kBoolean));
  }
  if (condition->type != core::TypeId::kBoolean) {
    Throw<UserError>("expectation \"{}\" must be a boolean condition, not {} (line {}, column {})",
                     expectation.name, core::TypeName(condition->type), expectation.location.line,
                     expectation.location.column);
  }
  return condition;
}

std::vector<std::unique_ptr<exec::Expression>> BindConditions(
    const sql::CreateTableStatement& statement, const core::Schema& schema,
    const planner::Catalog& catalog) {
  std::vector<planner::ScopeColumn> columns;
  for (const core::Field& field : schema.fields()) {
    columns.push_back({statement.name.back(), field.name, field.type});
  }
  planner::Scope scope(std::move(columns));
  planner::QueryPlanner planner(catalog);
  std::vector<std::unique_ptr<exec::Expression>> conditions;
  for (const sql::Expectation& expectation : statement.expectations) {
    conditions.push_back(BindCondition(expectation, scope, planner));
  }
  return conditions;
}

// Is what the conditions found in one batch: violations per expectation, and the rows that
// pass every DROP ROW expectation (physical positions; unset when none was dropped).
struct BatchOutcome {
  std::vector<int64_t> violations;
  std::optional<core::SelectionVector> kept;
};

BatchOutcome CheckBatch(const sql::CreateTableStatement& statement,
                        const std::vector<std::unique_ptr<exec::Expression>>& conditions,
                        const core::Batch& batch) {
  exec::ExpressionEvaluator evaluator;
  BatchOutcome outcome;
  for (size_t i = 0; i < conditions.size(); ++i) {
    core::SelectionVector passing = evaluator.Select(*conditions[i], batch);
    outcome.violations.push_back(static_cast<int64_t>(batch.num_rows() - passing.size()));
    if (statement.expectations[i].action != ViolationAction::kDropRow ||
        passing.size() == batch.num_rows()) {
      continue;
    }
    if (!outcome.kept) {
      outcome.kept = std::move(passing);
      continue;
    }
    core::SelectionVector both;
    std::set_intersection(outcome.kept->begin(), outcome.kept->end(), passing.begin(),
                          passing.end(), std::back_inserter(both));
    outcome.kept = std::move(both);
  }
  return outcome;
}

// Replaces the table's rows by those kept; batches that lose rows are gathered anew.
void DropRows(planner::TableEntry& table, std::vector<BatchOutcome>& outcomes) {
  auto batches = std::make_shared<std::vector<core::Batch>>();
  for (size_t b = 0; b < table.batches->size(); ++b) {
    const core::Batch& batch = (*table.batches)[b];
    if (!outcomes[b].kept) {
      batches->push_back(batch.Share());
      continue;
    }
    if (outcomes[b].kept->empty()) continue;
    core::Batch kept = batch.Share();
    kept.SetSelection(std::move(*outcomes[b].kept));
    batches->push_back(exec::Flatten(std::move(kept)));
  }
  table.batches = std::move(batches);
}

void ReportViolations(const sql::CreateTableStatement& statement, const ExpectationReport& report) {
  const std::string& table = statement.name.back();
  for (size_t i = 0; i < report.results.size(); ++i) {
    const catalog::ExpectationResult& result = report.results[i];
    if (result.violations == 0) continue;
    if (statement.expectations[i].action == ViolationAction::kFail) {
      Throw<UserError>(
          "expectation \"{}\" of table \"{}\" failed: {} of {} violate {} (statement at line {}); "
          "nothing was committed",
          result.name, table, result.violations, Rows(result.rows_checked), result.expression,
          statement.location.line);
    }
    if (statement.expectations[i].action == ViolationAction::kWarn) {
      spdlog::warn("expectation \"{}\" of table \"{}\": {} of {} violate {}", result.name, table,
                   result.violations, Rows(result.rows_checked), result.expression);
    }
  }
}

}  // namespace

std::string ExpectationReport::Summary() const {
  if (results.empty()) return "";
  std::string text;
  for (const catalog::ExpectationResult& result : results) {
    if (result.violations == 0) continue;
    text += fmt::format(
        "{}expectation {}: {}", text.empty() ? "" : ", ", result.name,
        result.action == "drop_row"
            ? Rows(result.violations) + " dropped"
            : fmt::format("{} violation{}", result.violations, result.violations == 1 ? "" : "s"));
  }
  if (text.empty()) {
    text = fmt::format("{} expectation{} met", results.size(), results.size() == 1 ? "" : "s");
  }
  return " (" + text + ")";
}

ExpectationReport ApplyExpectations(const sql::CreateTableStatement& statement,
                                    planner::TableEntry& table, const planner::Catalog& catalog) {
  ExpectationReport report;
  if (statement.expectations.empty()) return report;
  std::vector<std::unique_ptr<exec::Expression>> conditions =
      BindConditions(statement, *table.schema, catalog);
  std::vector<BatchOutcome> outcomes(table.batches->size());
  ParallelFor(outcomes.size(), [&](size_t b) {
    outcomes[b] = CheckBatch(statement, conditions, (*table.batches)[b]);
  });
  int64_t rows_checked = 0;
  for (const core::Batch& batch : *table.batches) rows_checked += batch.num_rows();
  for (size_t i = 0; i < statement.expectations.size(); ++i) {
    const sql::Expectation& expectation = statement.expectations[i];
    catalog::ExpectationResult& result = report.results.emplace_back();
    result.name = expectation.name;
    result.expression = sql::ToSql(*expectation.condition);
    result.action = ActionName(expectation.action);
    result.rows_checked = rows_checked;
    for (const BatchOutcome& outcome : outcomes) result.violations += outcome.violations[i];
  }
  ReportViolations(statement, report);
  DropRows(table, outcomes);
  return report;
}

}  // namespace sluice::session
