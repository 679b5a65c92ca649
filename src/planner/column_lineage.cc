#include "planner/column_lineage.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "base/error.h"
#include "planner/external_tables.h"
#include "planner/scope.h"
#include "planner/table_functions.h"
#include "sql/names.h"
#include "sql/to_sql.h"

namespace sluice::planner {
namespace {

using Origins = std::set<ColumnOrigin>;

// Views nest at most this deep; deeper (a view replaced by one reading itself) reads as nothing.
constexpr int kMaxDepth = 100;

// Is a relation while lineage is derived: its columns as the binder's scope holds them (so names
// resolve through Scope, exactly as in the binder) and the origins of each column.
struct Relation {
  Scope scope;
  std::vector<Origins> origins;
};

// Is a CTE in scope: its definition and whether its WITH clause was RECURSIVE.
struct CteRef {
  const sql::CommonTableExpr* definition;
  bool recursive;
};

void Merge(Origins& into, const Origins& from) { into.insert(from.begin(), from.end()); }

// Returns a path as the notebook module names files: lexically normalized.
std::string FilePath(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  return normal.empty() ? path : normal;
}

// Returns argument `i` of `call` when it is a string literal, else its SQL text.
std::string ArgumentText(const sql::FunctionExpr& call, size_t i) {
  if (i >= call.args.size()) return "";
  const sql::Expr& argument = *call.args[i];
  if (argument.kind == sql::ExprKind::kLiteral &&
      argument.As<sql::LiteralExpr>().literal_kind == sql::LiteralKind::kString) {
    return argument.As<sql::LiteralExpr>().text;
  }
  return sql::ToSql(argument);
}

// Returns the dataset a postgres_scan / sqlite_scan call reads, `location#table`, without the
// URL's user and password.
std::string DatabaseDataset(const sql::FunctionExpr& call) {
  std::string location = ArgumentText(call, 0);
  size_t scheme = location.find("://");
  if (scheme != std::string::npos) {
    size_t at = location.find('@', scheme + 3);
    size_t slash = location.find('/', scheme + 3);
    if (at != std::string::npos && at < slash) location.erase(scheme + 3, at + 1 - (scheme + 3));
  }
  return location + "#" + ArgumentText(call, 1);
}

// Returns `relation` with its columns in table `table`, renamed by position to `names` where
// given (a subquery's alias, a CTE's or a view's column names).
Relation Renamed(const Relation& relation, const std::string& table,
                 const std::vector<std::string>& names) {
  std::vector<ScopeColumn> columns = relation.scope.columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    columns[i].table = table;
    if (i < names.size()) columns[i].name = names[i];
  }
  return {Scope(std::move(columns)), relation.origins};
}

// Returns the columns of `schema` in table `table`, renamed by `aliases` as the binder does.
std::vector<ScopeColumn> ColumnsOf(const core::Schema& schema, const std::string& table,
                                   const std::vector<std::string>& aliases) {
  std::vector<ScopeColumn> columns;
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    columns.push_back(
        {table, i < aliases.size() ? aliases[i] : schema.field(i).name, schema.field(i).type});
  }
  return columns;
}

// Returns the relation of a persisted dataset: each column derives from itself.
Relation DatasetRelation(const core::Schema& schema, const std::string& dataset, int64_t version,
                         const std::string& table, const std::vector<std::string>& aliases) {
  Relation relation{Scope(ColumnsOf(schema, table, aliases)), {}};
  for (const core::Field& field : schema.fields()) {
    relation.origins.push_back({{dataset, field.name, version}});
  }
  return relation;
}

// Walks one query: FROM items into scopes, expressions into the columns they reference.
// Datasets read anywhere go into `datasets`.
class Deriver {
 public:
  Deriver(const Catalog& catalog, Origins& datasets) : catalog_(catalog), datasets_(datasets) {}

  Relation Query(const sql::QueryNode& query);

