// FROM-clause joins: hash joins with keys taken from ON, USING, NATURAL or (for inner and
// comma joins) from WHERE conditions that compare the two sides.

#include <algorithm>

#include <fmt/format.h>

#include "base/error.h"
#include "exec/hash_join.h"
#include "exec/scalar_function.h"
#include "exec/transform_operators.h"
#include "planner/expression_binder.h"
#include "planner/plan_builder.h"
#include "planner/query_planner.h"

namespace sluice::planner {

using core::TypeId;
using ExpressionPtr = std::unique_ptr<exec::Expression>;

namespace {

// Returns the expression bound against `scope`, or null when it names columns outside it.
ExpressionPtr TryBind(const sql::Expr& expr, const Scope& scope) {
  if (ContainsAggregate(expr)) return nullptr;
  try {
    return ExpressionBinder(scope).Bind(expr);
  } catch (const UserError&) {
    return nullptr;
  }
}

// Returns the type both key sides are cast to, or nothing when they cannot be compared.
std::optional<TypeId> CommonType(TypeId left, TypeId right) {
  if (left == right) return left;
  if (exec::ImplicitCastCost(left, right)) return right;
  if (exec::ImplicitCastCost(right, left)) return left;
  return std::nullopt;
}

exec::JoinKind KindOf(sql::JoinType type) {
  switch (type) {
    case sql::JoinType::kLeft:
      return exec::JoinKind::kLeft;
    case sql::JoinType::kRight:
      return exec::JoinKind::kRight;
    case sql::JoinType::kFull:
      return exec::JoinKind::kFull;
    default:
      return exec::JoinKind::kInner;
  }
}

}  // namespace

void QueryPlanner::AppendKeyColumns(Builder& side, std::vector<ExpressionPtr> keys,
                                    std::vector<size_t>& indices) {
  std::vector<ExpressionPtr> projection;
  std::vector<ScopeColumn> columns = side.scope.columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    projection.push_back(exec::Expression::Column(i, columns[i].type));
  }
  bool computed = false;
  for (auto& key : keys) {
    // A key that is a plain column is read in place; others are computed as hidden columns.
    if (key->kind == exec::ExpressionKind::kColumn) {
      indices.push_back(key->column);
      continue;
    }
    computed = true;
    indices.push_back(columns.size());
    columns.push_back({"", "#key" + std::to_string(columns.size()), key->type, true});
    projection.push_back(std::move(key));
  }
  if (!computed) return;
  side.scope = Scope(std::move(columns));
  side.open.transforms.push_back(
      std::make_unique<exec::ProjectionOperator>(side.Schema(), std::move(projection)));
}

// Moves the first `probe_columns` columns of the open pipeline after the others: a join that
// built on its left input restores the left-then-right column order.
void QueryPlanner::RestoreColumnOrder(Builder& builder, size_t probe_columns) {
  const auto& columns = builder.scope.columns();
  std::vector<ScopeColumn> reordered(columns.begin() + probe_columns, columns.end());
  reordered.insert(reordered.end(), columns.begin(), columns.begin() + probe_columns);
  std::vector<ExpressionPtr> projection;
  for (size_t i = probe_columns; i < columns.size(); ++i) {
    projection.push_back(exec::Expression::Column(i, columns[i].type));
  }
  for (size_t i = 0; i < probe_columns; ++i) {
    projection.push_back(exec::Expression::Column(i, columns[i].type));
  }
  builder.scope = Scope(std::move(reordered));
  builder.open.transforms.push_back(
      std::make_unique<exec::ProjectionOperator>(builder.Schema(), std::move(projection)));
}

// Applies the pending WHERE conditions that read only one side of an inner join to that side,
// before the join.
void QueryPlanner::PushDownFilters(Builder& left, Builder& right) {
  for (const sql::Expr*& condition : left.pending) {
    if (condition == nullptr) continue;
    for (Builder* side : {&left, &right}) {
      ExpressionPtr bound = TryBind(*condition, side->scope);
      if (bound == nullptr) continue;
      if (bound->type != TypeId::kBoolean)
        bound = exec::Expression::Cast(std::move(bound), TypeId::kBoolean);
      side->open.transforms.push_back(
          std::make_unique<exec::FilterOperator>(side->Schema(), std::move(bound)));
      condition = nullptr;
      break;
    }
  }
}

