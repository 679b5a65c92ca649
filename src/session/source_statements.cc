// CREATE SOURCE, CREATE SINK, DROP SOURCE|SINK and SHOW SOURCES|SINKS. In a workspace the
// statements are recorded in its catalog, and the registry restores them when it opens.

#include <fmt/format.h>

#include "base/error.h"
#include "io/table_writer.h"
#include "planner/external_tables.h"
#include "session/database.h"
#include "sql/parser.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

using core::TypeId;

QueryResult Status(const std::string& text) {
  QueryResult result;
  result.schema =
      std::make_shared<core::Schema>(std::vector<core::Field>{{"status", TypeId::kVarchar}});
  result.batches.emplace_back(result.schema, 1).AppendRow({core::Value::Varchar(text)});
  return result;
}

std::string AtLine(const sql::Statement& statement) {
  return fmt::format("(line {}, column {})", statement.location.line, statement.location.column);
}

}  // namespace

QueryResult Connection::CreateSource(const sql::CreateSourceStatement& statement) {
  const std::string& name = statement.name;
  auto existing = database_.sources().Find(name);
  if (existing && existing->sink) {
    Throw<UserError>("\"{}\" is already the name of a sink {}", name, AtLine(statement));
  }
  bool taken =
      existing || database_.FindView(name) != nullptr || database_.FindTable(name) != nullptr;
  if (taken && statement.if_not_exists) return Status("CREATE SOURCE");
  if (taken && (!statement.or_replace || !existing)) {
    Throw<UserError>("relation \"{}\" already exists {}", name, AtLine(statement));
  }
  SourceRecord record = SourceRecordOf(statement);
  auto table = planner::OpenExternalTable({record.location, record.options});
  if (store::ResultStore* store = database_.store()) {
    OnFirstRank([&] {
      store->catalog().RecordSource(name, "source", record.sql);
      return "";
    });
  }
  database_.sources().Put(std::move(record), std::move(table));
  return Status("CREATE SOURCE");
}

QueryResult Connection::CreateSink(const sql::CreateSinkStatement& statement) {
  const std::string& name = statement.name;
  auto existing = database_.sources().Find(name);
  if (existing && (!existing->sink || !statement.or_replace)) {
    Throw<UserError>("{} \"{}\" already exists {}", existing->sink ? "sink" : "source", name,
                     AtLine(statement));
  }
  SourceRecord record = SinkRecordOf(statement);
  sql::StatementPtr select;
  if (!statement.query) select = sql::ParseStatement("SELECT * FROM " + record.from);
  QueryResult rows =
      RunQuery(statement.query ? *statement.query : *select->As<sql::SelectStatement>().query);
  record.rows_written = std::stoull(OnFirstRank([&] {
    auto writer = io::OpenTableWriter(record.location, rows.schema, SinkOptionsOf(record));
    for (const core::Batch& batch : rows.batches) writer->Append(batch.Share(rows.schema));
    size_t written = writer->Commit();
    if (store::ResultStore* store = database_.store()) {
      store->catalog().RecordSource(name, "sink", record.sql);
    }
    return std::to_string(written);
  }));
  size_t written = record.rows_written;
  database_.sources().Put(std::move(record));
  return Status(fmt::format("CREATE SINK {}", written));
}

QueryResult Connection::DropObject(const sql::DropStatement& statement) {
  if (statement.object_type == sql::ObjectType::kModel) return DropModel(statement);
  const std::string& name = statement.name.back();
  auto record = database_.sources().Find(name);
  bool sink = statement.object_type == sql::ObjectType::kSink;
  if (statement.object_type != sql::ObjectType::kSource && !sink) {
    if (record && !record->sink && statement.object_type == sql::ObjectType::kTable) {
      Throw<UserError>("\"{}\" is a source: use DROP SOURCE {}", name, AtLine(statement));
    }
    return Drop(statement);
  }
  if (!record || record->sink != sink) {
    if (statement.if_exists) return Status(sink ? "DROP SINK" : "DROP SOURCE");
    Throw<UserError>("{} \"{}\" does not exist {}", sink ? "sink" : "source", name,
                     AtLine(statement));
  }
  if (store::ResultStore* store = database_.store()) {
    store->catalog().ForgetSource(name);
    store->catalog().DropDataset(name);
  }
  database_.sources().Drop(name);
  return Status(sink ? "DROP SINK" : "DROP SOURCE");
}

QueryResult Connection::ShowSources(bool sinks) {
  std::vector<std::vector<core::Value>> rows;
  auto text = [](const std::string& value) { return core::Value::Varchar(value); };
  for (const SourceRecord& record : database_.sources().List(sinks)) {
    std::string location = io::DisplayLocation(record.location);
    if (!sinks) {
      rows.push_back({text(record.name), text(location), text(record.table)});
      continue;
    }
    rows.push_back({text(record.name), text(record.from), text(location), text(record.table),
                    text(record.mode), text(record.key),
                    core::Value::Bigint(static_cast<int64_t>(record.rows_written))});
  }
  if (!sinks) {
    return Listing(
        {{"name", TypeId::kVarchar}, {"location", TypeId::kVarchar}, {"table", TypeId::kVarchar}},
        rows);
  }
  return Listing({{"name", TypeId::kVarchar},
                  {"from", TypeId::kVarchar},
                  {"location", TypeId::kVarchar},
                  {"table", TypeId::kVarchar},
                  {"mode", TypeId::kVarchar},
                  {"key", TypeId::kVarchar},
                  {"rows_written", TypeId::kBigint}},
                 rows);
}

}  // namespace sluice::session
