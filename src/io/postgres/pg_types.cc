#include "io/postgres/pg_types.h"

#include <cstdlib>

#include "base/error.h"
#include "io/postgres/pg_oids.h"
#include "io/scan_sql.h"

namespace sluice::io::postgres {
namespace {

using core::TypeId;

// Comparisons PostgreSQL makes as Sluice does (json has none; bpchar ignores trailing blanks).
bool Comparable(uint32_t oid) {
  switch (oid) {
    case kBoolOid:
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
    case kTextOid:
    case kVarcharOid:
    case kDateOid:
    case kTimestampOid:
    case kTimestampTzOid:
      return true;
    default:
      return false;
  }
}

PgColumn ColumnOf(const PgResult& rows, int row, const std::string& table,
                  UnsupportedTypes unsupported) {
  PgColumn column;
  column.name = PQgetvalue(rows.get(), row, 0);
  column.wire_oid =
      static_cast<uint32_t>(std::strtoul(PQgetvalue(rows.get(), row, 1), nullptr, 10));
  column.type_name = PQgetvalue(rows.get(), row, 2);
  auto type = TypeOfPgOid(column.wire_oid);
  if (!type) {
    if (unsupported == UnsupportedTypes::kError) {
      Throw<UserError>(
          "column \"{}\" of PostgreSQL table \"{}\" has type {}, which Sluice cannot read; "
          "use the option unsupported = 'text' to read such columns as text",
          column.name, table, column.type_name);
    }
    column.as_text = true;
    column.wire_oid = kTextOid;
    type = TypeId::kVarchar;
  }
  column.type = *type;
  column.comparable = !column.as_text && Comparable(column.wire_oid);
  return column;
}

}  // namespace

std::optional<TypeId> TypeOfPgOid(uint32_t oid) {
  switch (oid) {
    case kBoolOid:
      return TypeId::kBoolean;
    case kInt2Oid:
    case kInt4Oid:
      return TypeId::kInteger;
    case kInt8Oid:
    case kOidOid:
      return TypeId::kBigint;
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return TypeId::kDouble;
    case kTextOid:
    case kVarcharOid:
    case kBpcharOid:
    case kNameOid:
    case kCharOid:
    case kUuidOid:
    case kJsonOid:
    case kJsonbOid:
    case kXmlOid:
      return TypeId::kVarchar;
    case kDateOid:
      return TypeId::kDate;
    case kTimestampOid:
    case kTimestampTzOid:
      return TypeId::kTimestamp;
    default:
      return std::nullopt;
  }
}

std::string_view PgTypeOf(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInteger:
      return "integer";
    case TypeId::kBigint:
      return "bigint";
    case TypeId::kDouble:
      return "double precision";
    case TypeId::kVarchar:
      return "text";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
  }
  return "text";
}

PgTable DescribePgTable(PgConnection& connection, const std::string& table,
                        UnsupportedTypes unsupported) {
  std::string what = "describing table \"" + table + "\"";
  PgResult relation = connection.Query(
      "SELECT c.oid::int8, greatest(c.reltuples, 0)::float8 FROM pg_class c "
      "WHERE c.oid = to_regclass($1)",
      {QuoteTableName(table)}, what);
  if (PQntuples(relation.get()) == 0) {
    Throw<UserError>("PostgreSQL table \"{}\" does not exist at {}", table,
                     connection.display_url());
  }
  // Domains are sent as their base type, enums as their label (text).
  PgResult rows = connection.Query(
      "SELECT a.attname, (CASE t.typtype WHEN 'e' THEN 25 WHEN 'd' THEN t.typbasetype "
      "ELSE a.atttypid END)::int8, format_type(a.atttypid, a.atttypmod) "
      "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
      "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      {PQgetvalue(relation.get(), 0, 0)}, what);
  PgTable result;
  result.name = table;
  result.estimated_rows = std::strtod(PQgetvalue(relation.get(), 0, 1), nullptr);
  for (int row = 0; row < PQntuples(rows.get()); ++row) {
    result.columns.push_back(ColumnOf(rows, row, table, unsupported));
  }
  return result;
}

core::SchemaPtr SchemaOf(const std::vector<PgColumn>& columns) {
  std::vector<core::Field> fields;
  for (const PgColumn& column : columns) fields.push_back({column.name, column.type});
  return std::make_shared<core::Schema>(std::move(fields));
}

}  // namespace sluice::io::postgres
