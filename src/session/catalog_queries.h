#pragma once

#include <string>
#include <string_view>

#include "session/database.h"

namespace sluice::session {

/// Returns, for the key-like columns of dataset `name` (or only `name.column`), the columns of
/// other datasets whose distinct values contain or overlap them, estimated from MinHash
/// signatures: column, other_dataset, other_column, containment (share of this column's
/// values found in the other), reverse_containment, other_semantic; best first, only pairs
/// whose containment in either direction reaches `min_containment`. Throws UserError naming
/// the dataset or column when there is none.
QueryResult RelatedColumns(Database& database, std::string_view name, double min_containment = 0.5);

/// Returns the catalog's full-text search hits for `text`: dataset, kind, snippet, rank.
QueryResult SearchCatalog(Database& database, std::string_view text, size_t limit = 20);

}  // namespace sluice::session
