#include "io/scan_sql.h"

#include <cmath>

#include "core/datetime.h"
#include "core/value.h"

namespace sluice::io {
namespace {

using core::TypeId;

bool IsTemporal(TypeId type) { return type == TypeId::kDate || type == TypeId::kTimestamp; }

// Returns true when comparing a column of `column` type with a value of `value` type means
// the same in the database as in Sluice.
bool Comparable(TypeId column, TypeId value, SqlDialect dialect) {
  if (core::IsNumeric(column)) return core::IsNumeric(value);
  if (column == TypeId::kVarchar || column == TypeId::kBoolean) return value == column;
  // SQLite keeps dates as text in any format: its comparisons are not Sluice's.
  return dialect == SqlDialect::kPostgres && IsTemporal(column) && IsTemporal(value);
}

// Returns the value as a literal of the dialect; empty when it has none.
std::string Literal(const core::Value& value, SqlDialect dialect) {
  bool postgres = dialect == SqlDialect::kPostgres;
  switch (value.type()) {
    case TypeId::kBoolean:
      if (postgres) return value.GetBoolean() ? "true" : "false";
      return value.GetBoolean() ? "1" : "0";
    case TypeId::kInteger:
    case TypeId::kBigint:
      return std::to_string(value.GetInt64());
    case TypeId::kDouble:
      if (!std::isfinite(value.GetDouble()) && !postgres) return {};
      // Compared as float8, as Sluice compares it (a numeric literal would compare exactly).
      return postgres ? QuoteSqlString(value.ToString()) + "::float8" : value.ToString();
    case TypeId::kVarchar:
      return QuoteSqlString(value.GetString());
    case TypeId::kDate:
      return QuoteSqlString(core::FormatDate(static_cast<int32_t>(value.GetInt64()))) + "::date";
    case TypeId::kTimestamp:
      return QuoteSqlString(core::FormatTimestamp(value.GetInt64())) + "::timestamp";
  }
  return {};
}

// Returns the column as the left side of a comparison with `value`.
std::string Operand(const std::string& column, TypeId column_type, const ScanPredicate& predicate,
                    SqlDialect dialect) {
  bool postgres = dialect == SqlDialect::kPostgres;
  if (postgres && column_type == TypeId::kDouble) return column + "::float8";
  // Byte order, as Sluice orders strings, whatever the column's collation.
  bool range = predicate.op != ScanPredicate::Op::kEq;
  if (column_type == TypeId::kVarchar && (range || !postgres)) {
    return column + (postgres ? " COLLATE \"C\"" : " COLLATE BINARY");
  }
  return column;
}

std::string PredicateToSql(const ScanPredicate& predicate, TypeId column_type, SqlDialect dialect) {
  using Op = ScanPredicate::Op;
  std::string column = QuoteSqlIdentifier(predicate.column);
  if (predicate.op == Op::kIsNull) return column + " IS NULL";
  if (predicate.op == Op::kIsNotNull) return column + " IS NOT NULL";
  const core::Value& value = predicate.value;
  if (value.is_null() || !Comparable(column_type, value.type(), dialect)) return {};
  if (column_type == TypeId::kBoolean && predicate.op != Op::kEq) return {};
  std::string literal = Literal(value, dialect);
  if (literal.empty()) return {};
  static constexpr const char* kOperators[] = {" = ", " < ", " <= ", " > ", " >= "};
  return Operand(column, column_type, predicate, dialect) +
         kOperators[static_cast<int>(predicate.op)] + literal;
}

}  // namespace

std::string QuoteSqlIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::vector<std::string> SplitTableName(std::string_view table) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (size_t i = 0; i < table.size(); ++i) {
    char c = table[i];
    if (c == '"' && quoted && i + 1 < table.size() && table[i + 1] == '"') {
      parts.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '.' && !quoted) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

std::string QuoteTableName(std::string_view table) {
  std::string quoted;
  for (const std::string& part : SplitTableName(table)) {
    quoted += (quoted.empty() ? "" : ".") + QuoteSqlIdentifier(part);
  }
  return quoted;
}

std::string QuoteSqlString(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

std::string PredicatesToSql(const std::vector<ScanPredicate>& predicates,
                            const core::Schema& schema, SqlDialect dialect) {
  std::string text;
  for (const ScanPredicate& predicate : predicates) {
    auto index = schema.FindField(predicate.column);
    if (!index || schema.field(*index).name != predicate.column) continue;
    std::string condition = PredicateToSql(predicate, schema.field(*index).type, dialect);
    if (condition.empty()) continue;
    text += (text.empty() ? "" : " AND ") + condition;
  }
  return text;
}

}  // namespace sluice::io
