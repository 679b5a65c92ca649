#include "session/database.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "base/task.h"
#include "exec/gather.h"
#include "planner/column_lineage.h"
#include "planner/query_planner.h"
#include "session/constraints.h"
#include "session/declared_key.h"
#include "session/expectations.h"
#include "session/system_tables.h"
#include "sql/parser.h"
#include "sql/to_sql.h"
#include "store/result_store.h"

namespace sluice::session {

void CheckConstraints(const planner::TableEntry& table, const std::string& name) {
  bool any_not_null =
      std::find(table.not_null.begin(), table.not_null.end(), true) != table.not_null.end();
  if (!any_not_null && table.unique_keys.empty()) return;
  const core::Schema& schema = *table.schema;
  std::vector<std::set<std::string>> seen(table.unique_keys.size());
  for (const core::Batch& batch : *table.batches) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      for (size_t c = 0; c < table.not_null.size(); ++c) {
        if (table.not_null[c] && batch.GetValue(c, row).is_null()) {
          Throw<UserError>(
              "null value in column \"{}\" of relation \"{}\" violates not-null "
              "constraint",
              schema.field(c).name, name);
        }
      }
      for (size_t k = 0; k < table.unique_keys.size(); ++k) {
        std::string key;
        bool has_null = false;
        for (size_t c : table.unique_keys[k]) {
          core::Value value = batch.GetValue(c, row);
          has_null = has_null || value.is_null();
          key += value.ToString() + '\x1f';
        }
        if (has_null || seen[k].insert(key).second) continue;
        std::vector<std::string> columns;
        std::vector<std::string> values;
        for (size_t c : table.unique_keys[k]) {
          columns.push_back(schema.field(c).name);
          values.push_back(batch.GetValue(c, row).ToString());
        }
        Throw<UserError>("duplicate key value violates unique constraint on \"{}\" ({}): {}", name,
                         fmt::join(columns, ", "), fmt::join(values, ", "));
      }
    }
  }
}

namespace {

using core::TypeId;

QueryResult Message(const std::string& text) {
  QueryResult result;
  result.schema =
      std::make_shared<core::Schema>(std::vector<core::Field>{{"status", TypeId::kVarchar}});
  result.batches.emplace_back(result.schema, 1).AppendRow({core::Value::Varchar(text)});
  return result;
}

std::string Describe(const exec::PhysicalOperator& op) {
  std::string details = op.details();
  return op.name() + (details.empty() ? "" : " [" + details + "]");
}

std::string Analyze(const exec::PhysicalOperator& op) {
  const exec::OperatorStats& stats = op.stats();
  std::string memory = stats.peak_bytes.load() == 0
                           ? ""
                           : ", peak memory " + exec::FormatBytes(stats.peak_bytes.load());
  return fmt::format("{}  (rows in {}, rows out {}, batches {}, {:.3f} ms{})", Describe(op),
                     stats.rows_in.load(), stats.rows_out.load(), stats.batches.load(),
                     stats.nanos.load() / 1e6, memory);
}

}  // namespace

size_t QueryResult::num_rows() const {
  size_t rows = 0;
  for (const core::Batch& batch : batches) rows += batch.num_rows();
  return rows;
}

QueryResult Listing(std::vector<core::Field> fields,
                    const std::vector<std::vector<core::Value>>& rows) {
  QueryResult result;
  result.schema = std::make_shared<core::Schema>(std::move(fields));
  result.batches.emplace_back(result.schema, std::max<size_t>(rows.size(), 1));
  for (const auto& row : rows) result.batches.back().AppendRow(row);
  return result;
}

std::string QueryResult::ToString() const {
  std::string text;
  for (const core::Batch& batch : batches) text += batch.ToString();
  return text;
}

std::shared_ptr<const planner::TableEntry> Database::FindTable(std::string_view name) const {
  if (IsSystemTableName(name)) return SystemTable(*this, name);
  {
    std::lock_guard lock(mutex_);
    auto found = tables_.find(std::string(name));
    if (found != tables_.end()) return found->second;
  }
  if (auto source = sources_.Table(std::string(name))) return source;
  return StoredTable(name, std::nullopt);
}