void QueryPlanner::PlanJoin(const sql::JoinRef& join, Builder& builder) {
  if (IsInnerChain(join)) {
    PlanInnerJoins(join, builder);
    return;
  }
  // WHERE conditions may only move into the inputs of inner joins: below an outer join they
  // would change which rows are NULL-extended.
  std::vector<const sql::Expr*> pending = std::move(builder.pending);
  builder.pending.clear();
  PlanFrom(join.left.get(), builder);
  builder.pending = std::move(pending);
  Builder right;
  right.mentioned = builder.mentioned;
  PlanFrom(join.right.get(), right);
  JoinSides(join, builder, right);
}

bool QueryPlanner::IsInnerChain(const sql::TableRef& ref) {
  if (ref.kind != sql::TableRefKind::kJoin) return false;
  const auto& join = ref.As<sql::JoinRef>();
  return (join.type == sql::JoinType::kInner || join.type == sql::JoinType::kCross) &&
         !join.natural && join.using_columns.empty() && ref.alias.empty();
}

// Collects the FROM items of a tree of inner and cross joins, and their ON conjuncts.
void QueryPlanner::FlattenInnerJoins(const sql::TableRef& ref,
                                     std::vector<const sql::TableRef*>& items,
                                     std::vector<const sql::Expr*>& conditions) {
  if (!IsInnerChain(ref)) {
    items.push_back(&ref);
    return;
  }
  const auto& join = ref.As<sql::JoinRef>();
  FlattenInnerJoins(*join.left, items, conditions);
  FlattenInnerJoins(*join.right, items, conditions);
  if (join.condition) SplitConjuncts(*join.condition, conditions);
}

// Plans a chain of inner joins in a connected order: each next item shares an equality
// condition with the items joined so far (the smallest such item first), so that no
// cross product is built while a join key exists. The columns keep the FROM order.
void QueryPlanner::PlanInnerJoins(const sql::JoinRef& join, Builder& builder) {
  std::vector<const sql::TableRef*> items;
  std::vector<const sql::Expr*> conditions;
  FlattenInnerJoins(join, items, conditions);
  // ON conditions of inner joins mean what WHERE conditions mean.
  for (const sql::Expr* condition : conditions) builder.pending.push_back(condition);
  std::vector<Builder> sides(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    sides[i].mentioned = builder.mentioned;
    sides[i].pending = builder.pending;  // for the scan predicates a file or table may use
    PlanFrom(items[i], sides[i]);
    std::vector<ScopeColumn> columns = sides[i].scope.columns();
    for (ScopeColumn& column : columns) column.source = static_cast<uint32_t>(i + 1);
    sides[i].scope = Scope(std::move(columns));
    sides[i].pending = builder.pending;
    PushDownFilters(sides[i], sides[i]);
    for (size_t c = 0; c < builder.pending.size(); ++c) {
      if (sides[i].pending[c] == nullptr) builder.pending[c] = nullptr;
    }
  }
  std::vector<bool> joined(items.size(), false);
  auto pending = std::move(builder.pending);
  auto done = std::move(builder.done);
  auto views = std::move(builder.views);
  builder = std::move(sides[0]);
  builder.pending = std::move(pending);
  builder.done.insert(builder.done.begin(), std::make_move_iterator(done.begin()),
                      std::make_move_iterator(done.end()));
  builder.views.insert(builder.views.end(), views.begin(), views.end());
  joined[0] = true;
  for (size_t step = 1; step < items.size(); ++step) {
    size_t next = NextJoinItem(builder, sides, joined);
    joined[next] = true;
    sql::JoinRef inner;
    inner.type = sql::JoinType::kInner;
    inner.location = join.location;
    JoinSides(inner, builder, sides[next]);
  }
  RestoreFromOrder(builder, items.size());
}

