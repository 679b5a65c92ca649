// BuildRowsQuery and NextCursor: the syntax tree of a rows request, node by node.

#include "serve/rows_query.h"

#include <algorithm>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "base/error.h"
#include "serve/row_cursor.h"
#include "sql/names.h"

namespace sluice::serve {
namespace {

using sql::BinaryOp;
using sql::ExprPtr;

template <typename T>
std::unique_ptr<T> Node() {
  return std::make_unique<T>();
}

ExprPtr Column(const core::Field& field) {
  auto column = Node<sql::ColumnRefExpr>();
  column->names = {field.name};
  return column;
}

ExprPtr BooleanLiteral(bool value) {
  auto literal = Node<sql::LiteralExpr>();
  literal->literal_kind = sql::LiteralKind::kBoolean;
  literal->boolean_value = value;
  return literal;
}

ExprPtr IntegerLiteral(int64_t value) {
  auto literal = Node<sql::LiteralExpr>();
  literal->literal_kind = sql::LiteralKind::kInteger;
  literal->integer_value = value;
  literal->text = std::to_string(value);
  return literal;
}

ExprPtr Binary(BinaryOp op, ExprPtr left, ExprPtr right) {
  auto binary = Node<sql::BinaryExpr>();
  binary->op = op;
  binary->left = std::move(left);
  binary->right = std::move(right);
  return binary;
}

ExprPtr IsNull(ExprPtr operand, bool negated) {
  auto is_null = Node<sql::IsNullExpr>();
  is_null->negated = negated;
  is_null->operand = std::move(operand);
  return is_null;
}

// Returns `left AND right`, or `right` alone when `left` is null.
ExprPtr And(ExprPtr left, ExprPtr right) {
  return left ? Binary(BinaryOp::kAnd, std::move(left), std::move(right)) : std::move(right);
}

// Returns the constant `text` of `field`'s type as the parser would read `CAST('text' AS T)`
// (a plain string for VARCHAR), after checking it is a value of that type.
ExprPtr TypedValue(const std::string& text, const core::Field& field,
                   const std::string& parameter) {
  try {
    core::Value::Varchar(text).CastTo(field.type);
  } catch (const DataError&) {
    throw HttpError(400,
                    fmt::format("\"{}\" is not a {} value of column \"{}\"", text,
                                core::TypeName(field.type), field.name),
                    parameter);
  }
  auto literal = Node<sql::LiteralExpr>();
  literal->literal_kind = sql::LiteralKind::kString;
  literal->text = text;
  if (field.type == core::TypeId::kVarchar) return literal;
  auto cast = Node<sql::CastExpr>();
  cast->operand = std::move(literal);
  cast->type.name = std::string(core::TypeName(field.type));
  return cast;
}

ExprPtr ComparisonExpr(const RowFilter& filter, const core::Field& field) {
  static const std::pair<std::string_view, BinaryOp> kComparisons[] = {
      {"eq", BinaryOp::kEqual}, {"neq", BinaryOp::kNotEqual},     {"gt", BinaryOp::kGreater},
      {"lt", BinaryOp::kLess},  {"gte", BinaryOp::kGreaterEqual}, {"lte", BinaryOp::kLessEqual}};
  auto entry = std::find_if(std::begin(kComparisons), std::end(kComparisons),
                            [&](const auto& item) { return item.first == filter.op; });
  if (entry == std::end(kComparisons) || filter.values.size() != 1) {
    throw HttpError(400, fmt::format("unknown operator \"{}\"", filter.op), filter.column);
  }
  ExprPtr comparison =
      Binary(entry->second, Column(field), TypedValue(filter.values[0], field, filter.column));
  if (!filter.negated) return comparison;
  auto negation = Node<sql::UnaryExpr>();
  negation->op = sql::UnaryOp::kNot;
  negation->operand = std::move(comparison);
  return negation;
}

// PostgREST's `*` is LIKE's `%` (which needs no URL escaping); `%` and `_` keep their meaning.
ExprPtr LikeExpr(const RowFilter& filter, const core::Field& field) {
  if (field.type != core::TypeId::kVarchar) {
    throw HttpError(400,
                    fmt::format("{} needs a text column; \"{}\" is {}", filter.op, field.name,
                                core::TypeName(field.type)),
                    filter.column);
  }
  std::string pattern = filter.values.at(0);
  std::replace(pattern.begin(), pattern.end(), '*', '%');
  BinaryOp op = filter.op == "ilike" ? (filter.negated ? BinaryOp::kNotILike : BinaryOp::kILike)
                                     : (filter.negated ? BinaryOp::kNotLike : BinaryOp::kLike);
  return Binary(op, Column(field), TypedValue(pattern, field, filter.column));
}

// `in.()` is false for every row (NULLs too) and `not.in.()` true, as PostgREST answers.
ExprPtr InExpr(const RowFilter& filter, const core::Field& field) {
  if (filter.values.empty()) return BooleanLiteral(filter.negated);
  auto in = Node<sql::InListExpr>();
  in->negated = filter.negated;
  in->value = Column(field);
  for (const std::string& value : filter.values) {
    in->list.push_back(TypedValue(value, field, filter.column));
  }
  return in;
}

// `is.true` is `IS TRUE`, which the parser reads as IS NOT DISTINCT FROM TRUE.
ExprPtr IsExpr(const RowFilter& filter, const core::Field& field) {
  const std::string& value = filter.values.at(0);
  if (value == "null") return IsNull(Column(field), filter.negated);
  if (value != "true" && value != "false") {
    throw HttpError(400, fmt::format("is takes null, true or false, not \"{}\"", value),
                    filter.column);
  }
  if (field.type != core::TypeId::kBoolean) {
    throw HttpError(400,
                    fmt::format("is.{} needs a BOOLEAN column; \"{}\" is {}", value, field.name,
                                core::TypeName(field.type)),
                    filter.column);
  }
  BinaryOp op = filter.negated ? BinaryOp::kIsDistinctFrom : BinaryOp::kIsNotDistinctFrom;
  return Binary(op, Column(field), BooleanLiteral(value == "true"));
}

ExprPtr FilterExpr(const RowFilter& filter, const core::Schema& schema) {
  const core::Field& field = schema.field(ResolveColumn(schema, filter.column, filter.column));
  if (filter.op == "like" || filter.op == "ilike") return LikeExpr(filter, field);
  if (filter.op == "in") return InExpr(filter, field);
  if (filter.op == "is") return IsExpr(filter, field);
  return ComparisonExpr(filter, field);
}

// Returns the condition that a row sorts the same as `value` on `key`'s column.
ExprPtr SameAs(const core::Field& field, const core::Value& value) {
  if (value.is_null()) return IsNull(Column(field), false);
  return Binary(BinaryOp::kEqual, Column(field), TypedValue(value.ToString(), field, "cursor"));
}

// Returns the condition that a row sorts after `value` on `key`'s column, or null when none
// can (a NULL that sorts last).
ExprPtr After(const PagingKey& key, const core::Field& field, const core::Value& value) {
  if (value.is_null()) return key.nulls_first ? IsNull(Column(field), true) : nullptr;
  ExprPtr beyond = Binary(key.descending ? BinaryOp::kLess : BinaryOp::kGreater, Column(field),
                          TypedValue(value.ToString(), field, "cursor"));
  if (key.nulls_first) return beyond;
  return Binary(BinaryOp::kOr, std::move(beyond), IsNull(Column(field), false));
}

// Returns the keyset condition `(k1, k2, ...) > (v1, v2, ...)` in the paging order:
// OR over i of (k1 = v1 AND ... AND k(i-1) = v(i-1) AND ki after vi).
ExprPtr KeysetCondition(const std::vector<PagingKey>& keys, const core::Schema& schema,
                        const std::vector<core::Value>& values) {
  ExprPtr condition;
  for (size_t i = 0; i < keys.size(); ++i) {
    ExprPtr after = After(keys[i], schema.field(keys[i].field), values[i]);
    if (!after) continue;
    ExprPtr term;
    for (size_t j = 0; j < i; ++j)
      term = And(std::move(term), SameAs(schema.field(keys[j].field), values[j]));
    term = And(std::move(term), std::move(after));
    condition =
        condition ? Binary(BinaryOp::kOr, std::move(condition), std::move(term)) : std::move(term);
  }
  return condition ? std::move(condition) : BooleanLiteral(false);
}

// Returns the requested columns (every column when none is named), each once.
std::vector<size_t> SelectedColumns(const RowsQuery& rows, const core::Schema& schema) {
  std::vector<size_t> columns;
  for (const std::string& name : rows.select) {
    if (name == "*") {
      for (size_t field = 0; field < schema.num_fields(); ++field) columns.push_back(field);
    } else {
      columns.push_back(ResolveColumn(schema, name, "select"));
    }
  }
  if (rows.select.empty()) {
    for (size_t field = 0; field < schema.num_fields(); ++field) columns.push_back(field);
  }
  std::vector<size_t> sorted = columns;
  std::sort(sorted.begin(), sorted.end());
  auto repeated = std::adjacent_find(sorted.begin(), sorted.end());
  if (repeated != sorted.end()) {
    throw HttpError(400,
                    fmt::format("column \"{}\" is selected twice", schema.field(*repeated).name),
                    "select");
  }
  return columns;
}

// Fills the select list: the requested columns, then the paging columns not among them.
void AddOutputColumns(const RowsQuery& rows, const core::Schema& schema,
                      const std::vector<PagingKey>& keys, sql::SelectNode& select, RowsPlan& plan) {
  std::vector<size_t> output = SelectedColumns(rows, schema);
  plan.num_columns = output.size();
  for (const PagingKey& key : keys) {
    auto found = std::find(output.begin(), output.end(), key.field);
    plan.paging_columns.push_back(static_cast<size_t>(found - output.begin()));
    if (found == output.end()) output.push_back(key.field);
  }
  for (size_t field : output) select.select_list.push_back({Column(schema.field(field)), ""});
}

ExprPtr WhereClause(const RowsQuery& rows, const core::Schema& schema,
                    const std::vector<PagingKey>& keys) {
  ExprPtr where;
  for (const RowFilter& filter : rows.filters) {
    where = And(std::move(where), FilterExpr(filter, schema));
  }
  if (rows.cursor) {
    if (rows.offset > 0) throw HttpError(400, "offset cannot be combined with cursor", "offset");
    std::vector<core::Value> values = DecodeCursor(*rows.cursor, keys, schema);
    where = And(std::move(where), KeysetCondition(keys, schema, values));
  }
  return where;
}

void AddOrderAndLimit(const RowsQuery& rows, const core::Schema& schema,
                      const std::vector<PagingKey>& keys, int64_t max_limit,
                      sql::SelectNode& select, RowsPlan& plan) {
  for (const PagingKey& key : keys) {
    sql::OrderByItem item;
    item.expr = Column(schema.field(key.field));
    item.direction =
        key.descending ? sql::OrderDirection::kDescending : sql::OrderDirection::kAscending;
    if (key.explicit_nulls) {
      item.nulls = key.nulls_first ? sql::NullsOrder::kFirst : sql::NullsOrder::kLast;
    }
    select.order_by.push_back(std::move(item));
  }
  plan.limit = rows.limit;
  if (max_limit > 0 && (!plan.limit || *plan.limit > max_limit)) plan.limit = max_limit;
  if (plan.limit) select.limit = IntegerLiteral(*plan.limit);
  if (rows.offset > 0) select.offset = IntegerLiteral(rows.offset);
}

}  // namespace

size_t ResolveColumn(const core::Schema& schema, const std::string& name,
                     const std::string& parameter) {
  if (auto field = schema.FindField(name)) return *field;
  std::vector<std::string> names;
  for (const core::Field& field : schema.fields()) names.push_back(field.name);
  auto suggestion = sql::ClosestName(name, names);
  throw HttpError(400,
                  fmt::format("column \"{}\" does not exist{}", name,
                              suggestion ? "; did you mean \"" + *suggestion + "\"?" : ""),
                  parameter);
}

RowsPlan BuildRowsQuery(const RowsQuery& rows, const std::string& table, const core::Schema& schema,
                        int64_t max_limit) {
  std::vector<PagingKey> keys = PagingOrder(rows, schema);
  RowsPlan plan;
  auto select = Node<sql::SelectNode>();
  AddOutputColumns(rows, schema, keys, *select, plan);
  auto from = Node<sql::BaseTableRef>();
  from->name = {table};
  from->version = rows.version;
  select->from = std::move(from);
  select->where = WhereClause(rows, schema, keys);
  AddOrderAndLimit(rows, schema, keys, max_limit, *select, plan);
  plan.query = std::move(select);
  return plan;
}

std::string NextCursor(const RowsQuery& rows, const core::Schema& schema, const RowsPlan& plan,
                       const std::vector<core::Batch>& batches) {
  size_t num_rows = 0;
  for (const core::Batch& batch : batches) num_rows += batch.num_rows();
  if (!plan.limit || num_rows == 0 || num_rows < static_cast<size_t>(*plan.limit)) return "";
  auto last = std::find_if(batches.rbegin(), batches.rend(),
                           [](const core::Batch& batch) { return batch.num_rows() > 0; });
  std::vector<core::Value> values;
  for (size_t column : plan.paging_columns) {
    values.push_back(last->GetValue(column, last->num_rows() - 1));
  }
  return MakeCursor(rows, schema, values);
}

}  // namespace sluice::serve
