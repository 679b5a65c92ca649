#include "cli/catalog_command.h"

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/json_text.h"
#include "catalog/catalog_db.h"
#include "catalog/column_profile_json.h"
#include "cli/lineage_command.h"
#include "cli/result_printer.h"
#include "cli/sql_command.h"
#include "cli/workspace_options.h"
#include "core/datetime.h"
#include "exec/memory_tracker.h"
#include "session/catalog_queries.h"
#include "session/catalog_scan.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::cli {
namespace {

using core::TypeId;
using core::Value;

struct CatalogOptions {
  WorkspaceOptions workspace;
  std::string format = "table";
  std::vector<std::string> arguments;
  double min_containment = 0.5;
  bool remove = false;
};

void AddFormatOption(CLI::App& command, CatalogOptions& options) {
  command.add_option("--format", options.format, "Output: table, csv, json or markdown")
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}))
      ->capture_default_str();
  command.add_option("--workspace", options.workspace.workspace,
                     "Workspace folder whose catalog to use (default: the nearest folder upward "
                     "with .sluice/ or sluice.yaml)");
}

std::unique_ptr<session::Database> OpenWorkspace(const CatalogOptions& options) {
  auto database = OpenDatabase(options.workspace);
  if (database->store() == nullptr) {
    Throw<UserError>(
        "the catalog lives in a workspace, and there is none here: run `sluice init` or pass "
        "--workspace DIR");
  }
  return database;
}

void Print(const session::QueryResult& result, const CatalogOptions& options) {
  PrintRows(std::cout, {*result.schema, result.batches}, *OutputFormatFromName(options.format));
}

std::string Time(int64_t micros) {
  return micros == 0 ? "unknown" : core::FormatTimestamp(micros / 1000000 * 1000000) + " UTC";
}

// ---- scan ----

void RunScan(const CatalogOptions& options) {
  auto database = OpenWorkspace(options);
  std::vector<session::ScanOutcome> outcomes = session::ScanDatasets(*database, options.arguments);
  std::vector<std::vector<Value>> rows;
  std::map<std::string, int> counts;
  for (const auto& o : outcomes) {
    ++counts[o.status];
    rows.push_back({o.name.empty() ? Value::Null(TypeId::kVarchar) : Value::Varchar(o.name),
                    Value::Varchar(o.status), Value::Varchar(o.format), Value::Bigint(o.rows),
                    Value::Bigint(o.columns), Value::Varchar(o.location),
                    o.reason.empty() ? Value::Null(TypeId::kVarchar) : Value::Varchar(o.reason)});
  }
  Print(session::Listing({{"name", TypeId::kVarchar},
                          {"status", TypeId::kVarchar},
                          {"format", TypeId::kVarchar},
                          {"rows", TypeId::kBigint},
                          {"columns", TypeId::kBigint},
                          {"location", TypeId::kVarchar},
                          {"reason", TypeId::kVarchar}},
                         rows),
        options);
  std::string summary;
  for (const char* status : {"new", "changed", "unchanged", "skipped", "failed"}) {
    if (counts[status] > 0)
      summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", counts[status], status);
  }
  std::cerr << "scanned " << outcomes.size() << " inputs" << (summary.empty() ? "" : ": ")
            << summary << '\n';
  if (counts["failed"] > 0) throw ExitCode{1};
}

// ---- catalog show ----

// Returns the headline of a column's profile: its range or most frequent values, and mean.
std::string Headline(const catalog::ColumnProfile& p) {
  std::string text;
  bool numeric = p.type != TypeId::kVarchar && p.type != TypeId::kBoolean;
  if (numeric && p.min && p.max) text = fmt::format("{} … {}", *p.min, *p.max);
  if (p.mean) text += fmt::format("{}mean {:.4g}", text.empty() ? "" : ", ", *p.mean);
  if (!numeric && !p.top_values.empty()) {
    text = "top";
    for (size_t i = 0; i < p.top_values.size() && i < 3; ++i) {
      std::string value = p.top_values[i].value;
      if (value.size() > 24) value = value.substr(0, 21) + "...";
      text += fmt::format("{} {} ({})", i == 0 ? "" : ",", value, p.top_values[i].count);
    }
  }
  if (p.max_length) {
    text += fmt::format("{}length {}–{}", text.empty() ? "" : "; ", *p.min_length, *p.max_length);
  }
  return text;
}

