#pragma once

#include <optional>
#include <vector>

#include "catalog/column_profiler.h"
#include "catalog/dataset_record.h"
#include "catalog/version_info.h"

namespace sluice::store {

/// Is what the catalog records about a result's version beside the version itself.
struct ResultDataset {
  catalog::DatasetRecord record;
  std::vector<catalog::DatasetColumn> columns;
};

/// Returns the catalog record of version `info` of a result, with the profile of its rows and
/// the semantics inferred from it; description, tags and sample come from `previous` (the
/// record of the version before, if any).
ResultDataset DescribeResult(const catalog::VersionInfo& info, catalog::TableProfile profile,
                             const std::optional<catalog::DatasetRecord>& previous);

}  // namespace sluice::store
