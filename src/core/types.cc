#include "core/types.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include "base/error.h"

namespace sluice::core {

std::string_view TypeName(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kInteger:
      return "INTEGER";
    case TypeId::kBigint:
      return "BIGINT";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kVarchar:
      return "VARCHAR";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
  }
  throw InternalError("unknown type id");
}

std::optional<TypeId> TypeFromName(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, TypeId>, 22> kNames = {{
      {"BOOLEAN", TypeId::kBoolean},     {"BOOL", TypeId::kBoolean},
      {"INTEGER", TypeId::kInteger},     {"INT", TypeId::kInteger},
      {"INT4", TypeId::kInteger},        {"SMALLINT", TypeId::kInteger},
      {"INT2", TypeId::kInteger},        {"BIGINT", TypeId::kBigint},
      {"INT8", TypeId::kBigint},         {"LONG", TypeId::kBigint},
      {"DOUBLE", TypeId::kDouble},       {"FLOAT8", TypeId::kDouble},
      {"FLOAT", TypeId::kDouble},        {"REAL", TypeId::kDouble},
      {"NUMERIC", TypeId::kDouble},      {"DECIMAL", TypeId::kDouble},
      {"VARCHAR", TypeId::kVarchar},     {"TEXT", TypeId::kVarchar},
      {"STRING", TypeId::kVarchar},      {"DATE", TypeId::kDate},
      {"TIMESTAMP", TypeId::kTimestamp}, {"DATETIME", TypeId::kTimestamp},
  }};
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (upper == "DOUBLE PRECISION") return TypeId::kDouble;
  for (const auto& [alias, type] : kNames) {
    if (alias == upper) return type;
  }
  return std::nullopt;
}

size_t TypeWidth(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return 1;
    case TypeId::kInteger:
    case TypeId::kDate:
      return 4;
    case TypeId::kBigint:
    case TypeId::kDouble:
    case TypeId::kTimestamp:
      return 8;
    case TypeId::kVarchar:
      return 16;
  }
  throw InternalError("unknown type id");
}

bool IsNumeric(TypeId type) {
  return type == TypeId::kInteger || type == TypeId::kBigint || type == TypeId::kDouble;
}

}  // namespace sluice::core
