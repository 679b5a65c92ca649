// Fuzzes the query string of rows requests: the input is split at '&' into parameters and at
// the first '=' into name and value (already decoded, as the server hands them over). Parsing
// and building the query over a fixed schema must succeed or throw HttpError, and nothing
// else; a built query must print as SQL that parses again, and a cursor made after it must
// build a query too.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "core/value.h"
#include "serve/http.h"
#include "serve/row_cursor.h"
#include "serve/rows_query.h"
#include "sql/parser.h"
#include "sql/to_sql.h"

namespace {

using sluice::core::TypeId;
using sluice::core::Value;

const sluice::core::Schema& Results() {
  static const sluice::core::Schema schema({{"origin", TypeId::kVarchar},
                                            {"delay", TypeId::kBigint},
                                            {"n", TypeId::kInteger},
                                            {"ratio", TypeId::kDouble},
                                            {"late", TypeId::kBoolean},
                                            {"day", TypeId::kDate},
                                            {"at", TypeId::kTimestamp},
                                            {"Mixed Case", TypeId::kVarchar}});
  return schema;
}

sluice::serve::Fields SplitParameters(std::string_view text) {
  sluice::serve::Fields parameters;
  while (!text.empty()) {
    size_t end = text.find('&');
    std::string_view part = text.substr(0, end);
    size_t equals = part.find('=');
    parameters.emplace_back(std::string(part.substr(0, equals)),
                            equals == std::string_view::npos ? "" : part.substr(equals + 1));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return parameters;
}

// Returns a row's values of the paging order of `rows`, as NextCursor would pass them.
std::vector<Value> LastRow(const sluice::serve::RowsQuery& rows) {
  static const std::vector<Value> kRow = {
      Value::Varchar("x'\"\n"),      Value::Bigint(-1),
      Value::Null(TypeId::kInteger), Value::Double(0.1),
      Value::Boolean(true),          Value::Date(-1),
      Value::Timestamp(1),           Value::Null(TypeId::kVarchar)};
  std::vector<Value> values;
  for (const sluice::serve::PagingKey& key : sluice::serve::PagingOrder(rows, Results())) {
    values.push_back(kRow[key.field]);
  }
  return values;
}

// A query that was built must read back: its SQL parses (else the tree is not the parser's).
void CheckPrints(const sluice::sql::QueryNode& query) {
  try {
    sluice::sql::ParseStatement(sluice::sql::ToSql(query));
  } catch (const sluice::UserError&) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    sluice::serve::RowsQuery rows = sluice::serve::ParseRowsQuery(SplitParameters(text));
    sluice::serve::RowsPlan plan = sluice::serve::BuildRowsQuery(rows, "results", Results(), 1000);
    CheckPrints(*plan.query);
    rows.cursor = sluice::serve::MakeCursor(rows, Results(), LastRow(rows));
    rows.offset = 0;
    CheckPrints(*sluice::serve::BuildRowsQuery(rows, "results", Results(), 1000).query);
  } catch (const sluice::serve::HttpError&) {
  }
  return 0;
}
