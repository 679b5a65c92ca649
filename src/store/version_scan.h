#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exec/operator.h"
#include "io/scan_predicate.h"
#include "store/result_store.h"

namespace sluice::store {

/// Opens a scan of the parts of a pinned version, reading only `columns` (every column when
/// empty) in the table's order. Workers read different parts at the same time; `predicates`
/// let the Parquet reader skip row groups. The scan holds the pin until it is destroyed.
/// Morsels are numbered (part << 32 | batch), so order-keeping sinks restore the row order.
std::unique_ptr<exec::SourceOperator> OpenVersionScan(
    std::shared_ptr<const PinnedVersion> version, const std::vector<std::string>& columns,
    const std::vector<io::ScanPredicate>& predicates);

/// Reads every row of a pinned version into memory.
std::vector<core::Batch> ReadVersion(const PinnedVersion& version);

}  // namespace sluice::store
