// The workspace side of Database and Connection: stored results as table entries, and the
// statements that commit new versions of them.

#include <fmt/format.h>

#include "base/error.h"
#include "planner/column_lineage.h"
#include "session/constraints.h"
#include "session/database.h"
#include "session/expectations.h"
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
  entry->version = info.version;
  entry->unique_keys = info.unique_keys;
  for (const catalog::ColumnInfo& column : info.columns) entry->not_null.push_back(column.not_null);
  entry->open_scan = [pin](const std::vector<std::string>& columns,
                           const std::vector<io::ScanPredicate>& predicates) {
    return store::OpenVersionScan(pin, columns, predicates);
  };
  return entry;
}

// Returns the lineage edges of rows whose lineage is `lineage` going into a table with columns
// `schema`: one per dataset read, one per (column, origin column). The commit fills `to_*`.
std::vector<catalog::LineageEdge> LineageEdges(const planner::QueryLineage& lineage,
                                               const core::Schema& schema, int64_t run_id) {
  std::vector<catalog::LineageEdge> edges;
  for (const planner::ColumnOrigin& dataset : lineage.datasets) {
    edges.push_back({dataset.dataset, "", "", "", 0, run_id, dataset.version});
  }
  for (size_t c = 0; c < lineage.columns.size() && c < schema.num_fields(); ++c) {
    for (const planner::ColumnOrigin& origin : lineage.columns[c]) {
      edges.push_back(
          {origin.dataset, origin.column, "", schema.field(c).name, 0, run_id, origin.version});
    }
  }
  return edges;
}

// Returns the edges into version `version` of `name`: a version that appends rows keeps them.
std::vector<catalog::LineageEdge> EdgesInto(catalog::CatalogDb& catalog, const std::string& name,
                                            int64_t version) {
  std::vector<catalog::LineageEdge> edges;
  for (const catalog::LineageEdge& edge : catalog.Lineage(name)) {
    if (edge.to_dataset == name && edge.to_version == version) edges.push_back(edge);
  }
  return edges;
}

// Runs `write` (this rank's parts of a commit) and returns every rank's parts in part order;
// throws on every rank when one failed.
std::vector<store::WrittenPart> SwapParts(
    cluster::Communicator& ranks, const std::function<std::vector<store::WrittenPart>()>& write) {
  std::vector<store::WrittenPart> mine;
  std::exception_ptr failure;
  try {
    mine = write();
  } catch (...) {
    failure = std::current_exception();
  }
  cluster::AgreeOnFailure(ranks, failure);
  std::vector<store::WrittenPart> parts;
  for (const std::string& bytes : ranks.AllGather(store::EncodeParts(mine))) {
    for (store::WrittenPart& part : store::DecodeParts(bytes)) parts.push_back(std::move(part));
  }
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  return parts;
}

}  // namespace

Database::Database() : models_(std::make_unique<ModelRegistry>(nullptr)) {}

Database::Database(std::unique_ptr<store::ResultStore> store)
    : store_(std::move(store)), models_(std::make_unique<ModelRegistry>(store_.get())) {}

Database::~Database() = default;

std::unique_ptr<Database> Database::Open(const std::string& path) {
  return Open(path, store::StoreOptions{});
}

std::unique_ptr<Database> Database::Open(const std::string& path,
                                         const store::StoreOptions& options) {
  std::unique_ptr<Database> database(new Database(store::ResultStore::Open(path, options)));
  database->sources_.set_base_folder(database->store_->workspace());
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
                                          const planner::TableEntry& table,
                                          const ExpectationReport& expectations) {
  store::CommitRequest request;
  request.name = statement.name.back();
  request.mode = statement.or_replace ? store::CommitMode::kReplace : store::CommitMode::kCreate;
  request.schema = table.schema;
  for (const core::Batch& batch : *table.batches) request.batches.push_back(batch.Share());
  request.not_null = table.not_null;
  request.unique_keys = table.unique_keys;
  request.provenance.expectations = expectations.results;
  if (table.lineage)
    request.provenance.lineage = LineageEdges(*table.lineage, *table.schema, run_id_);
  return Status(CommitOnRanks(std::move(request), [&](const catalog::VersionInfo& info) {
    return fmt::format("CREATE TABLE {} version {}{}", info.result, info.version,
                       expectations.Summary());
  }));
}

std::string Connection::CommitOnRanks(
    store::CommitRequest request,
    const std::function<std::string(const catalog::VersionInfo&)>& describe) {
  store::ResultStore& store = *database_.store();
  if (ranks_ == nullptr || ranks_->size() == 1) return describe(store.Commit(std::move(request)));
  cluster::Communicator& ranks = *ranks_;
  core::SchemaPtr schema = request.schema;
  std::vector<core::Batch> rows;
  for (const core::Batch& batch : request.batches) rows.push_back(batch.Share());
  store::PartShare share{ranks.rank(), ranks.size()};
  // Rank 0 sends the temporary folder of the version (empty: nothing to write), every rank
  // writes its parts there, and rank 0 records the version.
  auto write = [&] {
    bool sent = false;
    request.share = share;
    request.write_together = [&](const std::string& folder, const auto& write_mine) {
      std::string sent_folder = folder;
      ranks.Broadcast(sent_folder, 0);
      sent = true;
      return SwapParts(ranks, write_mine);
    };
    std::string none;
    try {
      catalog::VersionInfo info = store.Commit(std::move(request));
      if (!sent) ranks.Broadcast(none, 0);
      return describe(info);
    } catch (...) {
      if (!sent) ranks.Broadcast(none, 0);
      throw;
    }
  };
  auto follow = [&] {
    std::string folder;
    ranks.Broadcast(folder, 0);
    if (!folder.empty())
      SwapParts(ranks, [&] { return store.WriteShare(folder, schema, rows, share); });
  };
  return OnFirstRank(write, follow);
}

QueryResult Connection::InsertStored(const std::string& name, const planner::TableEntry& table,
                                     std::vector<core::Batch> rows,
                                     const planner::QueryLineage& lineage) {
  store::ResultStore* store = database_.store();
  auto previous = store == nullptr ? nullptr : store->Pin(name);
  if (previous == nullptr) {
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
  // The new version holds the previous one's rows: it keeps their lineage and adds the insert's.
  request.provenance.lineage = EdgesInto(store->catalog(), name, previous->info().version);
  for (auto& edge : LineageEdges(lineage, *table.schema, run_id_)) {
    request.provenance.lineage.push_back(std::move(edge));
  }
  previous.reset();
  CommitOnRanks(std::move(request), [](const catalog::VersionInfo&) { return ""; });
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
  OnFirstRank([&] {
    database_.store()->SetRetentionVersions(value.As<sql::LiteralExpr>().integer_value);
    return "";
  });
  return Status("SET");
}

}  // namespace sluice::session
