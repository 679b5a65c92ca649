// The catalog as tables: sluice.datasets, sluice.columns, sluice.versions, sluice.lineage,
// sluice.expectations, sluice.runs, sluice.models, sluice.tags, and information_schema.tables /
// columns. Each is built from the catalog when a query names it, so it is never stale.

#include "session/system_tables.h"

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <map>

#include "base/error.h"
#include "catalog/catalog_db.h"
#include "ml/json_text.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

using core::TypeId;
using core::Value;
using Row = std::vector<Value>;

Value Text(const std::string& text) { return Value::Varchar(text); }
Value Number(int64_t number) { return Value::Bigint(number); }
Value Time(int64_t micros) {
  return micros == 0 ? Value::Null(TypeId::kTimestamp) : Value::Timestamp(micros);
}
Value OptionalText(const std::optional<std::string>& text) {
  return text ? Value::Varchar(*text) : Value::Null(TypeId::kVarchar);
}
Value OptionalNumber(const std::optional<double>& number) {
  return number ? Value::Double(*number) : Value::Null(TypeId::kDouble);
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string text;
  for (const auto& tag : tags) text += (text.empty() ? "" : ",") + tag;
  return text;
}

std::shared_ptr<const planner::TableEntry> MakeEntry(std::vector<core::Field> fields,
                                                     const std::vector<Row>& rows) {
  auto entry = std::make_shared<planner::TableEntry>();
  entry->schema = std::make_shared<core::Schema>(std::move(fields));
  auto batches = std::make_shared<std::vector<core::Batch>>();
  for (size_t start = 0; start < rows.size(); start += core::kVectorSize) {
    size_t end = std::min(rows.size(), start + core::kVectorSize);
    core::Batch& batch = batches->emplace_back(entry->schema, end - start);
    for (size_t i = start; i < end; ++i) batch.AppendRow(rows[i]);
  }
  entry->batches = std::move(batches);
  entry->estimated_rows = rows.size();
  return entry;
}

catalog::CatalogDb& CatalogOf(const Database& database, std::string_view name) {
  store::ResultStore* store = database.store();
  if (store == nullptr) {
    Throw<UserError>(
        "table \"{}\" is the workspace catalog, and this database is in memory: run sluice in a "
        "workspace (sluice init) or pass --workspace DIR",
        name);
  }
  return store->catalog();
}

std::shared_ptr<const planner::TableEntry> Datasets(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  for (const auto& d : catalog.Datasets()) {
    rows.push_back({Text(d.name), Text(d.kind), Text(d.format), Text(d.location), Text(d.table),
                    Number(d.rows), Number(d.size_bytes), Time(d.modified_micros), Text(d.owner),
                    Number(d.version), Time(d.scanned_micros), Time(d.changed_micros),
                    Text(d.description), Text(JoinTags(d.tags))});
  }
  return MakeEntry({{"name", TypeId::kVarchar},
                    {"kind", TypeId::kVarchar},
                    {"format", TypeId::kVarchar},
                    {"location", TypeId::kVarchar},
                    {"table_name", TypeId::kVarchar},
                    {"rows", TypeId::kBigint},
                    {"size_bytes", TypeId::kBigint},
                    {"modified", TypeId::kTimestamp},
                    {"owner", TypeId::kVarchar},
                    {"version", TypeId::kBigint},
                    {"scanned", TypeId::kTimestamp},
                    {"changed", TypeId::kTimestamp},
                    {"description", TypeId::kVarchar},
                    {"tags", TypeId::kVarchar}},
                   rows);
}