 private:
  Deriver Child() const;
  Relation Select(const sql::SelectNode& select);
  Relation SetOperation(const sql::SetOperationNode& node);
  Relation Values(const sql::ValuesNode& values);
  Relation From(const sql::TableRef* from);
  Relation BaseTable(const sql::BaseTableRef& ref);
  Relation Cte(const std::string& name, const CteRef& cte, const std::string& table);
  Relation Table(const TableEntry& entry, const std::string& name, const std::string& table,
                 const std::vector<std::string>& aliases);
  Relation File(const sql::FileRef& file);
  Relation Function(const sql::TableFunctionRef& ref);
  Relation Join(const sql::JoinRef& join);
  Relation ModelFunction(const sql::ModelFunctionRef& ref);
  Origins Expression(const sql::Expr& expr, const Relation& scope);
  Origins Column(const sql::ColumnRefExpr& reference, const Relation& scope) const;
  Relation Subquery(const sql::QueryNode& query, const Relation& scope) const;
  void Walk(const sql::Expr* expr, const Relation& scope) {
    if (expr != nullptr) Expression(*expr, scope);
  }
  std::string OutputName(const sql::Expr& expr, const Relation& scope) const;

  const Catalog& catalog_;
  Origins& datasets_;
  int depth_ = 0;
  std::map<std::string, CteRef> ctes_;
  // Recursive CTEs whose bodies are being walked: what a self-reference reads (their anchor).
  std::map<std::string, Relation> recursing_;
  // The scopes of enclosing queries, innermost last (for correlated references).
  std::vector<const Relation*> outer_;
};

Deriver Deriver::Child() const {
  Deriver child = *this;
  ++child.depth_;
  return child;
}

Relation Deriver::Query(const sql::QueryNode& query) {
  if (depth_ > kMaxDepth) return {};
  for (const auto& cte : query.ctes) ctes_[cte.name] = {&cte, query.recursive};
  Relation result;
  switch (query.kind) {
    case sql::QueryKind::kSelect:
      result = Select(query.As<sql::SelectNode>());
      break;
    case sql::QueryKind::kSetOperation:
      result = SetOperation(query.As<sql::SetOperationNode>());
      break;
    case sql::QueryKind::kValues:
      result = Values(query.As<sql::ValuesNode>());
      break;
  }
  for (const auto& item : query.order_by) Walk(item.expr.get(), result);
  return result;
}

Relation Deriver::Select(const sql::SelectNode& select) {
  Relation input = From(select.from.get());
  Walk(select.where.get(), input);
  for (const auto& expr : select.group_by) Walk(expr.get(), input);
  for (const auto& expr : select.distinct_on) Walk(expr.get(), input);
  Walk(select.having.get(), input);
  Walk(select.qualify.get(), input);
  std::vector<ScopeColumn> columns;
  std::vector<Origins> origins;
  for (const auto& item : select.select_list) {
    if (item.expr->kind != sql::ExprKind::kStar) {
      origins.push_back(Expression(*item.expr, input));
      std::string name = item.alias.empty() ? OutputName(*item.expr, input) : item.alias;
      columns.push_back({"", name, core::TypeId::kVarchar});
      continue;
    }
    const auto& qualifier = item.expr->As<sql::StarExpr>().qualifier;
    for (size_t i = 0; i < input.scope.columns().size(); ++i) {
      const ScopeColumn& column = input.scope.columns()[i];
      if (column.hidden || (!qualifier.empty() && column.table != qualifier.back())) continue;
      columns.push_back({"", column.name, column.type});
      origins.push_back(input.origins[i]);
    }
  }
  return {Scope(std::move(columns)), std::move(origins)};
}

// Names an unaliased select item as the binder does: a column keeps its table's name for it.
std::string Deriver::OutputName(const sql::Expr& expr, const Relation& scope) const {
  if (expr.kind == sql::ExprKind::kColumnRef) {
    try {
      auto index = scope.scope.TryResolve(expr.As<sql::ColumnRefExpr>());
      if (index && scope.scope.columns()[*index].name[0] != '#') {
        return scope.scope.columns()[*index].name;
      }
    } catch (const UserError&) {
      // An ambiguous name binds nowhere; the default name is as good as any.
    }
  }
  return sql::DefaultColumnName(expr);
}