bool Database::IsTemporaryTable(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return tables_.contains(std::string(name));
}

std::shared_ptr<const planner::ViewEntry> Database::FindView(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto found = views_.find(std::string(name));
  return found == views_.end() ? nullptr : found->second;
}

std::vector<std::string> Database::TableNames() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, table] : tables_) names.push_back(name);
  for (const auto& [name, view] : views_) names.push_back(name);
  for (const auto& source : sources_.List(false)) names.push_back(source.name);
  if (store_) {
    for (const auto& name : store_->ResultNames()) {
      if (!tables_.contains(name)) names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

void Database::PutView(const std::string& name, std::shared_ptr<const planner::ViewEntry> view) {
  std::lock_guard lock(mutex_);
  views_[name] = std::move(view);
}

bool Database::DropView(const std::string& name) {
  std::lock_guard lock(mutex_);
  return views_.erase(name) > 0;
}

void Database::PutTable(const std::string& name, std::shared_ptr<const planner::TableEntry> table) {
  std::lock_guard lock(mutex_);
  tables_[name] = std::move(table);
}

bool Database::DropTable(const std::string& name) {
  {
    std::lock_guard lock(mutex_);
    if (tables_.erase(name) > 0) return true;
  }
  return store_ != nullptr && store_->Drop(name);
}

Connection::Connection(Database& database)
    : database_(database), memory_limit_(exec::PhysicalMemory() / 10 * 8) {}

std::string Connection::OnFirstRank(const std::function<std::string()>& write,
                                    const std::function<void()>& follow) {
  if (ranks_ == nullptr || ranks_->size() == 1) return write();
  // Every rank has read the workspace as it was (e.g. whether a table exists) before it changes.
  ranks_->Barrier();
  std::string text;
  std::exception_ptr failure;
  try {
    if (ranks_->rank() == 0)
      text = write();
    else if (follow)
      follow();
  } catch (...) {
    failure = std::current_exception();
  }
  cluster::AgreeOnFailure(*ranks_, failure);
  ranks_->Broadcast(text, 0);
  return text;
}

QueryResult Connection::RunPlan(planner::QueryPlan& plan) {
  exec::MemoryTracker memory(memory_limit_);
  QueryResult result;
  result.schema = std::make_shared<core::Schema>(std::vector<core::Field>(
      plan.schema->fields().begin(), plan.schema->fields().begin() + plan.visible_columns));
  result.batches = planner::ExecutePlan(plan, &memory);
  return result;
}

QueryResult Connection::Execute(std::string_view sql) {
  QueryResult result;
  for (const auto& statement : sql::ParseSql(sql)) result = Run(*statement);
  return result;
}

QueryResult Connection::Run(const sql::Statement& statement) {
  switch (statement.kind) {
    case sql::StatementKind::kSelect: {
      const sql::QueryNode& query = *statement.As<sql::SelectStatement>().query;
      if (!select_rows_on_first_rank_) return RunQuery(query);
      planner::QueryPlan plan =
          planner::QueryPlanner(database_, nullptr, ranks_).PlanForFirstRank(query);
      return RunPlan(plan);
    }
    case sql::StatementKind::kCreateTable:
      return CreateTable(statement.As<sql::CreateTableStatement>());
    case sql::StatementKind::kInsert:
      return Insert(statement.As<sql::InsertStatement>());
    case sql::StatementKind::kExplain:
      return Explain(statement.As<sql::ExplainStatement>());
    case sql::StatementKind::kSet:
      return Set(statement.As<sql::SetStatement>());
    case sql::StatementKind::kDrop:
      return DropObject(statement.As<sql::DropStatement>());
    case sql::StatementKind::kCreateSource:
      return CreateSource(statement.As<sql::CreateSourceStatement>());
    case sql::StatementKind::kCreateSink:
      return CreateSink(statement.As<sql::CreateSinkStatement>());
    case sql::StatementKind::kCreateIndex:
      return CreateIndex(statement.As<sql::CreateIndexStatement>());
    case sql::StatementKind::kCreateView:
      return CreateView(statement.As<sql::CreateViewStatement>());
    case sql::StatementKind::kCopy:
      return Copy(statement.As<sql::CopyStatement>());
    case sql::StatementKind::kCreateModel:
      return CreateModel(statement.As<sql::CreateModelStatement>());
    case sql::StatementKind::kShow: {
      const std::string& what = statement.As<sql::ShowStatement>().name;
      if (what == "sources" || what == "sinks") return ShowSources(what == "sinks");
      QueryResult result;
      result.schema =
          std::make_shared<core::Schema>(std::vector<core::Field>{{"name", TypeId::kVarchar}});
      auto names = database_.TableNames();
      result.batches.emplace_back(result.schema, std::max<size_t>(names.size(), 1));
      for (const auto& name : names) result.batches.back().AppendRow({core::Value::Varchar(name)});
      return result;
    }
    default:
      break;
  }
  Throw<UserError>("this statement is not supported yet (line {}, column {})",
                   statement.location.line, statement.location.column);
}

QueryResult Connection::RunQuery(const sql::QueryNode& query) { return Query(query, database_); }

QueryResult Connection::Query(const sql::QueryNode& query, const planner::Catalog& catalog) {
  planner::QueryPlan plan = planner::QueryPlanner(catalog, nullptr, ranks_).Plan(query);
  return RunPlan(plan);
}

QueryResult Connection::CreateTable(const sql::CreateTableStatement& statement) {
  const std::string& name = statement.name.back();
  if (database_.FindTable(name) != nullptr && !statement.or_replace) {
    if (statement.if_not_exists) return Message("CREATE TABLE");
    Throw<UserError>("table \"{}\" already exists (line {}, column {})", name,
                     statement.location.line, statement.location.column);
  }
  auto table = std::make_shared<planner::TableEntry>();
  ExpectationReport expectations;
  if (statement.query) {
    QueryResult rows = RunQuery(*statement.query);
    table->schema = rows.schema;
    table->batches = std::make_shared<const std::vector<core::Batch>>(std::move(rows.batches));
    expectations = ApplyExpectations(statement, *table, database_);
  } else {
    std::vector<core::Field> fields;
    for (const auto& column : statement.columns) {
      table->not_null.push_back(column.not_null || column.primary_key);
      if (column.primary_key || column.unique) table->unique_keys.push_back({fields.size()});
      auto type = core::TypeFromName(column.type.name);
      if (!type)
        Throw<UserError>("type \"{}\" does not exist at line {}, column {}", column.type.name,
                         column.location.line, column.location.column);
      fields.push_back({column.name, *type});
    }
    table->schema = std::make_shared<core::Schema>(std::move(fields));
    table->batches = std::make_shared<const std::vector<core::Batch>>();
  }
  ApplyDeclaredKey(statement, name, *table);
  table->lineage = std::make_shared<const planner::QueryLineage>(
      statement.query ? planner::DeriveLineage(*statement.query, database_)
                      : planner::QueryLineage{});
  if (database_.store() != nullptr && !statement.temporary) {
    return CommitStoredTable(statement, *table, expectations);
  }
  database_.PutTable(name, table);
  return Message("CREATE TABLE" + expectations.Summary());
}

QueryResult Connection::CreateIndex(const sql::CreateIndexStatement& statement) {
  const std::string& name = statement.table.back();
  auto table = database_.FindTable(name);
  if (table == nullptr) {
    Throw<UserError>("table \"{}\" does not exist (line {}, column {})", name,
                     statement.location.line, statement.location.column);
  }
  std::vector<size_t> key;
  for (const auto& column : statement.columns) {
    auto index = table->schema->FindField(column);
    if (!index) Throw<UserError>("column \"{}\" of table \"{}\" does not exist", column, name);
    key.push_back(*index);
  }
  // Indexes do not speed up lookups yet; a UNIQUE index is enforced as a constraint.
  if (statement.unique && table->open_scan) {
    Throw<UserError>("CREATE UNIQUE INDEX on stored table \"{}\" is not supported yet", name);
  }
  if (statement.unique) {
    auto updated = std::make_shared<planner::TableEntry>(*table);
    updated->unique_keys.push_back(key);
    CheckConstraints(*updated, name);
    database_.PutTable(name, updated);
  }
  return Message("CREATE INDEX");
}

QueryResult Connection::CreateView(const sql::CreateViewStatement& statement) {
  const std::string& name = statement.name.back();
  if ((database_.FindView(name) != nullptr && !statement.or_replace) ||
      database_.FindTable(name) != nullptr) {
    Throw<UserError>("relation \"{}\" already exists (line {}, column {})", name,
                     statement.location.line, statement.location.column);
  }
  // The view keeps its own syntax tree, parsed again from the statement's canonical text.
  auto entry = std::make_shared<planner::ViewEntry>();
  entry->statement = sql::ParseStatement(sql::ToSql(statement));
  entry->query = entry->statement->As<sql::CreateViewStatement>().query.get();
  entry->column_names = statement.column_names;
  planner::QueryPlanner(database_).Plan(*entry->query);  // reports errors now, not at first use
  database_.PutView(name, entry);
  return Message("CREATE VIEW");
}

QueryResult Connection::Drop(const sql::DropStatement& statement) {
  const std::string& name = statement.name.back();
  bool view = statement.object_type == sql::ObjectType::kView;
  bool dropped = false;
  if (view || database_.IsTemporaryTable(name)) {
    dropped = view ? database_.DropView(name) : database_.DropTable(name);
  } else {
    dropped = OnFirstRank([&] { return database_.DropTable(name) ? "1" : ""; }) == "1";
  }
  if (!dropped && !statement.if_exists) {
    Throw<UserError>("{} \"{}\" does not exist (line {}, column {})", view ? "view" : "table", name,
                     statement.location.line, statement.location.column);
  }
  return Message(view ? "DROP VIEW" : "DROP TABLE");
}

namespace {

// Returns the rows of `input` as full batches of `schema`: input column c goes to column
// targets[c] (cast when the types differ), the other columns are NULL. Coalescing keeps a
// table that grows by many small INSERTs from becoming many tiny batches.
std::vector<core::Batch> ConvertInsertRows(const std::vector<core::Batch>& input,
                                           const core::SchemaPtr& schema,
                                           const std::vector<size_t>& targets) {
  std::vector<core::Batch> output;
  for (const core::Batch& original : input) {
    core::Batch batch = exec::Flatten(original.Share());
    for (size_t from = 0; from < batch.num_rows();) {
      if (output.empty() || output.back().num_rows() == core::kVectorSize) {
        output.emplace_back(schema, core::kVectorSize);
      }
      core::Batch& out = output.back();
      size_t at = out.num_rows();
      size_t count = std::min(batch.num_rows() - from, core::kVectorSize - at);
      for (size_t c = 0; c < schema->num_fields(); ++c) {
        if (std::find(targets.begin(), targets.end(), c) != targets.end()) continue;
        for (size_t i = 0; i < count; ++i) out.column(c).SetNull(at + i);
      }
      for (size_t c = 0; c < targets.size(); ++c) {
        const core::Vector& source = batch.column(c);
        core::Vector& target = out.column(targets[c]);
        if (source.type() == target.type()) {
          target.CopyFrom(source, from, at, count);
          continue;
        }
        for (size_t i = 0; i < count; ++i) target.SetValue(at + i, source.GetValue(from + i));
      }
      out.SetNumRows(at + count);
      from += count;
    }
  }
  return output;
}

}  // namespace

QueryResult Connection::Insert(const sql::InsertStatement& statement) {
  const std::string& name = statement.table.back();
  auto table = database_.FindTable(name);
  if (table == nullptr) Throw<UserError>("table \"{}\" does not exist", name);
  QueryResult rows = RunQuery(*statement.source);
  const core::Schema& schema = *table->schema;
  std::vector<size_t> targets;
  if (statement.columns.empty()) {
    for (size_t c = 0; c < schema.num_fields(); ++c) targets.push_back(c);
  } else {
    for (const auto& column : statement.columns) {
      auto index = schema.FindField(column);
      if (!index) Throw<UserError>("column \"{}\" of table \"{}\" does not exist", column, name);
      targets.push_back(*index);
    }
  }
  if (rows.schema->num_fields() != targets.size()) {
    Throw<UserError>("INSERT has {} expressions but {} target columns", rows.schema->num_fields(),
                     targets.size());
  }
  size_t inserted = rows.num_rows();
  std::vector<core::Batch> new_rows = ConvertInsertRows(rows.batches, table->schema, targets);
  planner::QueryLineage lineage =
      planner::AppendLineage(table->open_scan ? nullptr : table->lineage.get(),
                             planner::DeriveLineage(*statement.source, database_), targets, schema);
  if (table->open_scan) return InsertStored(name, *table, std::move(new_rows), lineage);
  auto batches = std::make_shared<std::vector<core::Batch>>(std::vector<core::Batch>{});
  for (const core::Batch& batch : *table->batches) batches->push_back(batch.Share());
  for (core::Batch& batch : new_rows) batches->push_back(std::move(batch));
  auto updated = std::make_shared<planner::TableEntry>(*table);
  updated->batches = std::move(batches);
  if (updated->lineage) updated->lineage = std::make_shared<const planner::QueryLineage>(lineage);
  CheckConstraints(*updated, name);
  database_.PutTable(name, updated);
  return Message(fmt::format("INSERT {}", inserted));
}

QueryResult Connection::Explain(const sql::ExplainStatement& statement) {
  if (statement.statement->kind != sql::StatementKind::kSelect) {
    Throw<UserError>("EXPLAIN supports queries only");
  }
  planner::QueryPlan plan = planner::QueryPlanner(database_, nullptr, ranks_)
                                .Plan(*statement.statement->As<sql::SelectStatement>().query);
  if (statement.analyze) RunPlan(plan);
  auto line = statement.analyze ? Analyze : Describe;
  QueryResult result;
  result.schema =
      std::make_shared<core::Schema>(std::vector<core::Field>{{"plan", TypeId::kVarchar}});
  std::vector<std::string> lines;
  for (size_t p = 0; p < plan.pipelines.size(); ++p) {
    const exec::Pipeline& pipeline = plan.pipelines[p];
    lines.push_back(fmt::format("pipeline {}", p + 1));
    lines.push_back("  " + line(*pipeline.source));
    for (const auto& transform : pipeline.transforms) lines.push_back("  -> " + line(*transform));
    lines.push_back("  => " + line(*pipeline.sink));
  }
  result.batches.emplace_back(result.schema, lines.size());
  for (const auto& text : lines) result.batches.back().AppendRow({core::Value::Varchar(text)});
  return result;
}

QueryResult Connection::Set(const sql::SetStatement& statement) {
  if (statement.name == "retention_versions") return SetRetention(statement);
  if (statement.name == "memory_limit" || statement.name == "max_memory") {
    const sql::Expr& value = *statement.value;
    std::string text =
        value.kind == sql::ExprKind::kLiteral
            ? value.As<sql::LiteralExpr>().text
            : (value.kind == sql::ExprKind::kColumnRef ? value.As<sql::ColumnRefExpr>().column()
                                                       : std::string());
    memory_limit_ = exec::ParseMemorySize(text);
    return Message("SET");
  }
  if (statement.name == "threads" || statement.name == "worker_threads") {
    const sql::Expr& value = *statement.value;
    if (value.kind != sql::ExprKind::kLiteral ||
        value.As<sql::LiteralExpr>().literal_kind != sql::LiteralKind::kInteger) {
      Throw<UserError>("SET threads takes an integer");
    }
    SetThreadCount(static_cast<size_t>(value.As<sql::LiteralExpr>().integer_value));
    return Message("SET");
  }
  Throw<UserError>("unknown setting \"{}\" (threads, memory_limit)", statement.name);
}

}  // namespace sluice::session
