#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/batch.h"
#include "io/batch_reader.h"

namespace sluice::catalog {

/// Returns the first `rows` rows of `batches` as a JSON array of objects (values as the JSON
/// writer writes them), the catalog's sample of a dataset.
std::string SampleRowsJson(const std::vector<core::Batch>& batches, const core::Schema& schema,
                           size_t rows);

/// Returns the first `rows` rows `reader` returns, as SampleRowsJson does.
std::string SampleRowsJson(io::BatchReader& reader, size_t rows);

}  // namespace sluice::catalog
