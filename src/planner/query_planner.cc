#include "planner/query_planner.h"

#include <filesystem>

#include <fmt/format.h>

#include "base/error.h"
#include "exec/collect_operators.h"
#include "exec/hash_aggregate.h"
#include "exec/transform_operators.h"
#include "planner/expression_binder.h"
#include "planner/external_tables.h"
#include "planner/plan_builder.h"
#include "planner/scan_predicates.h"
#include "planner/table_functions.h"
#include "sql/lexer.h"
#include "sql/names.h"
#include "sql/to_sql.h"

namespace sluice::planner {
namespace {

// Guesses a file's row count from its size: tens of bytes a row for text formats.
double EstimateFileRows(const std::string& path) {
  std::error_code error;
  auto bytes = std::filesystem::file_size(path, error);
  return error ? -1 : static_cast<double>(bytes) / 40;
}

bool HasNaturalJoin(const sql::TableRef* ref) {
  if (ref == nullptr || ref->kind != sql::TableRefKind::kJoin) return false;
  const auto& join = ref->As<sql::JoinRef>();
  return join.natural || HasNaturalJoin(join.left.get()) || HasNaturalJoin(join.right.get());
}

// Returns every name the query's text mentions, so file scans can skip the columns it never
// names; nothing when it reads columns without naming them (`*`, NATURAL JOIN).
MentionedNames MentionedIn(const sql::SelectNode& select) {
  for (const auto& item : select.select_list) {
    if (item.expr->kind == sql::ExprKind::kStar) return std::nullopt;
  }
  if (HasNaturalJoin(select.from.get())) return std::nullopt;
  std::string text = sql::ToSql(static_cast<const sql::QueryNode&>(select));
  std::set<std::string> names;
  sql::Lexer lexer(text);
  for (auto token = lexer.Next(); token.kind != sql::TokenKind::kEnd; token = lexer.Next()) {
    if (token.kind == sql::TokenKind::kWord || token.kind == sql::TokenKind::kQuotedIdentifier) {
      names.insert(token.text);
    }
  }
  return names;
}

}  // namespace

using core::TypeId;
using ExpressionPtr = std::unique_ptr<exec::Expression>;

QueryPlan QueryPlanner::Plan(const sql::QueryNode& query) {
  return Plan(query, ResultRanks::kEvery);
}

QueryPlan QueryPlanner::PlanForFirstRank(const sql::QueryNode& query) {
  return Plan(query, ResultRanks::kFirst);
}

QueryPlan QueryPlanner::PlanShares(const sql::QueryNode& query) {
  return Plan(query, ResultRanks::kShares);
}

QueryPlan QueryPlanner::Plan(const sql::QueryNode& query, ResultRanks result) {
  Builder builder;
  gathered_query_ = result == ResultRanks::kShares ? nullptr : &query;
  PlanQuery(query, builder);
  if (result != ResultRanks::kShares) GatherRows(builder, result == ResultRanks::kEvery);
  QueryPlan plan;
  plan.schema = builder.open.source->schema();
  plan.visible_columns = builder.visible;
  bool scans_last_sink =
      !builder.done.empty() && builder.done.back().sink.get() == builder.last_break;
  if (!scans_last_sink || !builder.open.transforms.empty()) {
    builder.Break(std::make_unique<exec::CollectSink>(builder.Schema(), std::nullopt, 0), "result");
  }
  // The open pipeline only scans the last sink's output: the caller reads that sink.
  plan.pipelines = std::move(builder.done);
  plan.views = std::move(builder.views);
  plan.estimated_rows = builder.estimated_rows;
  plan.schema = plan.pipelines.back().sink->schema();
  plan.partitioned = builder.partitioned;
  if (Distributed()) plan.communicator = ranks_;
  return plan;
}

void QueryPlanner::PlanQuery(const sql::QueryNode& query, Builder& builder) {
  for (const auto& cte : query.ctes) ctes_[cte.name] = &cte;
  switch (query.kind) {
    case sql::QueryKind::kSelect:
      PlanSelect(query.As<sql::SelectNode>(), builder);
      break;
    case sql::QueryKind::kValues:
      PlanValues(query.As<sql::ValuesNode>(), builder);
      break;
    case sql::QueryKind::kSetOperation:
      PlanSetOperation(query.As<sql::SetOperationNode>(), builder);
      break;
  }
  PlanOrderAndLimit(query, builder);
}

void QueryPlanner::PlanSelect(const sql::SelectNode& select, Builder& builder) {
  builder.pending.clear();
  if (select.where) {
    if (ContainsWindowCall(*select.where)) {
      Throw<UserError>("{}",
                       AtLocation("window functions are not allowed in WHERE", *select.where));
    }
    if (ContainsAggregate(*select.where)) {
      Throw<UserError>("{}",
                       AtLocation("aggregate functions are not allowed in WHERE", *select.where));
    }
    SplitConjuncts(*select.where, builder.pending);
  }
  builder.mentioned = MentionedIn(select);
  auto limited_below = FindRankLimits(select);
  PlanFrom(select.from.get(), builder);
  for (const sql::FunctionExpr* call : limited_below) rank_limits_.erase(call);
  std::unique_ptr<exec::Expression> predicate;
  for (const sql::Expr* condition : builder.pending) {
    if (condition == nullptr) continue;  // became a join key
    auto bound =
        ExpressionBinder(builder.scope, nullptr, Context()).BindAs(*condition, TypeId::kBoolean);
    if (predicate == nullptr) {
      predicate = std::move(bound);
      continue;
    }
    std::vector<std::unique_ptr<exec::Expression>> both;
    both.push_back(std::move(predicate));
    both.push_back(std::move(bound));
    predicate =
        exec::Expression::Make(exec::ExpressionKind::kAnd, TypeId::kBoolean, std::move(both));
  }
  builder.pending.clear();
  if (predicate) {
    builder.open.transforms.push_back(
        std::make_unique<exec::FilterOperator>(builder.Schema(), std::move(predicate)));
  }
  bool aggregates = !select.group_by.empty() || select.group_by_all || select.having != nullptr;
  for (const auto& item : select.select_list)
    aggregates = aggregates || ContainsAggregate(*item.expr);
  if (aggregates) PlanAggregate(select, builder);
  PlanWindows(select, builder);
  PlanProjection(select, builder);
  if (select.distinct == sql::DistinctKind::kDistinct) {
    size_t columns = builder.scope.columns().size();
    RepartitionRows(builder, FirstColumns(columns), false);
    builder.Break(std::make_unique<exec::HashAggregate>(
                      builder.Schema(), columns, std::vector<const exec::AggregateFunction*>{},
                      std::vector<std::vector<size_t>>{}),
                  "distinct");
  } else if (select.distinct == sql::DistinctKind::kDistinctOn) {
    Throw<UserError>("DISTINCT ON is not supported yet (line {}, column {})", select.location.line,
                     select.location.column);
  }
}

void QueryPlanner::PlanFrom(const sql::TableRef* from, Builder& builder) {
  builder.partitioned = false;
  if (from == nullptr) {
    // SELECT without FROM reads one row of no columns.
    auto schema = std::make_shared<core::Schema>();
    auto rows = std::make_shared<std::vector<core::Batch>>();
    rows->emplace_back(schema, 1).SetNumRows(1);
    builder.open.source = std::make_unique<exec::BatchScan>(
        schema, [rows] { return rows; }, "one row");
    builder.scope = Scope();
    return;
  }
  auto columns_of = [&](const core::Schema& schema, const std::string& table) {
    std::vector<ScopeColumn> columns;
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      std::string name =
          i < from->column_aliases.size() ? from->column_aliases[i] : schema.field(i).name;
      columns.push_back({table, name, schema.field(i).type});
    }
    return Scope(std::move(columns));
  };
  // A table stored outside memory (a result version, a database or file source) opens its
  // own scan of the columns the query names.
  // WHERE conjuncts comparing a column of the scan with a constant go down to it, to skip
  // data; the filter above the scan still applies them. Not under renamed columns.
  auto pushable = [&](const std::string& table) -> PredicatesFor {
    if (!from->column_aliases.empty()) return nullptr;
    return [&builder, table](const core::Schema& schema) {
      return ExtractScanPredicates(builder.pending, schema, table);
    };
  };
  auto open_stored = [&](const TableEntry& entry, const std::string& table) {
    bool prune = from->column_aliases.empty();
    builder.open.source = entry.open_scan(
        prune ? ReadColumns(*entry.schema, builder.mentioned) : std::vector<std::string>{},
        prune ? ExtractScanPredicates(builder.pending, *entry.schema, table)
              : std::vector<io::ScanPredicate>{});
    builder.estimated_rows = static_cast<double>(entry.estimated_rows);
    builder.scope = columns_of(*builder.open.source->schema(), table);
    SplitScan(builder);
  };
  switch (from->kind) {
    case sql::TableRefKind::kFile: {
      const auto& file = from->As<sql::FileRef>();
      std::string table =
          from->alias.empty() ? std::filesystem::path(file.path).stem().string() : from->alias;
      builder.open.source =
          OpenTableFile(file.path, from->column_aliases.empty() ? builder.mentioned : std::nullopt,
                        pushable(table));
      builder.estimated_rows = EstimateFileRows(file.path);
      builder.scope = columns_of(*builder.open.source->schema(), table);
      SplitScan(builder);
      return;
    }
    case sql::TableRefKind::kTableFunction: {
      const auto& call = *from->As<sql::TableFunctionRef>().call;
      if (IsDatabaseTableFunction(call.name.back())) {
        open_stored(*DatabaseTableFunction(call),
                    from->alias.empty() ? call.name.back() : from->alias);
        return;
      }
      builder.open.source =
          OpenTableFunction(call, from->column_aliases.empty() ? builder.mentioned : std::nullopt,
                            pushable(from->alias.empty() ? call.name.back() : from->alias));
      builder.scope = columns_of(*builder.open.source->schema(),
                                 from->alias.empty() ? call.name.back() : from->alias);
      SplitScan(builder);
      return;
    }
    case sql::TableRefKind::kBaseTable: {
      const sql::QualifiedName& qualified = from->As<sql::BaseTableRef>().name;
      std::string name = sql::CatalogName(qualified);
      std::string table = from->alias.empty() ? qualified.back() : from->alias;
      if (auto cte = ctes_.find(name); cte != ctes_.end()) {
        const sql::CommonTableExpr* definition = cte->second;
        ctes_.erase(cte);  // a CTE does not see itself (no recursion yet)
        PlanSubquery(*definition->query, table, definition->column_names, builder);
        ctes_[name] = definition;
        return;
      }
      const auto& version = from->As<sql::BaseTableRef>().version;
      if (auto view = version ? nullptr : catalog_.FindView(name)) {
        PlanSubquery(*view->query, table, view->column_names, builder);
        builder.views.push_back(view);
        return;
      }
      auto entry = version ? catalog_.FindTableVersion(name, *version) : catalog_.FindTable(name);
      if (entry == nullptr) {
        auto suggestion = ClosestName(name, catalog_.TableNames());
        Throw<UserError>("table \"{}\" does not exist at line {}, column {}{}", name,
                         from->location.line, from->location.column,
                         suggestion ? "; did you mean \"" + *suggestion + "\"?" : "");
      }
      if (entry->open_scan) {
        open_stored(*entry, table);
        return;
      }
      exec::BatchList batches = entry->batches;
      builder.estimated_rows = 0;
      for (const core::Batch& batch : *batches) builder.estimated_rows += batch.num_rows();
      builder.open.source = std::make_unique<exec::BatchScan>(
          entry->schema, [batches] { return batches; }, name);
      builder.scope = columns_of(*entry->schema, table);
      SplitScan(builder);
      return;
    }
    case sql::TableRefKind::kSubquery: {
      const auto& subquery = from->As<sql::SubqueryRef>();
      PlanSubquery(*subquery.query, from->alias, from->column_aliases, builder);
      return;
    }
    case sql::TableRefKind::kJoin:
      PlanJoin(from->As<sql::JoinRef>(), builder);
      return;
    case sql::TableRefKind::kModelFunction: {
      const auto& ref = from->As<sql::ModelFunctionRef>();
      std::shared_ptr<const TableEntry> rows = RunModelFunction(ref);
      std::string table = from->alias.empty() ? "ml_" + ref.function : from->alias;
      exec::BatchList batches = rows->batches;
      builder.open.source = std::make_unique<exec::BatchScan>(
          rows->schema, [batches] { return batches; }, table);
      builder.scope = columns_of(*rows->schema, table);
      return;
    }
  }
}

