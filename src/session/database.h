#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/batch.h"
#include "planner/catalog.h"
#include "planner/query_planner.h"
#include "sql/ast.h"

namespace sluice::session {

/// Is the result of one statement: its columns and rows (empty for statements without rows).
struct QueryResult {
  core::SchemaPtr schema = std::make_shared<core::Schema>();
  std::vector<core::Batch> batches;
  /// Returns the number of rows.
  size_t num_rows() const;
  /// Returns the rows as text, a row per line with values separated by `|` (for tests).
  std::string ToString() const;
};

/// Is an opened workspace: today the tables created in this process. Thread-safe.
class Database final : public planner::Catalog {
 public:
  std::shared_ptr<const planner::TableEntry> FindTable(std::string_view name) const override;
  std::shared_ptr<const planner::ViewEntry> FindView(std::string_view name) const override;
  std::vector<std::string> TableNames() const override;

  /// Stores `table` as `name`, replacing any table of that name.
  void PutTable(const std::string& name, std::shared_ptr<const planner::TableEntry> table);
  /// Removes table `name`; returns false when there was none.
  bool DropTable(const std::string& name);
  /// Stores `view` as `name`, replacing any view of that name.
  void PutView(const std::string& name, std::shared_ptr<const planner::ViewEntry> view);
  /// Removes view `name`; returns false when there was none.
  bool DropView(const std::string& name);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const planner::TableEntry>> tables_;
  std::map<std::string, std::shared_ptr<const planner::ViewEntry>> views_;
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

 private:
  QueryResult RunQuery(const sql::QueryNode& query);
  QueryResult RunPlan(planner::QueryPlan& plan);
  QueryResult CreateTable(const sql::CreateTableStatement& statement);
  QueryResult CreateView(const sql::CreateViewStatement& statement);
  QueryResult CreateIndex(const sql::CreateIndexStatement& statement);
  QueryResult Drop(const sql::DropStatement& statement);
  QueryResult Insert(const sql::InsertStatement& statement);
  QueryResult Explain(const sql::ExplainStatement& statement);
  QueryResult Set(const sql::SetStatement& statement);

  Database& database_;
  uint64_t memory_limit_;  // bytes one statement's operators may hold
};

}  // namespace sluice::session