Relation Deriver::SetOperation(const sql::SetOperationNode& node) {
  Relation left = Child().Query(*node.left);
  Relation right = Child().Query(*node.right);
  std::vector<ScopeColumn> columns = left.scope.columns();
  for (ScopeColumn& column : columns) column.table.clear();
  for (size_t i = 0; i < left.origins.size() && i < right.origins.size(); ++i) {
    Merge(left.origins[i], right.origins[i]);
  }
  return {Scope(std::move(columns)), std::move(left.origins)};
}

Relation Deriver::Values(const sql::ValuesNode& values) {
  Relation empty;
  std::vector<Origins> origins;
  for (const auto& row : values.rows) {
    if (origins.size() < row.size()) origins.resize(row.size());
    for (size_t c = 0; c < row.size(); ++c) Merge(origins[c], Expression(*row[c], empty));
  }
  std::vector<ScopeColumn> columns;
  for (size_t c = 0; c < origins.size(); ++c) {
    columns.push_back({"values", "col" + std::to_string(c), core::TypeId::kVarchar});
  }
  return {Scope(std::move(columns)), std::move(origins)};
}

Relation Deriver::From(const sql::TableRef* from) {
  if (from == nullptr) return {};
  switch (from->kind) {
    case sql::TableRefKind::kBaseTable:
      return BaseTable(from->As<sql::BaseTableRef>());
    case sql::TableRefKind::kFile:
      return File(from->As<sql::FileRef>());
    case sql::TableRefKind::kTableFunction:
      return Function(from->As<sql::TableFunctionRef>());
    case sql::TableRefKind::kSubquery: {
      // A derived table sees the enclosing queries' columns, not its FROM siblings (no LATERAL).
      Relation inner = Child().Query(*from->As<sql::SubqueryRef>().query);
      return Renamed(inner, from->alias, from->column_aliases);
    }
    case sql::TableRefKind::kJoin:
      return Join(from->As<sql::JoinRef>());
    case sql::TableRefKind::kModelFunction:
      return ModelFunction(from->As<sql::ModelFunctionRef>());
  }
  return {};
}

// An ML.* function reads its model and its input; its columns are the model's making, so they
// derive from the whole input rather than column by column.
Relation Deriver::ModelFunction(const sql::ModelFunctionRef& ref) {
  datasets_.insert({sql::CatalogName(ref.model), "", 0});
  if (ref.query) Child().Query(*ref.query);
  if (!ref.table.empty()) {
    sql::BaseTableRef base;
    base.name = ref.table;
    BaseTable(base);
  }
  return {};
}

// Looks a name up in the binder's order: CTEs, views (unless a version is asked for), tables.
Relation Deriver::BaseTable(const sql::BaseTableRef& ref) {
  std::string name = sql::CatalogName(ref.name);
  std::string table = ref.alias.empty() ? ref.name.back() : ref.alias;
  if (auto cte = ctes_.find(name); cte != ctes_.end()) return Cte(name, cte->second, table);
  if (auto self = recursing_.find(name); self != recursing_.end()) {
    return Renamed(self->second, table, {});
  }
  if (!ref.version) {
    if (auto view = catalog_.FindView(name)) {
      return Renamed(Child().Query(*view->query), table, view->column_names);
    }
  }
  std::shared_ptr<const TableEntry> entry;
  try {
    entry = ref.version ? catalog_.FindTableVersion(name, *ref.version) : catalog_.FindTable(name);
  } catch (const Error&) {
    return {};  // a version that is gone by now
  }
  if (entry == nullptr) return {};
  return Table(*entry, name, table, ref.column_aliases);
}