std::shared_ptr<const TableEntry> QueryPlanner::RunModelFunction(const sql::ModelFunctionRef& ref) {
  if (ref.table.empty() && ref.query == nullptr) return catalog_.RunModelFunction(ref, nullptr);
  std::unique_ptr<sql::QueryNode> table_query;
  if (!ref.table.empty()) {
    auto select = std::make_unique<sql::SelectNode>();
    select->select_list.push_back({std::make_unique<sql::StarExpr>(), ""});
    auto base = std::make_unique<sql::BaseTableRef>();
    base->name = ref.table;
    base->location = ref.location;
    select->from = std::move(base);
    table_query = std::move(select);
  }
  QueryPlanner inner(catalog_, outer_);
  inner.ctes_ = ctes_;
  QueryPlan plan = inner.Plan(ref.query ? *ref.query : *table_query);
  TableEntry input;
  input.schema = std::make_shared<core::Schema>(std::vector<core::Field>(
      plan.schema->fields().begin(), plan.schema->fields().begin() + plan.visible_columns));
  std::vector<core::Batch> batches = ExecutePlan(plan);
  input.batches = std::make_shared<const std::vector<core::Batch>>(std::move(batches));
  return catalog_.RunModelFunction(ref, &input);
}

void QueryPlanner::PlanSubquery(const sql::QueryNode& query, const std::string& alias,
                                const std::vector<std::string>& column_aliases, Builder& builder) {
  QueryPlanner inner(catalog_, outer_);
  inner.ctes_ = ctes_;
  inner.rank_limits_ = rank_limits_;
  inner.ranks_ = ranks_;
  QueryPlan plan = inner.Plan(query, ResultRanks::kShares);
  exec::SinkOperator* sink = plan.pipelines.back().sink.get();
  for (auto& pipeline : plan.pipelines) builder.done.push_back(std::move(pipeline));
  for (auto& view : plan.views) builder.views.push_back(std::move(view));
  builder.estimated_rows = plan.estimated_rows;
  std::vector<core::Field> fields;
  std::vector<ScopeColumn> columns;
  for (size_t i = 0; i < plan.visible_columns; ++i) {
    std::string name = i < column_aliases.size() ? column_aliases[i] : plan.schema->field(i).name;
    fields.push_back({name, plan.schema->field(i).type});
    columns.push_back({alias, name, plan.schema->field(i).type});
  }
  builder.open = exec::Pipeline{};
  builder.open.source = std::make_unique<exec::BatchScan>(
      plan.schema,
      [sink] { return std::make_shared<const std::vector<core::Batch>>(sink->TakeOutput()); },
      alias.empty() ? "subquery" : alias);
  builder.scope = Scope(std::move(columns));
  builder.partitioned = plan.partitioned;
}