session::QueryResult ColumnTable(const std::vector<catalog::DatasetColumn>& columns) {
  std::vector<std::vector<Value>> rows;
  for (const auto& [p, s] : columns) {
    rows.push_back({Value::Varchar(p.name), Value::Varchar(std::string(core::TypeName(p.type))),
                    Value::Varchar(std::string(catalog::SemanticTypeName(s.type))),
                    Value::Double(std::round(s.confidence * 100) / 100),
                    Value::Varchar(s.pii ? "PII" : ""),
                    Value::Varchar(fmt::format("{:.1f}%", p.null_fraction * 100)),
                    Value::Bigint(static_cast<int64_t>(std::llround(p.distinct))),
                    Value::Varchar(Headline(p))});
  }
  return session::Listing({{"column", TypeId::kVarchar},
                           {"type", TypeId::kVarchar},
                           {"semantic", TypeId::kVarchar},
                           {"confidence", TypeId::kDouble},
                           {"pii", TypeId::kVarchar},
                           {"nulls", TypeId::kVarchar},
                           {"distinct", TypeId::kBigint},
                           {"profile", TypeId::kVarchar}},
                          rows);
}

std::string LineageText(const catalog::LineageEdge& e) {
  auto side = [](const std::string& dataset, const std::string& column) {
    return column.empty() ? dataset : dataset + "." + column;
  };
  return side(e.from_dataset, e.from_column) + " -> " + side(e.to_dataset, e.to_column);
}

// Returns the expectation results of a result's latest version (none for a source).
std::vector<catalog::ExpectationResult> LatestExpectations(catalog::CatalogDb& catalog,
                                                           const catalog::DatasetRecord& d) {
  if (d.kind != "result") return {};
  return catalog.Expectations(d.name, d.version);
}

std::string ExpectationText(const catalog::ExpectationResult& e) {
  return fmt::format("{} ({}): {} of {} rows violated {}", e.name, e.action, e.violations,
                     e.rows_checked, e.expression);
}

void ShowText(catalog::CatalogDb& catalog, const catalog::DatasetRecord& d,
              const std::vector<catalog::DatasetColumn>& columns) {
  std::cout << fmt::format("{}  ({} · {} · {} rows · {} columns · {})\n\n", d.name, d.kind,
                           d.format, d.rows, columns.size(),
                           exec::FormatBytes(static_cast<uint64_t>(d.size_bytes)));
  PrintRows(std::cout, {*ColumnTable(columns).schema, ColumnTable(columns).batches},
            OutputFormat::kTable);
  std::cout << fmt::format("\nlocation     {}{}\n", d.location,
                           d.table.empty() ? "" : "#" + d.table);
  std::cout << fmt::format("modified     {}{}\n", Time(d.modified_micros),
                           d.owner.empty() ? "" : " by " + d.owner);
  std::cout << fmt::format("scanned      {} (content last changed {})\n", Time(d.scanned_micros),
                           Time(d.changed_micros));
  if (!d.description.empty()) std::cout << "description  " << d.description << '\n';
  if (!d.tags.empty())
    std::cout << "tags         " << fmt::format("{}", fmt::join(d.tags, ", ")) << '\n';
  if (d.kind == "result") {
    std::cout << "versions     ";
    for (int64_t version : catalog.Versions(d.name)) std::cout << version << ' ';
    std::cout << '\n';
  } else {
    std::cout << fmt::format("version      {} (scans that found it changed)\n", d.version);
  }
  std::vector<catalog::LineageEdge> lineage = catalog.Lineage(d.name);
  for (size_t i = 0; i < lineage.size(); ++i) {
    std::cout << (i == 0 ? "lineage      " : "             ") << LineageText(lineage[i]) << '\n';
  }
  std::vector<catalog::ExpectationResult> expectations = LatestExpectations(catalog, d);
  for (size_t i = 0; i < expectations.size(); ++i) {
    std::cout << (i == 0 ? "expectations " : "             ") << ExpectationText(expectations[i])
              << '\n';
  }
  if (!d.sample_json.empty()) std::cout << "sample       " << d.sample_json << '\n';
}

