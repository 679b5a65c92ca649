#include "planner/outer_references.h"

#include <algorithm>

namespace sluice::planner {

std::unique_ptr<exec::Expression> OuterReferences::Resolve(
    const sql::ColumnRefExpr& reference) const {
  auto index = scope_.TryResolve(reference);
  if (!index) {
    if (parent_ == nullptr) return nullptr;
    return parent_->Resolve(reference);
  }
  if (std::find(used_.begin(), used_.end(), *index) == used_.end()) used_.push_back(*index);
  core::TypeId type = scope_.columns()[*index].type;
  if (values_.empty()) return exec::Expression::Constant(core::Value::Null(type));
  return exec::Expression::Constant(values_[*index].CastTo(type));
}

}  // namespace sluice::planner
