#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/batch.h"

namespace sluice::catalog {

/// Returns the first `rows` rows of `batches` as a JSON array of objects (values as the JSON
/// writer writes them), the catalog's sample of a dataset.
std::string SampleRowsJson(std::span<const core::Batch> batches, const core::Schema& schema,
                           size_t rows);

}  // namespace sluice::catalog