// Returns the unjoined item to join next: one connected to `joined` by an equality among the
// pending conditions, the smallest first; else the smallest of the rest (a cross product).
size_t QueryPlanner::NextJoinItem(const Builder& current, const std::vector<Builder>& sides,
                                  const std::vector<bool>& joined) {
  std::optional<size_t> best;
  bool best_connected = false;
  for (size_t i = 0; i < sides.size(); ++i) {
    if (joined[i]) continue;
    bool connected = false;
    for (const sql::Expr* condition : current.pending) {
      if (condition == nullptr || condition->kind != sql::ExprKind::kBinary ||
          condition->As<sql::BinaryExpr>().op != sql::BinaryOp::kEqual) {
        continue;
      }
      const auto& equal = condition->As<sql::BinaryExpr>();
      connected = connected ||
                  (TryBind(*equal.left, current.scope) && TryBind(*equal.right, sides[i].scope)) ||
                  (TryBind(*equal.right, current.scope) && TryBind(*equal.left, sides[i].scope));
    }
    double rows = sides[i].estimated_rows < 0 ? 1e18 : sides[i].estimated_rows;
    double best_rows =
        best ? (sides[*best].estimated_rows < 0 ? 1e18 : sides[*best].estimated_rows) : 0;
    if (!best || (connected && !best_connected) ||
        (connected == best_connected && rows < best_rows)) {
      best = i;
      best_connected = connected;
    }
  }
  return *best;
}

// Orders the columns of a chain of joined FROM items back into FROM order (by their source
// tag), hidden columns last, and clears the tags.
void QueryPlanner::RestoreFromOrder(Builder& builder, size_t num_items) {
  const auto& columns = builder.scope.columns();
  std::vector<ExpressionPtr> projection;
  std::vector<ScopeColumn> reordered;
  for (uint32_t source = 1; source <= num_items + 1; ++source) {
    for (size_t i = 0; i < columns.size(); ++i) {
      bool last_round = source == num_items + 1;
      bool take = last_round ? (columns[i].source == 0 || columns[i].source > num_items)
                             : columns[i].source == source;
      if (!take) continue;
      projection.push_back(exec::Expression::Column(i, columns[i].type));
      reordered.push_back(columns[i]);
      reordered.back().source = 0;
    }
  }
  builder.scope = Scope(std::move(reordered));
  builder.open.transforms.push_back(
      std::make_unique<exec::ProjectionOperator>(builder.Schema(), std::move(projection)));
}

