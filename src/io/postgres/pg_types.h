#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "io/postgres/pg_connection.h"

namespace sluice::io::postgres {

/// Says what to do with a column whose PostgreSQL type Sluice cannot represent.
enum class UnsupportedTypes { kError, kText };

/// Is one column of a PostgreSQL table as Sluice reads it.
struct PgColumn {
  std::string name;
  uint32_t wire_oid = 0;  // the type sent: a domain's base type; text for enums and as_text
  std::string type_name;  // as PostgreSQL prints it, e.g. "character varying(20)"
  core::TypeId type = core::TypeId::kVarchar;
  bool as_text = false;     // an unsupported type read as its text form
  bool comparable = false;  // PostgreSQL compares it as Sluice does: filters may be pushed
};

/// Is a PostgreSQL table or view: its columns and the planner's row estimate.
struct PgTable {
  std::string name;  // as the user wrote it
  std::vector<PgColumn> columns;
  double estimated_rows = 0;
};

/// Returns the Sluice type of a PostgreSQL type (by OID), or nothing when unsupported.
std::optional<core::TypeId> TypeOfPgOid(uint32_t oid);

/// Returns the PostgreSQL type a Sluice type is written as ("bigint", "double precision"...).
std::string_view PgTypeOf(core::TypeId type);

/// Describes table (or view) `table` ("schema.table" or "table", names exact). Throws UserError
/// when it does not exist, or when a column's type is unsupported and `unsupported` is kError
/// (the message names the column and its type).
PgTable DescribePgTable(PgConnection& connection, const std::string& table,
                        UnsupportedTypes unsupported);

/// Returns the schema of `columns` (all of a PgTable's, or a projection).
core::SchemaPtr SchemaOf(const std::vector<PgColumn>& columns);

}  // namespace sluice::io::postgres
