#pragma once

#include <string>
#include <vector>

#include "core/value.h"

namespace sluice::io {

/// Is one conjunct of a query's filter in a form readers can test against statistics:
/// `column op value`, or `column IS [NOT] NULL` (value unused).
struct ScanPredicate {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kIsNull, kIsNotNull };
  std::string column;
  Op op = Op::kEq;
  core::Value value = core::Value::Null(core::TypeId::kVarchar);
};

/// Returns predicates as text for EXPLAIN: "delay > 30 AND origin = 'SFO'".
std::string ScanPredicatesToString(const std::vector<ScanPredicate>& predicates);

}  // namespace sluice::io
