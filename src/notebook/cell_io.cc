#include "notebook/cell_io.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "sql/names.h"

namespace sluice::notebook {
namespace {

std::string FilePath(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  return normal.empty() ? path : normal;
}

// A URI without a scheme (`postgresql://`, `sqlite:`) names a file.
bool IsFileUri(const std::string& uri) {
  size_t colon = uri.find(':');
  return colon == std::string::npos || uri.find('/') < colon;
}

bool IsFileFunction(const std::string& name) {
  static const std::set<std::string> kNames = {"read_csv",       "read_csv_auto", "read_json",
                                               "read_json_auto", "read_ndjson",   "read_parquet",
                                               "parquet_scan"};
  return kNames.contains(name);
}

void AddOnce(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

/// Collects the base tables and files that one statement reads. CTE names in scope are not
/// tables: `scopes_` holds one set per WITH clause being walked.
class ReadCollector {
 public:
  void Statement(const sql::Statement& statement);
  void Query(const sql::QueryNode& query);

  std::vector<std::string> tables;
  std::vector<std::string> files;

 private:
  void Table(const sql::QualifiedName& name);
  void From(const sql::TableRef& from);
  void Expression(const sql::Expr* expr);
  void Order(const std::vector<sql::OrderByItem>& items);
  void Select(const sql::SelectNode& select);

  std::vector<std::set<std::string>> scopes_;
};

void ReadCollector::Table(const sql::QualifiedName& name) {
  if (name.size() == 1) {
    for (const auto& scope : scopes_) {
      if (scope.contains(name[0])) return;
    }
  }
  AddOnce(tables, sql::CatalogName(name));
}

void ReadCollector::Query(const sql::QueryNode& query) {
  scopes_.emplace_back();
  // A CTE sees the ones before it; under WITH RECURSIVE also itself.
  for (const auto& cte : query.ctes) {
    if (query.recursive) scopes_.back().insert(cte.name);
    if (cte.query) Query(*cte.query);
    scopes_.back().insert(cte.name);
  }
  switch (query.kind) {
    case sql::QueryKind::kSelect:
      Select(query.As<sql::SelectNode>());
      break;
    case sql::QueryKind::kSetOperation: {
      const auto& set = query.As<sql::SetOperationNode>();
      if (set.left) Query(*set.left);
      if (set.right) Query(*set.right);
      break;
    }
    case sql::QueryKind::kValues:
      for (const auto& row : query.As<sql::ValuesNode>().rows) {
        for (const auto& value : row) Expression(value.get());
      }
      break;
  }
  Order(query.order_by);
  Expression(query.limit.get());
  Expression(query.offset.get());
  scopes_.pop_back();
}

void ReadCollector::Select(const sql::SelectNode& select) {
  if (select.from) From(*select.from);
  for (const auto& expr : select.distinct_on) Expression(expr.get());
  for (const auto& item : select.select_list) Expression(item.expr.get());
  Expression(select.where.get());
  for (const auto& expr : select.group_by) Expression(expr.get());
  Expression(select.having.get());
  for (const auto& window : select.windows) {
    if (!window.spec) continue;
    for (const auto& expr : window.spec->partition_by) Expression(expr.get());
    Order(window.spec->order_by);
    if (window.spec->frame) {
      Expression(window.spec->frame->start.offset.get());
      Expression(window.spec->frame->end.offset.get());
    }
  }
  Expression(select.qualify.get());
}

void ReadCollector::From(const sql::TableRef& from) {
  switch (from.kind) {
    case sql::TableRefKind::kBaseTable:
      Table(from.As<sql::BaseTableRef>().name);
      return;
    case sql::TableRefKind::kFile:
      AddOnce(files, FilePath(from.As<sql::FileRef>().path));
      return;
    case sql::TableRefKind::kTableFunction: {
      const auto& call = *from.As<sql::TableFunctionRef>().call;
      if (IsFileFunction(call.name.back()) && !call.args.empty() && call.arg_names[0].empty() &&
          call.args[0]->kind == sql::ExprKind::kLiteral) {
        const auto& literal = call.args[0]->As<sql::LiteralExpr>();
        if (literal.literal_kind == sql::LiteralKind::kString)
          AddOnce(files, FilePath(literal.text));
      }
      Expression(&call);
      return;
    }
    case sql::TableRefKind::kSubquery:
      if (const auto& query = from.As<sql::SubqueryRef>().query) Query(*query);
      return;
    case sql::TableRefKind::kJoin: {
      const auto& join = from.As<sql::JoinRef>();
      if (join.left) From(*join.left);
      if (join.right) From(*join.right);
      Expression(join.condition.get());
      return;
    }
    case sql::TableRefKind::kModelFunction: {
      const auto& ml = from.As<sql::ModelFunctionRef>();
      Table(ml.model);
      if (!ml.table.empty()) Table(ml.table);
      if (ml.query) Query(*ml.query);
      return;
    }
  }
}

void ReadCollector::Expression(const sql::Expr* expr) {
  if (expr == nullptr) return;
  const sql::QueryNode* subquery = nullptr;
  switch (expr->kind) {
    case sql::ExprKind::kInSubquery:
      subquery = expr->As<sql::InSubqueryExpr>().subquery.get();
      break;
    case sql::ExprKind::kExists:
      subquery = expr->As<sql::ExistsExpr>().subquery.get();
      break;
    case sql::ExprKind::kSubquery:
      subquery = expr->As<sql::SubqueryExpr>().subquery.get();
      break;
    default:
      break;
  }
  if (subquery != nullptr) Query(*subquery);
  sql::ForEachChild(*expr, [this](const sql::Expr& child) { Expression(&child); });
}

void ReadCollector::Order(const std::vector<sql::OrderByItem>& items) {
  for (const auto& item : items) Expression(item.expr.get());
}

void ReadCollector::Statement(const sql::Statement& statement) {
  switch (statement.kind) {
    case sql::StatementKind::kSelect:
      Query(*statement.As<sql::SelectStatement>().query);
      return;
    case sql::StatementKind::kCreateTable: {
      const auto& create = statement.As<sql::CreateTableStatement>();
      if (create.query) Query(*create.query);
      for (const auto& expectation : create.expectations) Expression(expectation.condition.get());
      return;
    }
    case sql::StatementKind::kCreateView:
      Query(*statement.As<sql::CreateViewStatement>().query);
      return;
    case sql::StatementKind::kCreateIndex:
      Table(statement.As<sql::CreateIndexStatement>().table);
      return;
    case sql::StatementKind::kInsert: {
      const auto& insert = statement.As<sql::InsertStatement>();
      Table(insert.table);
      if (insert.source) Query(*insert.source);
      return;
    }
    case sql::StatementKind::kExplain:
      if (const auto& inner = statement.As<sql::ExplainStatement>().statement) Statement(*inner);
      return;
    case sql::StatementKind::kDescribe:
      Table(statement.As<sql::DescribeStatement>().name);
      return;
    case sql::StatementKind::kCopy: {
      const auto& copy = statement.As<sql::CopyStatement>();
      if (!copy.table.empty()) Table(copy.table);
      if (copy.query) Query(*copy.query);
      if (!copy.to) AddOnce(files, FilePath(copy.path));
      return;
    }
    case sql::StatementKind::kCreateSource: {
      const auto& source = statement.As<sql::CreateSourceStatement>();
      if (IsFileUri(source.uri)) AddOnce(files, FilePath(source.uri));
      return;
    }
    case sql::StatementKind::kCreateSink: {
      const auto& sink = statement.As<sql::CreateSinkStatement>();
      if (!sink.table.empty()) Table(sink.table);
      if (sink.query) Query(*sink.query);
      return;
    }
    case sql::StatementKind::kCreateModel: {
      const auto& model = statement.As<sql::CreateModelStatement>();
      Query(*model.query);
      return;
    }
    case sql::StatementKind::kDrop:
    case sql::StatementKind::kSet:
    case sql::StatementKind::kShow:
      return;
  }
}

/// Is what one statement writes.
struct Writes {
  std::string created;
  bool temporary = false;  // a TEMP table or a view
  std::string modified;
  std::string file;
};

Writes WritesOf(const sql::Statement& statement) {
  switch (statement.kind) {
    case sql::StatementKind::kCreateTable: {
      const auto& create = statement.As<sql::CreateTableStatement>();
      return {sql::CatalogName(create.name), create.temporary, {}, {}};
    }
    case sql::StatementKind::kCreateView:
      return {sql::CatalogName(statement.As<sql::CreateViewStatement>().name), true, {}, {}};
    case sql::StatementKind::kCreateSource:
      return {statement.As<sql::CreateSourceStatement>().name, false, {}, {}};
    case sql::StatementKind::kCreateSink: {
      const auto& sink = statement.As<sql::CreateSinkStatement>();
      return {sink.name, false, {}, IsFileUri(sink.uri) ? FilePath(sink.uri) : std::string()};
    }
    case sql::StatementKind::kCreateModel:
      return {sql::CatalogName(statement.As<sql::CreateModelStatement>().name), false, {}, {}};
    case sql::StatementKind::kInsert:
      return {{}, false, sql::CatalogName(statement.As<sql::InsertStatement>().table), {}};
    case sql::StatementKind::kCopy: {
      const auto& copy = statement.As<sql::CopyStatement>();
      if (copy.to) return {{}, false, {}, FilePath(copy.path)};
      return {{}, false, sql::CatalogName(copy.table), {}};
    }
    default:
      return {};
  }
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

CellIo AnalyzeStatements(const std::vector<sql::StatementPtr>& statements) {
  CellIo io;
  for (const auto& statement : statements) {
    ReadCollector reads;
    reads.Statement(*statement);
    // A name the cell created before is its own, not an input; a file it wrote likewise.
    for (auto& table : reads.tables) {
      if (!Contains(io.outputs, table)) AddOnce(io.inputs, std::move(table));
    }
    for (auto& file : reads.files) {
      if (!Contains(io.output_files, file)) AddOnce(io.input_files, std::move(file));
    }
    Writes writes = WritesOf(*statement);
    if (writes.temporary) AddOnce(io.temporary, writes.created);
    if (!writes.created.empty()) AddOnce(io.outputs, std::move(writes.created));
    if (!writes.modified.empty() && !Contains(io.outputs, writes.modified)) {
      AddOnce(io.inputs, writes.modified);
      AddOnce(io.modified, std::move(writes.modified));
    }
    if (!writes.file.empty()) AddOnce(io.output_files, std::move(writes.file));
  }
  return io;
}

}  // namespace sluice::notebook
