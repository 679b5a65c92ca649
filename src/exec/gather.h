#pragma once

#include <cstdint>
#include <vector>

#include "core/batch.h"
#include "core/vector.h"

namespace sluice::exec {

/// Sets `target` to `count` values of `source` taken at positions `rows` (a row of -1 gives
/// NULL). Strings are shared: `target` keeps `source`'s heap alive.
void GatherColumn(const core::Vector& source, const int64_t* rows, size_t count,
                  core::Vector& target);

/// Returns `batch` without a selection vector: shared as is when it has none, else gathered.
core::Batch Flatten(core::Batch batch);

}  // namespace sluice::exec