void QueryPlanner::JoinSides(const sql::JoinRef& join, Builder& builder, Builder& right) {
  bool inner = join.type == sql::JoinType::kInner || join.type == sql::JoinType::kCross;
  if (inner) PushDownFilters(builder, right);
  // The build side is held in memory: make it the smaller input when the order is free.
  bool swapped = inner && builder.estimated_rows >= 0 && right.estimated_rows >= 0 &&
                 builder.estimated_rows < right.estimated_rows / 2;
  if (swapped) {
    std::swap(builder.open, right.open);
    std::swap(builder.scope, right.scope);
    std::swap(builder.partitioned, right.partitioned);
  }
  double probe_rows = builder.estimated_rows;
  builder.estimated_rows = std::max(builder.estimated_rows, right.estimated_rows);
  const Scope left_scope = builder.scope;
  std::vector<ScopeColumn> pair_columns = left_scope.columns();
  for (ScopeColumn column : right.scope.columns()) pair_columns.push_back(column);

  std::vector<const sql::Expr*> conditions;
  if (join.condition) SplitConjuncts(*join.condition, conditions);
  if (inner) {
    for (size_t i = 0; i < builder.pending.size(); ++i) {
      if (builder.pending[i] != nullptr) conditions.push_back(builder.pending[i]);
    }
  }
  std::vector<ExpressionPtr> left_keys, right_keys;
  std::vector<const sql::Expr*> residual_conditions;
  std::vector<std::string> using_columns = join.using_columns;
  if (join.natural) {
    for (const auto& column : left_scope.columns()) {
      if (!column.hidden && right.scope.Find(column.name)) using_columns.push_back(column.name);
    }
  }
  for (const std::string& name : using_columns) {
    auto left_index = left_scope.Find(name);
    auto right_index = right.scope.Find(name);
    if (!left_index || !right_index) {
      Throw<UserError>(
          "column \"{}\" named in USING is missing on the {} side (line {}, column {})", name,
          left_index ? "right" : "left", join.location.line, join.location.column);
    }
    left_keys.push_back(
        exec::Expression::Column(*left_index, left_scope.columns()[*left_index].type));
    right_keys.push_back(
        exec::Expression::Column(*right_index, right.scope.columns()[*right_index].type));
    pair_columns[left_scope.columns().size() + *right_index].hidden = true;
  }
  for (const sql::Expr* condition : conditions) {
    bool from_pending = std::find(builder.pending.begin(), builder.pending.end(), condition) !=
                        builder.pending.end();
    if (condition->kind == sql::ExprKind::kBinary &&
        condition->As<sql::BinaryExpr>().op == sql::BinaryOp::kEqual) {
      const auto& equal = condition->As<sql::BinaryExpr>();
      ExpressionPtr a = TryBind(*equal.left, left_scope), b = TryBind(*equal.right, right.scope);
      if (!a || !b) {
        a = TryBind(*equal.right, left_scope);
        b = TryBind(*equal.left, right.scope);
      }
      if (a && b) {
        if (auto type = CommonType(a->type, b->type)) {
          left_keys.push_back(a->type == *type ? std::move(a)
                                               : exec::Expression::Cast(std::move(a), *type));
          right_keys.push_back(b->type == *type ? std::move(b)
                                                : exec::Expression::Cast(std::move(b), *type));
          if (from_pending) {
            *std::find(builder.pending.begin(), builder.pending.end(), condition) = nullptr;
          }
          continue;
        }
      }
    }
    if (!from_pending) residual_conditions.push_back(condition);
  }
  // Key columns are appended on both sides; the pair layout is left columns + right columns.
  std::vector<size_t> left_indices, right_indices;
  size_t left_width = left_scope.columns().size();
  size_t right_width = right.scope.columns().size();
  AppendKeyColumns(builder, std::move(left_keys), left_indices);
  AppendKeyColumns(right, std::move(right_keys), right_indices);
  exec::JoinKind kind = KindOf(join.type);
  DistributeJoin(builder, right, left_indices, right_indices, probe_rows,
                 kind == exec::JoinKind::kRight || kind == exec::JoinKind::kFull);
  std::vector<ScopeColumn> layout = builder.scope.columns();
  for (size_t i = 0; i < right.scope.columns().size(); ++i) {
    ScopeColumn column = right.scope.columns()[i];
    if (i < right_width) column.hidden = pair_columns[left_width + i].hidden;
    layout.push_back(column);
  }
  Scope layout_scope(layout);
  ExpressionPtr residual;
  for (const sql::Expr* condition : residual_conditions) {
    auto bound =
        ExpressionBinder(layout_scope, nullptr, Context()).BindAs(*condition, TypeId::kBoolean);
    if (!residual) {
      residual = std::move(bound);
      continue;
    }
    std::vector<ExpressionPtr> both;
    both.push_back(std::move(residual));
    both.push_back(std::move(bound));
    residual =
        exec::Expression::Make(exec::ExpressionKind::kAnd, TypeId::kBoolean, std::move(both));
  }
  auto table = std::make_shared<exec::JoinHashTable>(right_indices);
  right.open.sink = std::make_unique<exec::HashJoinBuild>(right.Schema(), table);
  for (auto& pipeline : right.done) builder.done.push_back(std::move(pipeline));
  for (auto& view : right.views) builder.views.push_back(std::move(view));
  builder.done.push_back(std::move(right.open));
  builder.scope = layout_scope;
  auto schema = builder.Schema();
  builder.open.transforms.push_back(std::make_unique<exec::HashJoinProbe>(
      schema, schema, kind, table, left_indices, std::move(residual)));
  if (swapped) RestoreColumnOrder(builder, layout.size() - right.scope.columns().size());
  if (kind == exec::JoinKind::kRight || kind == exec::JoinKind::kFull) {
    builder.Break(std::make_unique<exec::CollectSink>(schema, std::nullopt, 0), "join");
    exec::SinkOperator* probe_output = builder.done.back().sink.get();
    builder.last_break = nullptr;  // the open pipeline adds rows to the probe output
    builder.open.source = std::make_unique<exec::UnmatchedBuildScan>(
        schema, table,
        [probe_output] {
          return std::make_shared<const std::vector<core::Batch>>(probe_output->TakeOutput());
        },
        builder.scope.columns().size() - right.scope.columns().size());
  }
}

}  // namespace sluice::planner
