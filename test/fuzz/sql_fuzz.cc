// Fuzzes the SQL lexer and parser: any text must parse or fail with a sluice::UserError
// (a located ParseError), and what parses must print back as SQL that parses again.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "sql/parser.h"
#include "sql/to_sql.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& statement : sluice::sql::ParseSql(text)) {
      std::string printed = sluice::sql::ToSql(*statement);
      // A statement that parsed once must print as SQL that parses again.
      if (sluice::sql::ParseSql(printed).size() != 1) __builtin_trap();
    }
    sluice::sql::SplitStatements(text);
  } catch (const sluice::UserError&) {
  }
  return 0;
}
