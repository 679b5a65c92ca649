#include "io/scan_predicate.h"

namespace sluice::io {
namespace {

using Op = ScanPredicate::Op;

std::string_view OpText(Op op) {
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kIsNull:
      return "IS NULL";
    case Op::kIsNotNull:
      return "IS NOT NULL";
  }
  return "?";
}

}  // namespace

std::string ScanPredicatesToString(const std::vector<ScanPredicate>& predicates) {
  std::string text;
  for (const ScanPredicate& predicate : predicates) {
    if (!text.empty()) text += " AND ";
    text += predicate.column + " " + std::string(OpText(predicate.op));
    if (predicate.op == Op::kIsNull || predicate.op == Op::kIsNotNull) continue;
    bool quoted = predicate.value.type() == core::TypeId::kVarchar ||
                  predicate.value.type() == core::TypeId::kDate ||
                  predicate.value.type() == core::TypeId::kTimestamp;
    std::string value = predicate.value.is_null() ? "NULL" : predicate.value.ToString();
    text += quoted && !predicate.value.is_null() ? " '" + value + "'" : " " + value;
  }
  return text;
}

}  // namespace sluice::io