std::shared_ptr<const planner::TableEntry> Columns(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  for (const auto& d : catalog.Datasets()) {
    int64_t ordinal = 0;
    for (const auto& [p, s] : catalog.DatasetColumns(d.name)) {
      rows.push_back({Text(d.name), Number(d.version), Number(++ordinal), Text(p.name),
                      Text(std::string(core::TypeName(p.type))),
                      Text(std::string(catalog::SemanticTypeName(s.type))),
                      Value::Double(s.confidence), Value::Boolean(s.pii), Text(s.pii_reason),
                      Number(p.non_null), Value::Double(p.null_fraction), Value::Double(p.distinct),
                      OptionalText(p.min), OptionalText(p.max), OptionalNumber(p.mean),
                      OptionalNumber(p.stddev), Text(std::string(core::TypeName(p.inferred_type))),
                      Value::Double(p.type_failure_fraction)});
    }
  }
  return MakeEntry({{"dataset", TypeId::kVarchar},
                    {"version", TypeId::kBigint},
                    {"ordinal", TypeId::kBigint},
                    {"name", TypeId::kVarchar},
                    {"type", TypeId::kVarchar},
                    {"semantic", TypeId::kVarchar},
                    {"semantic_confidence", TypeId::kDouble},
                    {"pii", TypeId::kBoolean},
                    {"pii_reason", TypeId::kVarchar},
                    {"non_null", TypeId::kBigint},
                    {"null_fraction", TypeId::kDouble},
                    {"distinct_count", TypeId::kDouble},
                    {"min", TypeId::kVarchar},
                    {"max", TypeId::kVarchar},
                    {"mean", TypeId::kDouble},
                    {"stddev", TypeId::kDouble},
                    {"inferred_type", TypeId::kVarchar},
                    {"type_failure_fraction", TypeId::kDouble}},
                   rows);
}

std::shared_ptr<const planner::TableEntry> Versions(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  for (const auto& name : catalog.ResultNames()) {
    for (int64_t version : catalog.Versions(name)) {
      auto info = catalog.FindVersion(name, version);
      if (!info) continue;
      rows.push_back({Text(name), Number(version), Time(info->created_micros),
                      Number(info->num_rows), Number(info->num_bytes),
                      Number(static_cast<int64_t>(info->parts.size()))});
    }
  }
  return MakeEntry({{"result", TypeId::kVarchar},
                    {"version", TypeId::kBigint},
                    {"created", TypeId::kTimestamp},
                    {"rows", TypeId::kBigint},
                    {"bytes", TypeId::kBigint},
                    {"parts", TypeId::kBigint}},
                   rows);
}

std::shared_ptr<const planner::TableEntry> Lineage(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  auto column = [](const std::string& name) {
    return name.empty() ? Value::Null(TypeId::kVarchar) : Value::Varchar(name);
  };
  for (const auto& e : catalog.Lineage()) {
    rows.push_back({Text(e.from_dataset), column(e.from_column), Text(e.to_dataset),
                    column(e.to_column), Number(e.to_version),
                    e.run_id == 0 ? Value::Null(TypeId::kBigint) : Number(e.run_id),
                    e.from_version == 0 ? Value::Null(TypeId::kBigint) : Number(e.from_version)});
  }
  return MakeEntry({{"from_dataset", TypeId::kVarchar},
                    {"from_column", TypeId::kVarchar},
                    {"to_dataset", TypeId::kVarchar},
                    {"to_column", TypeId::kVarchar},
                    {"to_version", TypeId::kBigint},
                    {"run_id", TypeId::kBigint},
                    {"from_version", TypeId::kBigint}},
                   rows);
}

std::shared_ptr<const planner::TableEntry> Expectations(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  for (const auto& name : catalog.ResultNames()) {
    for (const auto& e : catalog.Expectations(name)) {
      rows.push_back({Text(e.dataset), Number(e.version), Text(e.name), Text(e.expression),
                      Text(e.action), Number(e.rows_checked), Number(e.violations)});
    }
  }
  return MakeEntry({{"dataset", TypeId::kVarchar},
                    {"version", TypeId::kBigint},
                    {"name", TypeId::kVarchar},
                    {"expression", TypeId::kVarchar},
                    {"action", TypeId::kVarchar},
                    {"rows_checked", TypeId::kBigint},
                    {"violations", TypeId::kBigint}},
                   rows);
}

std::shared_ptr<const planner::TableEntry> Runs(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  for (const auto& r : catalog.Runs()) {
    rows.push_back({Number(r.id), Text(r.notebook), Text(r.notebook_hash), Text(r.status),
                    Time(r.started_micros), Time(r.finished_micros),
                    r.error.empty() ? Value::Null(TypeId::kVarchar) : Text(r.error)});
  }
  return MakeEntry({{"id", TypeId::kBigint},
                    {"notebook", TypeId::kVarchar},
                    {"notebook_hash", TypeId::kVarchar},
                    {"status", TypeId::kVarchar},
                    {"started", TypeId::kTimestamp},
                    {"finished", TypeId::kTimestamp},
                    {"error", TypeId::kVarchar}},
                   rows);
}