std::string ExpectationsJson(const std::vector<catalog::ExpectationResult>& expectations) {
  std::string json = "[";
  for (const auto& e : expectations) {
    json += fmt::format(
        "{}{{\"name\":{},\"expression\":{},\"action\":{},\"rows_checked\":{},"
        "\"violations\":{}}}",
        json.size() > 1 ? "," : "", JsonString(e.name), JsonString(e.expression),
        JsonString(e.action), e.rows_checked, e.violations);
  }
  return json + "]";
}

void ShowJson(catalog::CatalogDb& catalog, const catalog::DatasetRecord& d,
              const std::vector<catalog::DatasetColumn>& columns) {
  std::string json = "{";
  auto field = [&](const char* key, const std::string& raw) {
    json += (json.size() > 1 ? "," : "") + JsonString(key) + ":" + raw;
  };
  field("name", JsonString(d.name));
  field("kind", JsonString(d.kind));
  field("format", JsonString(d.format));
  field("location", JsonString(d.location));
  field("table", JsonString(d.table));
  field("rows", std::to_string(d.rows));
  field("size_bytes", std::to_string(d.size_bytes));
  field("modified", JsonString(Time(d.modified_micros)));
  field("owner", JsonString(d.owner));
  field("scanned", JsonString(Time(d.scanned_micros)));
  field("changed", JsonString(Time(d.changed_micros)));
  field("version", std::to_string(d.version));
  field("description", JsonString(d.description));
  std::string tags = "[";
  for (const auto& tag : d.tags) tags += (tags.size() > 1 ? "," : "") + JsonString(tag);
  field("tags", tags + "]");
  std::string list = "[";
  for (const auto& [p, s] : columns) {
    list += fmt::format(
        "{}{{\"semantic\":{},\"confidence\":{},\"pii\":{},\"pii_reason\":{},"
        "\"profile\":{}}}",
        list.size() > 1 ? "," : "", JsonString(catalog::SemanticTypeName(s.type)), s.confidence,
        s.pii ? "true" : "false", JsonString(s.pii_reason), catalog::ProfileToJson(p));
  }
  field("columns", list + "]");
  std::string versions = "[";
  if (d.kind == "result") {
    for (int64_t v : catalog.Versions(d.name))
      versions += (versions.size() > 1 ? "," : "") + std::to_string(v);
  }
  field("versions", versions + "]");
  std::string lineage = "[";
  for (const auto& e : catalog.Lineage(d.name)) {
    lineage += (lineage.size() > 1 ? "," : "") + JsonString(LineageText(e));
  }
  field("lineage", lineage + "]");
  field("expectations", ExpectationsJson(LatestExpectations(catalog, d)));
  field("sample", d.sample_json.empty() ? "[]" : d.sample_json);
  std::cout << json << "}\n";
}

void RunShow(const CatalogOptions& options) {
  auto database = OpenWorkspace(options);
  catalog::CatalogDb& catalog = database->store()->catalog();
  const std::string& name = options.arguments.at(0);
  auto dataset = catalog.FindDataset(name);
  if (!dataset) {
    Throw<UserError>("dataset \"{}\" is not in the catalog (sluice catalog list shows them)", name);
  }
  auto columns = catalog.DatasetColumns(name);
  if (options.format == "json") {
    ShowJson(catalog, *dataset, columns);
  } else {
    ShowText(catalog, *dataset, columns);
  }
}

void RunList(const CatalogOptions& options) {
  auto database = OpenWorkspace(options);
  session::Connection connection(*database);
  Print(
      connection.Execute("SELECT name, kind, format, rows, size_bytes, changed, tags, description "
                         "FROM sluice.datasets ORDER BY name"),
      options);
}

void RunTag(const CatalogOptions& options) {
  auto database = OpenWorkspace(options);
  catalog::CatalogDb& catalog = database->store()->catalog();
  const std::string& name = options.arguments.at(0);
  for (size_t i = 1; i < options.arguments.size(); ++i) {
    if (!options.remove) {
      catalog.AddTag(name, options.arguments[i]);
    } else if (!catalog.RemoveTag(name, options.arguments[i])) {
      Throw<UserError>("dataset \"{}\" has no tag \"{}\"", name, options.arguments[i]);
    }
  }
}

