#pragma once

// Personal data (PII) hidden from requests whose token lacks the `pii` scope: which columns
// of a result the catalog's semantics flag, and batches with those columns masked.

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog_db.h"
#include "core/batch.h"
#include "core/schema.h"

namespace sluice::serve {

/// Is what a masked VARCHAR value reads as.
inline constexpr char kPiiMask[] = "***";

/// Returns, for each field of `schema` (columns of result `result`, by name: exact first,
/// then case-insensitive), whether the catalog's semantics of that column at `version` (0:
/// the current version) say it holds personal data. Columns the catalog does not know are not
/// masked. Masking hides values only: filters and orderings on a masked column still reveal
/// something about them, so callers should refuse those without the `pii` scope.
std::vector<bool> PiiColumns(catalog::CatalogDb& catalog, const std::string& result,
                             const core::Schema& schema, int64_t version = 0);

/// Returns `batch` with the values of every column i where `masked[i]` replaced: VARCHAR values
/// by kPiiMask, values of other types by NULL (no fixed number, date or boolean reads as
/// "hidden", and a made-up one would read as data). NULLs stay NULL, so a masked column still
/// shows which rows have no value. The other columns and the selection are shared with
/// `batch`, not copied. REQUIRES: masked.size() == batch.num_columns().
core::Batch MaskColumns(const core::Batch& batch, const std::vector<bool>& masked);

}  // namespace sluice::serve
