#include "cli/models_command.h"

#include <iostream>
#include <memory>

#include "base/error.h"
#include "cli/result_printer.h"
#include "cli/workspace_options.h"
#include "session/database.h"
#include "sql/to_sql.h"

namespace sluice::cli {
namespace {

struct ModelsOptions {
  std::string name;
  std::string workspace;
  std::string format = "table";
  bool all = false;
};

void Print(session::Connection& connection, const std::string& sql, OutputFormat format) {
  session::QueryResult result = connection.Execute(sql);
  PrintRows(std::cout, {*result.schema, result.batches}, format);
}

void List(const ModelsOptions& options) {
  auto database = session::Database::Open(RequireWorkspace(options.workspace));
  session::Connection connection(*database);
  std::string latest = options.all ? ""
                                   : " WHERE version = (SELECT max(version) FROM sluice.models l "
                                     "WHERE l.name = m.name)";
  Print(connection,
        "SELECT name, version, model_type, created, label, train_rows, eval_rows, "
        "evaluated_on, round(training_seconds, 3) AS training_seconds, metrics "
        "FROM sluice.models m" +
            latest + " ORDER BY name, version",
        *OutputFormatFromName(options.format));
}

void Show(const ModelsOptions& options) {
  auto database = session::Database::Open(RequireWorkspace(options.workspace));
  if (database->models().Find(options.name) == nullptr) {
    Throw<UserError>("the workspace has no model \"{}\" (`sluice models list` lists them)",
                     options.name);
  }
  session::Connection connection(*database);
  OutputFormat format = *OutputFormatFromName(options.format);
  std::string model = sql::QuoteIdentifier(options.name);
  auto section = [&](const std::string& title, const std::string& sql) {
    if (format == OutputFormat::kTable) std::cout << "\n" << title << "\n";
    Print(connection, sql, format);
  };
  section(
      "Versions",
      "SELECT version, model_type, created, label, hyperparameters, train_rows, eval_rows, "
      "evaluated_on, round(training_seconds, 3) AS training_seconds, inputs, run_id, cell, query "
      "FROM sluice.models WHERE name = " +
          sql::QuoteString(options.name) + " ORDER BY version");
  section("Evaluation (latest version)", "SELECT * FROM ML.EVALUATE(MODEL " + model + ")");
  section("Features", "SELECT * FROM ML.FEATURE_INFO(MODEL " + model + ")");
  session::QueryResult trials =
      connection.Execute("SELECT count(*) FROM ML.TRIAL_INFO(MODEL " + model + ")");
  if (trials.batches.at(0).GetValue(0, 0).ToString() != "0") {
    section("Trials", "SELECT * FROM ML.TRIAL_INFO(MODEL " + model + ")");
  }
}

void AddCommon(CLI::App& command, ModelsOptions& options) {
  command.add_option("--format", options.format, "Output: table, csv, json or markdown")
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}))
      ->capture_default_str();
  command.add_option("--workspace", options.workspace,
                     "Workspace folder (default: the nearest folder upward with .sluice/ or "
                     "sluice.yaml)");
}

}  // namespace

void AddModelsCommand(CLI::App& app) {
  CLI::App* models = app.add_subcommand(
      "models",
      "List and inspect the models of a workspace (trained by CREATE MODEL ... OPTIONS "
      "(model_type = ...) AS SELECT ...; queried with ML.PREDICT, ML.EVALUATE, ...)");
  models->require_subcommand(1);

  auto list = std::make_shared<ModelsOptions>();
  CLI::App* list_command = models->add_subcommand(
      "list", "List the models: latest version, type, label, rows, training time, metrics");
  list_command->add_flag("--all", list->all, "List every version, not only the latest");
  AddCommon(*list_command, *list);
  list_command->callback([list] { List(*list); });

  auto show = std::make_shared<ModelsOptions>();
  CLI::App* show_command = models->add_subcommand(
      "show",
      "Show a model: its versions (type, hyperparameters, rows, inputs with their versions, run, "
      "training query), the latest version's evaluation, features and tuning trials");
  show_command->add_option("name", show->name, "The model")->required();
  AddCommon(*show_command, *show);
  show_command->callback([show] { Show(*show); });
}

}  // namespace sluice::cli
