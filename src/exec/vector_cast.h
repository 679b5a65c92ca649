#pragma once

#include <cstddef>

#include "core/types.h"
#include "core/vector.h"

namespace sluice::exec {

/// Returns true when values of `from` may be cast to `to` (PostgreSQL rules, as
/// core::Value::CastTo); some values may still fail at run time (a bad date string).
bool CanCast(core::TypeId from, core::TypeId to);

/// Casts the first `count` values of `source` into `result`, a vector of the target type with
/// room for `count` values. NULLs stay NULL. Text forms match core::Value::ToString and parsing
/// matches core::Value::CastTo. Throws DataError naming the first bad value and the target type.
void CastVector(const core::Vector& source, size_t count, core::Vector& result);

}  // namespace sluice::exec
