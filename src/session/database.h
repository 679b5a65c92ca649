#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/communicator.h"
#include "core/batch.h"
#include "planner/catalog.h"
#include "planner/query_planner.h"
#include "session/model_registry.h"
#include "session/source_registry.h"
#include "sql/ast.h"

namespace sluice::catalog {
struct VersionInfo;
}  // namespace sluice::catalog

namespace sluice::store {
class ResultStore;
struct CommitRequest;
struct StoreOptions;
}  // namespace sluice::store

namespace sluice::session {

struct ExpectationReport;

/// Is the result of one statement: its columns and rows (empty for statements without rows).
struct QueryResult {
  core::SchemaPtr schema = std::make_shared<core::Schema>();
  std::vector<core::Batch> batches;
  /// Returns the number of rows.
  size_t num_rows() const;
  /// Returns the rows as text, a row per line with values separated by `|` (for tests).
  std::string ToString() const;
};

/// Returns a result with columns `fields` holding `rows` (listings: SHOW, catalog commands).
QueryResult Listing(std::vector<core::Field> fields,
                    const std::vector<std::vector<core::Value>>& rows);

/// Is an opened workspace: the temporary tables and views of this process and, when opened on a
/// workspace folder, the results stored there (versioned Parquet, see store/README.md).
/// Thread-safe.
class Database final : public planner::Catalog {
 public:
  /// Makes an in-memory database: every table is temporary.
  Database();
  /// Opens the workspace in folder `path` (making `.sluice/` when missing): tables created
  /// without TEMP are stored there as versioned results. Throws IoError when it cannot.
  static std::unique_ptr<Database> Open(const std::string& path);
  /// Opens the workspace with its result store configured by `options` (e.g. rows per part).
  static std::unique_ptr<Database> Open(const std::string& path,
                                        const store::StoreOptions& options);
  ~Database() override;

  /// Returns the workspace's result store (its catalog keeps source definitions too), or
  /// nullptr for an in-memory database.
  store::ResultStore* store() const { return store_.get(); }

  std::shared_ptr<const planner::TableEntry> FindTable(std::string_view name) const override;
  std::shared_ptr<const planner::TableEntry> FindTableVersion(std::string_view name,
                                                              int64_t version) const override;
  std::shared_ptr<const planner::ViewEntry> FindView(std::string_view name) const override;
  std::shared_ptr<const planner::TableEntry> RunModelFunction(
      const sql::ModelFunctionRef& ref, const planner::TableEntry* input) const override;
  /// Returns the models (CREATE MODEL) of this database.
  ModelRegistry& models() const { return *models_; }
  std::vector<std::string> TableNames() const override;

  /// Stores `table` as `name`, replacing any table of that name.
  void PutTable(const std::string& name, std::shared_ptr<const planner::TableEntry> table);
  /// Removes table `name` (a temporary one first, else the stored result); returns false when
  /// there was none.
  bool DropTable(const std::string& name);
  /// Stores `view` as `name`, replacing any view of that name.
  void PutView(const std::string& name, std::shared_ptr<const planner::ViewEntry> view);
  /// Removes view `name`; returns false when there was none.
  bool DropView(const std::string& name);
  /// Returns the sources and sinks (a source's rows are read through its table entry).
  SourceRegistry& sources() { return sources_; }
  const SourceRegistry& sources() const { return sources_; }
  /// Returns true when `name` is a temporary table of this process (not a stored result).
  bool IsTemporaryTable(std::string_view name) const;

 private:
  explicit Database(std::unique_ptr<store::ResultStore> store);
  // In workspace_tables.cc: the entry of a stored result's version, or nullptr.
  std::shared_ptr<const planner::TableEntry> StoredTable(std::string_view name,
                                                         std::optional<int64_t> version) const;

  std::unique_ptr<store::ResultStore> store_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const planner::TableEntry>> tables_;
  std::map<std::string, std::shared_ptr<const planner::ViewEntry>> views_;
  SourceRegistry sources_;
  std::unique_ptr<ModelRegistry> models_;
};

/// Runs statements against a database, one at a time: parse, plan, execute.
class Connection {
 public:
  explicit Connection(Database& database);

