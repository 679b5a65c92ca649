// The workspace side of Database and Connection: stored results as table entries, and the
// statements that commit new versions of them.

#include <fmt/format.h>

#include "base/error.h"
#include "session/constraints.h"
#include "session/database.h"
#include "store/result_store.h"
#include "store/version_scan.h"

namespace sluice::session {
namespace {

QueryResult Status(const std::string& text) {
  QueryResult result;
  result.schema =
      std::make_shared<core::Schema>(std::vector<core::Field>{{"status", core::TypeId::kVarchar}});
  result.batches.emplace_back(result.schema, 1).AppendRow({core::Value::Varchar(text)});
  return result;
}

// Returns the entry the planner scans for a pinned version: its parts, read in parallel.
std::shared_ptr<const planner::TableEntry> EntryFor(
    std::shared_ptr<const store::PinnedVersion> pin) {
  const catalog::VersionInfo& info = pin->info();
  auto entry = std::make_shared<planner::TableEntry>();
  entry->schema = info.schema;
  entry->estimated_rows = static_cast<size_t>(info.num_rows);
  entry->unique_keys = info.unique_keys;
  for (const catalog::ColumnInfo& column : info.columns) entry->not_null.push_back(column.not_null);
  entry->open_scan = [pin](const std::vector<std::string>& columns,
                           const std::vector<io::ScanPredicate>& predicates) {
    return store::OpenVersionScan(pin, columns, predicates);
  };
  return entry;
}

}  // namespace

Database::Database() = default;

Database::Database(std::unique_ptr<store::ResultStore> store) : store_(std::move(store)) {}

Database::~Database() = default;

std::unique_ptr<Database> Database::Open(const std::string& path) {
  std::unique_ptr<Database> database(new Database(store::ResultStore::Open(path)));
  database->sources_.Restore(database->store_->catalog().Sources());
  return database;
}

std::shared_ptr<const planner::TableEntry> Database::StoredTable(
    std::string_view name, std::optional<int64_t> version) const {
  if (store_ == nullptr) return nullptr;
  auto pin = store_->Pin(name, version);
  return pin == nullptr ? nullptr : EntryFor(std::move(pin));
}

std::shared_ptr<const planner::TableEntry> Database::FindTableVersion(std::string_view name,
                                                                      int64_t version) const {
  bool temporary;
  {
    std::lock_guard lock(mutex_);
    temporary = tables_.contains(std::string(name));
  }
  if (temporary || store_ == nullptr) return Catalog::FindTableVersion(name, version);
  return StoredTable(name, version);
}

QueryResult Connection::CommitStoredTable(const sql::CreateTableStatement& statement,
                                          const planner::TableEntry& table) {
  store::CommitRequest request;
  request.name = statement.name.back();
  request.mode = statement.or_replace ? store::CommitMode::kReplace : store::CommitMode::kCreate;
  request.schema = table.schema;
  for (const core::Batch& batch : *table.batches) request.batches.push_back(batch.Share());
  request.not_null = table.not_null;
  request.unique_keys = table.unique_keys;
  catalog::VersionInfo info = database_.store()->Commit(std::move(request));
  return Status(fmt::format("CREATE TABLE {} version {}", info.result, info.version));
}

QueryResult Connection::InsertStored(const std::string& name, const planner::TableEntry& table,
                                     std::vector<core::Batch> rows) {
  store::ResultStore* store = database_.store();
  if (store == nullptr || store->Pin(name) == nullptr) {
    Throw<UserError>("cannot INSERT into \"{}\": it is not a table of this workspace", name);
  }
  size_t inserted = 0;
  for (const core::Batch& batch : rows) inserted += batch.num_rows();
  store::CommitRequest request;
  request.name = name;
  request.mode = store::CommitMode::kAppend;
  request.schema = table.schema;
  auto new_rows = std::make_shared<std::vector<core::Batch>>();
  for (const core::Batch& batch : rows) new_rows->push_back(batch.Share());
  // Constraints are checked under the result's lock, against the version the rows extend.
  request.check = [&, new_rows](const catalog::VersionInfo* latest) {
    planner::TableEntry checked = table;
    auto all_rows = std::make_shared<std::vector<core::Batch>>();
    if (!table.unique_keys.empty() && latest != nullptr) {
      *all_rows = store::ReadVersion(*store->Pin(name, latest->version));
    }
    for (const core::Batch& batch : *new_rows) all_rows->push_back(batch.Share());
    checked.batches = std::move(all_rows);
    CheckConstraints(checked, name);
  };
  request.batches = std::move(rows);
  store->Commit(std::move(request));
  return Status(fmt::format("INSERT {}", inserted));
}

QueryResult Connection::SetRetention(const sql::SetStatement& statement) {
  const sql::Expr& value = *statement.value;
  if (value.kind != sql::ExprKind::kLiteral ||
      value.As<sql::LiteralExpr>().literal_kind != sql::LiteralKind::kInteger) {
    Throw<UserError>("SET retention_versions takes an integer");
  }
  if (database_.store() == nullptr) {
    Throw<UserError>("SET retention_versions needs a workspace; this database is in memory");
  }
  database_.store()->SetRetentionVersions(value.As<sql::LiteralExpr>().integer_value);
  return Status("SET");
}

}  // namespace sluice::session