// Returns `key` of JSON object text as JSON text (an object or array) or a value.
Value JsonField(const boost::json::object& object, std::string_view key, TypeId type) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return Value::Null(type);
  if (type == TypeId::kDouble) return Value::Double(value->to_number<double>());
  if (type == TypeId::kBigint) return Value::Bigint(value->to_number<int64_t>());
  if (value->is_string()) return Text(std::string(value->as_string()));
  return Text(ml::JsonText(*value));
}

boost::json::object ParseObject(const std::string& text) {
  boost::json::error_code error;
  boost::json::value value = boost::json::parse(text, error);
  return !error && value.is_object() ? value.as_object() : boost::json::object{};
}

std::shared_ptr<const planner::TableEntry> Models(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  for (const auto& m : catalog.Models()) {
    boost::json::object details = ParseObject(m.details_json);
    rows.push_back({Text(m.name), Number(m.version), Text(m.model_type), Time(m.created_micros),
                    Text(m.artifact_path), Text(m.options_json), Text(m.metrics_json),
                    JsonField(details, "hyperparameters", TypeId::kVarchar),
                    JsonField(details, "label", TypeId::kVarchar),
                    JsonField(details, "train_rows", TypeId::kBigint),
                    JsonField(details, "eval_rows", TypeId::kBigint),
                    JsonField(details, "evaluated_on", TypeId::kVarchar),
                    JsonField(details, "training_seconds", TypeId::kDouble),
                    JsonField(details, "query", TypeId::kVarchar),
                    JsonField(details, "inputs", TypeId::kVarchar),
                    JsonField(details, "run_id", TypeId::kBigint),
                    JsonField(details, "cell", TypeId::kVarchar)});
  }
  return MakeEntry({{"name", TypeId::kVarchar},
                    {"version", TypeId::kBigint},
                    {"model_type", TypeId::kVarchar},
                    {"created", TypeId::kTimestamp},
                    {"artifact_path", TypeId::kVarchar},
                    {"options", TypeId::kVarchar},
                    {"metrics", TypeId::kVarchar},
                    {"hyperparameters", TypeId::kVarchar},
                    {"label", TypeId::kVarchar},
                    {"train_rows", TypeId::kBigint},
                    {"eval_rows", TypeId::kBigint},
                    {"evaluated_on", TypeId::kVarchar},
                    {"training_seconds", TypeId::kDouble},
                    {"query", TypeId::kVarchar},
                    {"inputs", TypeId::kVarchar},
                    {"run_id", TypeId::kBigint},
                    {"cell", TypeId::kVarchar}},
                   rows);
}

std::shared_ptr<const planner::TableEntry> Trials(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  for (const auto& t : catalog.Trials()) {
    boost::json::object details = ParseObject(t.details_json);
    const boost::json::value* error = details.if_contains("error");
    bool failed = error != nullptr && error->is_string() && !error->as_string().empty();
    const boost::json::value* best = details.if_contains("best");
    rows.push_back({Text(t.model), Number(t.version), Number(t.trial_id),
                    JsonField(details, "hyperparameters", TypeId::kVarchar),
                    JsonField(details, "metrics", TypeId::kVarchar),
                    JsonField(details, "objective", TypeId::kDouble),
                    JsonField(details, "budget", TypeId::kDouble),
                    JsonField(details, "seconds", TypeId::kDouble),
                    Text(failed ? "FAILED" : "SUCCEEDED"),
                    Value::Boolean(best != nullptr && best->is_bool() && best->as_bool())});
  }
  return MakeEntry({{"model", TypeId::kVarchar},
                    {"version", TypeId::kBigint},
                    {"trial_id", TypeId::kBigint},
                    {"hyperparameters", TypeId::kVarchar},
                    {"metrics", TypeId::kVarchar},
                    {"objective", TypeId::kDouble},
                    {"budget", TypeId::kDouble},
                    {"training_seconds", TypeId::kDouble},
                    {"status", TypeId::kVarchar},
                    {"is_optimal", TypeId::kBoolean}},
                   rows);
}