CLI::App* Subcommand(CLI::App& parent, const char* name, const char* help,
                     std::shared_ptr<CatalogOptions> options, void (*run)(const CatalogOptions&)) {
  CLI::App* command = parent.add_subcommand(name, help);
  AddFormatOption(*command, *options);
  command->callback([options, run] { run(*options); });
  return command;
}

}  // namespace

void AddScanCommand(CLI::App& app) {
  auto options = std::make_shared<CatalogOptions>();
  CLI::App* command = Subcommand(
      app, "scan",
      "Find datasets in files, folders, globs and PostgreSQL databases, register each in the "
      "workspace catalog as a source queryable by name, and profile it: schema, rows, sample, "
      "per-column statistics, semantic types, PII flags and MinHash signatures for `catalog "
      "related`. Re-scans read only what changed",
      options, RunScan);
  command
      ->add_option("inputs", options->arguments,
                   "Files, folders (walked recursively), globs ('data/**/*.csv'), SQLite files "
                   "or postgresql:// URLs")
      ->required();
}

void AddCatalogCommand(CLI::App& app) {
  CLI::App* catalog = app.add_subcommand(
      "catalog",
      "Browse the workspace catalog: datasets (scanned sources and stored results), their "
      "columns, profiles, semantics, tags, descriptions and lineage");
  catalog->require_subcommand(1);
  Subcommand(*catalog, "list", "List every dataset", std::make_shared<CatalogOptions>(), RunList);

  auto show = std::make_shared<CatalogOptions>();
  Subcommand(*catalog, "show",
             "Show a dataset: each column with type, semantic type, PII flag and profile, then "
             "context, versions, lineage and a sample",
             show, RunShow)
      ->add_option("name", show->arguments, "Dataset name")
      ->required()
      ->expected(1);

  auto search = std::make_shared<CatalogOptions>();
  Subcommand(
      *catalog, "search",
      "Full-text search over names, descriptions, tags, column names and semantic types", search,
      [](const CatalogOptions& options) {
        auto database = OpenWorkspace(options);
        Print(
            session::SearchCatalog(*database, fmt::format("{}", fmt::join(options.arguments, " "))),
            options);
      })
      ->add_option("text", search->arguments, "Words to find (the last may be a prefix)")
      ->required();

  auto related = std::make_shared<CatalogOptions>();
  CLI::App* related_command = Subcommand(
      *catalog, "related",
      "List columns of other datasets whose values contain or overlap the key-like columns of "
      "NAME (or of NAME.COLUMN), with the estimated containment: likely join keys",
      related, [](const CatalogOptions& options) {
        auto database = OpenWorkspace(options);
        Print(session::RelatedColumns(*database, options.arguments.at(0), options.min_containment),
              options);
      });
  related_command->add_option("name", related->arguments, "Dataset or dataset.column")
      ->required()
      ->expected(1);
  related_command
      ->add_option("--min", related->min_containment,
                   "Smallest containment (in either direction) to list, 0..1")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();

  auto tag = std::make_shared<CatalogOptions>();
  CLI::App* tag_command = Subcommand(
      *catalog, "tag", "Add tags to a dataset (or remove them with --remove)", tag, RunTag);
  tag_command->add_option("name_and_tags", tag->arguments, "Dataset name, then one or more tags")
      ->required()
      ->expected(2, -1);
  tag_command->add_flag("--remove", tag->remove, "Remove the tags instead");

  auto describe = std::make_shared<CatalogOptions>();
  Subcommand(*catalog, "describe", "Set the description of a dataset", describe,
             [](const CatalogOptions& options) {
               auto database = OpenWorkspace(options);
               database->store()->catalog().Describe(options.arguments.at(0),
                                                     options.arguments.at(1));
             })
      ->add_option("name_and_text", describe->arguments, "Dataset name, then the description")
      ->required()
      ->expected(2);
  AddLineageCommand(*catalog);
}

}  // namespace sluice::cli