// Walks a CTE's body where it is referenced, as the binder plans it: without itself in scope.
// A recursive CTE's self-reference reads what its anchor (the first operand) reads.
Relation Deriver::Cte(const std::string& name, const CteRef& cte, const std::string& table) {
  Deriver inner = Child();
  inner.ctes_.erase(name);
  const sql::QueryNode& body = *cte.definition->query;
  if (cte.recursive) {
    inner.recursing_[name] = Relation{};
    if (body.kind == sql::QueryKind::kSetOperation) {
      Relation anchor = Deriver(inner).Query(*body.As<sql::SetOperationNode>().left);
      inner.recursing_[name] = Renamed(anchor, name, cte.definition->column_names);
    }
  }
  return Renamed(inner.Query(body), table, cte.definition->column_names);
}

// Returns a table's relation: a temporary table with lineage is read through to what it was
// made from; any other table is a dataset of its own.
Relation Deriver::Table(const TableEntry& entry, const std::string& name, const std::string& table,
                        const std::vector<std::string>& aliases) {
  if (entry.lineage == nullptr) {
    datasets_.insert({name, "", entry.version});
    return DatasetRelation(*entry.schema, name, entry.version, table, aliases);
  }
  const QueryLineage& lineage = *entry.lineage;
  datasets_.insert(lineage.datasets.begin(), lineage.datasets.end());
  Relation relation{Scope(ColumnsOf(*entry.schema, table, aliases)), {}};
  for (size_t i = 0; i < entry.schema->num_fields(); ++i) {
    relation.origins.emplace_back();
    if (i < lineage.columns.size()) {
      relation.origins.back().insert(lineage.columns[i].begin(), lineage.columns[i].end());
    }
  }
  return relation;
}

Relation Deriver::File(const sql::FileRef& file) {
  std::string dataset = FilePath(file.path);
  std::string table =
      file.alias.empty() ? std::filesystem::path(file.path).stem().string() : file.alias;
  datasets_.insert({dataset, "", 0});
  try {
    core::SchemaPtr schema = OpenTableFile(file.path, std::nullopt)->schema();
    return DatasetRelation(*schema, dataset, 0, table, file.column_aliases);
  } catch (const Error&) {
    return {};  // the file is gone or changed since the query ran
  }
}

Relation Deriver::Function(const sql::TableFunctionRef& ref) {
  const sql::FunctionExpr& call = *ref.call;
  std::string table = ref.alias.empty() ? call.name.back() : ref.alias;
  bool database = IsDatabaseTableFunction(call.name.back());
  std::string dataset = database ? DatabaseDataset(call) : FilePath(ArgumentText(call, 0));
  datasets_.insert({dataset, "", 0});
  try {
    core::SchemaPtr schema = database ? DatabaseTableFunction(call)->schema
                                      : OpenTableFunction(call, std::nullopt)->schema();
    return DatasetRelation(*schema, dataset, 0, table, ref.column_aliases);
  } catch (const Error&) {
    return {};
  }
}

// Joins two FROM items; a USING (or NATURAL) column derives from both sides, and the right
// side's copy is hidden as in the binder.
Relation Deriver::Join(const sql::JoinRef& join) {
  Relation left = From(join.left.get());
  Relation right = From(join.right.get());
  std::vector<std::string> using_columns = join.using_columns;
  if (join.natural) {
    for (const ScopeColumn& column : left.scope.columns()) {
      if (!column.hidden && right.scope.Find(column.name)) using_columns.push_back(column.name);
    }
  }
  std::vector<ScopeColumn> columns = left.scope.columns();
  std::vector<ScopeColumn> right_columns = right.scope.columns();
  for (const std::string& name : using_columns) {
    auto left_index = left.scope.Find(name);
    auto right_index = right.scope.Find(name);
    if (!left_index || !right_index) continue;
    Merge(left.origins[*left_index], right.origins[*right_index]);
    right_columns[*right_index].hidden = true;
  }
  columns.insert(columns.end(), right_columns.begin(), right_columns.end());
  std::vector<Origins> origins = std::move(left.origins);
  std::move(right.origins.begin(), right.origins.end(), std::back_inserter(origins));
  Relation joined{Scope(std::move(columns)), std::move(origins)};
  Walk(join.condition.get(), joined);
  return joined;
}