void QueryPlanner::PlanValues(const sql::ValuesNode& values, Builder& builder) {
  Scope empty;
  ExpressionBinder binder(empty, nullptr, Context());
  std::vector<std::vector<core::Value>> rows;
  std::vector<TypeId> types;
  for (const auto& row : values.rows) {
    auto& out = rows.emplace_back();
    for (size_t c = 0; c < row.size(); ++c) {
      auto bound = binder.Bind(*row[c]);
      if (bound->kind != exec::ExpressionKind::kConstant) {
        Throw<UserError>("{}", AtLocation("VALUES takes constants only for now", *row[c]));
      }
      bool is_null = bound->constant.is_null();
      if (types.size() <= c) types.push_back(is_null ? TypeId::kInteger : bound->type);
      if (!is_null && types[c] != bound->type) {
        if (exec::ImplicitCastCost(types[c], bound->type))
          types[c] = bound->type;
        else if (!exec::ImplicitCastCost(bound->type, types[c]))
          types[c] = TypeId::kVarchar;
      }
      out.push_back(bound->constant);
    }
  }
  std::vector<core::Field> fields;
  std::vector<ScopeColumn> columns;
  for (size_t c = 0; c < types.size(); ++c) {
    std::string name = "col" + std::to_string(c);
    fields.push_back({name, types[c]});
    columns.push_back({"values", name, types[c]});
  }
  auto schema = std::make_shared<core::Schema>(std::move(fields));
  auto batches = std::make_shared<std::vector<core::Batch>>();
  for (size_t from = 0; from < rows.size(); from += core::kVectorSize) {
    auto& batch = batches->emplace_back(schema, core::kVectorSize);
    for (size_t r = from; r < std::min(rows.size(), from + core::kVectorSize); ++r)
      batch.AppendRow(rows[r]);
  }
  builder.open.source = std::make_unique<exec::BatchScan>(
      schema, [batches] { return batches; }, "values");
  builder.scope = Scope(std::move(columns));
  builder.estimated_rows = static_cast<double>(rows.size());
  builder.names.clear();
  for (const auto& column : builder.scope.columns()) builder.names.push_back(column.name);
  builder.visible = types.size();
}

}  // namespace sluice::planner