  /// Runs every statement of `sql` and returns the last one's result. Throws UserError for
  /// bad SQL or data (naming line and column), nothing half-applied by a failed statement.
  QueryResult Execute(std::string_view sql);
  /// Runs one parsed statement and returns its result.
  QueryResult Run(const sql::Statement& statement);
  /// Runs `query` with its names resolved in `catalog` rather than the database (an overlay
  /// over it, such as a served version held in memory).
  QueryResult Query(const sql::QueryNode& query, const planner::Catalog& catalog);
  /// Sets the notebook run that the lineage of versions this connection commits names (0: none).
  void set_run_id(int64_t run_id) { run_id_ = run_id; }
  /// Sets the notebook cell (`notebook.sql:cell`) that the models this connection trains name.
  void set_cell(std::string cell) { cell_ = std::move(cell); }
  /// Makes queries run across `ranks` (null: in this process alone). Every rank must run the
  /// same statements in the same order on its own connection; each gets every query's whole
  /// result. Statements other than queries still run on each rank by itself.
  void set_ranks(cluster::Communicator* ranks) { ranks_ = ranks; }
  /// With several ranks, gives the rows of top-level SELECT statements to rank 0 alone (the
  /// other ranks get none): for callers that only print or count them on rank 0. Statements
  /// that keep rows (CREATE TABLE AS, INSERT, COPY, CREATE MODEL with tuning) get them on every
  /// rank; a CREATE MODEL that trains data-parallel gets each rank its share.
  void set_select_rows_on_first_rank(bool first_rank) { select_rows_on_first_rank_ = first_rank; }

 private:
  QueryResult RunQuery(const sql::QueryNode& query);
  QueryResult RunPlan(planner::QueryPlan& plan);
  // Runs `write` (a change to the workspace or a file) on rank 0 alone, or here when there are
  // no ranks, and returns its text on every rank; its failure is thrown on every rank. The
  // other ranks run `follow` meanwhile (collectives matching those `write` makes), when given.
  std::string OnFirstRank(const std::function<std::string()>& write,
                          const std::function<void()>& follow = nullptr);
  // Commits `request` (its rows on every rank) with every rank writing its share of the parts;
  // returns what `describe` says of the version, on every rank.
  std::string CommitOnRanks(
      store::CommitRequest request,
      const std::function<std::string(const catalog::VersionInfo&)>& describe);
  QueryResult CreateTable(const sql::CreateTableStatement& statement);
  QueryResult CreateView(const sql::CreateViewStatement& statement);
  QueryResult CreateIndex(const sql::CreateIndexStatement& statement);
  QueryResult Drop(const sql::DropStatement& statement);
  QueryResult Insert(const sql::InsertStatement& statement);
  QueryResult Explain(const sql::ExplainStatement& statement);
  QueryResult Set(const sql::SetStatement& statement);
  // In model_statements.cc.
  QueryResult CreateModel(const sql::CreateModelStatement& statement);
  QueryResult DropModel(const sql::DropStatement& statement);
  // In workspace_tables.cc: commits to the workspace's result store.
  QueryResult CommitStoredTable(const sql::CreateTableStatement& statement,
                                const planner::TableEntry& table,
                                const ExpectationReport& expectations);
  // `lineage`: what the inserted rows were made from, per column of the table.
  QueryResult InsertStored(const std::string& name, const planner::TableEntry& table,
                           std::vector<core::Batch> rows, const planner::QueryLineage& lineage);
  QueryResult SetRetention(const sql::SetStatement& statement);
  QueryResult Copy(const sql::CopyStatement& statement);  // in copy_statement.cc
  // In source_statements.cc: CREATE/DROP SOURCE and SINK, SHOW SOURCES/SINKS.
  QueryResult CreateSource(const sql::CreateSourceStatement& statement);
  QueryResult CreateSink(const sql::CreateSinkStatement& statement);
  QueryResult DropObject(const sql::DropStatement& statement);
  QueryResult ShowSources(bool sinks);

  Database& database_;
  uint64_t memory_limit_;  // bytes one statement's operators may hold
  int64_t run_id_ = 0;
  std::string cell_;
  cluster::Communicator* ranks_ = nullptr;
  bool select_rows_on_first_rank_ = false;
};

}  // namespace sluice::session