Origins Deriver::Expression(const sql::Expr& expr, const Relation& scope) {
  switch (expr.kind) {
    case sql::ExprKind::kColumnRef:
      return Column(expr.As<sql::ColumnRefExpr>(), scope);
    case sql::ExprKind::kSubquery: {
      Relation result = Subquery(*expr.As<sql::SubqueryExpr>().subquery, scope);
      return result.origins.empty() ? Origins{} : result.origins[0];
    }
    case sql::ExprKind::kInSubquery: {
      const auto& in = expr.As<sql::InSubqueryExpr>();
      Origins origins = Expression(*in.value, scope);
      Relation result = Subquery(*in.subquery, scope);
      if (!result.origins.empty()) Merge(origins, result.origins[0]);
      return origins;
    }
    case sql::ExprKind::kExists:
      Subquery(*expr.As<sql::ExistsExpr>().subquery, scope);
      return {};
    default:
      break;
  }
  Origins origins;
  sql::ForEachChild(expr,
                    [&](const sql::Expr& child) { Merge(origins, Expression(child, scope)); });
  return origins;
}

// Resolves a column reference in `scope`, then in the enclosing queries' scopes, innermost first.
Origins Deriver::Column(const sql::ColumnRefExpr& reference, const Relation& scope) const {
  std::vector<const Relation*> scopes = {&scope};
  scopes.insert(scopes.end(), outer_.rbegin(), outer_.rend());
  for (const Relation* relation : scopes) {
    try {
      auto index = relation->scope.TryResolve(reference);
      if (!index) continue;
      return *index < relation->origins.size() ? relation->origins[*index] : Origins{};
    } catch (const UserError&) {
      return {};  // ambiguous: the binder refuses such a query
    }
  }
  return {};
}

// Walks a subquery inside an expression: it sees `scope` as its innermost enclosing scope.
Relation Deriver::Subquery(const sql::QueryNode& query, const Relation& scope) const {
  Deriver inner = Child();
  inner.outer_.push_back(&scope);
  return inner.Query(query);
}

std::vector<ColumnOrigin> Sorted(const Origins& origins) {
  return std::vector<ColumnOrigin>(origins.begin(), origins.end());
}

}  // namespace

QueryLineage DeriveLineage(const sql::QueryNode& query, const Catalog& catalog) {
  Origins datasets;
  Relation result = Deriver(catalog, datasets).Query(query);
  QueryLineage lineage;
  for (size_t i = 0; i < result.scope.columns().size(); ++i) {
    lineage.names.push_back(result.scope.columns()[i].name);
    lineage.columns.push_back(i < result.origins.size() ? Sorted(result.origins[i])
                                                        : std::vector<ColumnOrigin>{});
  }
  lineage.datasets = Sorted(datasets);
  return lineage;
}

QueryLineage AppendLineage(const QueryLineage* previous, const QueryLineage& inserted,
                           const std::vector<size_t>& targets, const core::Schema& table) {
  std::vector<Origins> columns(table.num_fields());
  Origins datasets(inserted.datasets.begin(), inserted.datasets.end());
  if (previous != nullptr) {
    datasets.insert(previous->datasets.begin(), previous->datasets.end());
    for (size_t i = 0; i < columns.size() && i < previous->columns.size(); ++i) {
      columns[i].insert(previous->columns[i].begin(), previous->columns[i].end());
    }
  }
  for (size_t c = 0; c < targets.size() && c < inserted.columns.size(); ++c) {
    if (targets[c] >= columns.size()) continue;
    columns[targets[c]].insert(inserted.columns[c].begin(), inserted.columns[c].end());
  }
  QueryLineage lineage;
  for (size_t i = 0; i < columns.size(); ++i) {
    lineage.names.push_back(table.field(i).name);
    lineage.columns.push_back(Sorted(columns[i]));
  }
  lineage.datasets = Sorted(datasets);
  return lineage;
}

}  // namespace sluice::planner