std::shared_ptr<const planner::TableEntry> Tags(catalog::CatalogDb& catalog) {
  std::vector<Row> rows;
  for (const auto& d : catalog.Datasets()) {
    for (const auto& tag : d.tags) rows.push_back({Text(d.name), Text(tag)});
  }
  return MakeEntry({{"dataset", TypeId::kVarchar}, {"tag", TypeId::kVarchar}}, rows);
}

// What information_schema lists: every table and view a query can name, with its columns.
struct Relation {
  std::string schema;  // "main" (stored results, sources), "temp" (this process), "sluice"
  std::string name;
  std::string type;  // "BASE TABLE", "VIEW", "SOURCE"
};

std::vector<Relation> Relations(const Database& database) {
  std::vector<Relation> relations;
  for (const auto& name : database.TableNames()) {
    if (database.FindView(name) != nullptr) {
      relations.push_back({"temp", name, "VIEW"});
    } else if (database.sources().Find(name)) {
      relations.push_back({"main", name, "SOURCE"});
    } else if (database.IsTemporaryTable(name)) {
      relations.push_back({"temp", name, "BASE TABLE"});
    } else {
      relations.push_back({"main", name, "BASE TABLE"});
    }
  }
  return relations;
}

std::shared_ptr<const planner::TableEntry> InformationTables(const Database& database) {
  std::vector<Row> rows;
  for (const auto& relation : Relations(database)) {
    rows.push_back(
        {Text("sluice"), Text(relation.schema), Text(relation.name), Text(relation.type)});
  }
  return MakeEntry({{"table_catalog", TypeId::kVarchar},
                    {"table_schema", TypeId::kVarchar},
                    {"table_name", TypeId::kVarchar},
                    {"table_type", TypeId::kVarchar}},
                   rows);
}

std::shared_ptr<const planner::TableEntry> InformationColumns(const Database& database) {
  std::vector<Row> rows;
  for (const auto& relation : Relations(database)) {
    core::SchemaPtr schema;
    if (relation.type == "VIEW") continue;  // a view's columns are known once it is planned
    auto table = database.FindTable(relation.name);
    if (table == nullptr) continue;
    for (size_t i = 0; i < table->schema->num_fields(); ++i) {
      bool not_null = i < table->not_null.size() && table->not_null[i];
      rows.push_back({Text("sluice"), Text(relation.schema), Text(relation.name),
                      Text(table->schema->field(i).name), Number(static_cast<int64_t>(i) + 1),
                      Text(std::string(core::TypeName(table->schema->field(i).type))),
                      Text(not_null ? "NO" : "YES")});
    }
  }
  return MakeEntry({{"table_catalog", TypeId::kVarchar},
                    {"table_schema", TypeId::kVarchar},
                    {"table_name", TypeId::kVarchar},
                    {"column_name", TypeId::kVarchar},
                    {"ordinal_position", TypeId::kBigint},
                    {"data_type", TypeId::kVarchar},
                    {"is_nullable", TypeId::kVarchar}},
                   rows);
}

using CatalogTable = std::function<std::shared_ptr<const planner::TableEntry>(catalog::CatalogDb&)>;

const std::map<std::string, CatalogTable, std::less<>>& CatalogTables() {
  static const std::map<std::string, CatalogTable, std::less<>> tables = {
      {"sluice.columns", Columns},
      {"sluice.datasets", Datasets},
      {"sluice.expectations", Expectations},
      {"sluice.lineage", Lineage},
      {"sluice.models", Models},
      {"sluice.runs", Runs},
      {"sluice.tags", Tags},
      {"sluice.trials", Trials},
      {"sluice.versions", Versions},
  };
  return tables;
}

}  // namespace

bool IsSystemTableName(std::string_view name) {
  return name.starts_with("sluice.") || name.starts_with("information_schema.");
}

std::shared_ptr<const planner::TableEntry> SystemTable(const Database& database,
                                                       std::string_view name) {
  if (name == "information_schema.tables") return InformationTables(database);
  if (name == "information_schema.columns") return InformationColumns(database);
  auto found = CatalogTables().find(name);
  if (found == CatalogTables().end()) return nullptr;
  return found->second(CatalogOf(database, name));
}

}  // namespace sluice::session
