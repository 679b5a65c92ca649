#pragma once

// Internal to sluice_serve_query: the total order rows are paged by and the keyset cursor
// that remembers where a page ended. A cursor is base64url (no padding) of a JSON array with
// one [name, type, order, value] item per paging column, the value as text or null:
//   [["origin","VARCHAR","asc.nullslast","SFO"],["delay","BIGINT","desc.nullsfirst",null]]
// It is opaque to clients; a cursor for another order, or a schema whose columns changed
// name or type, is refused.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "core/value.h"
#include "serve/rows_query.h"

namespace sluice::serve {

/// Is one column of the total order rows are paged by.
struct PagingKey {
  size_t field = 0;  // index in the schema
  bool descending = false;
  bool nulls_first = false;     // resolved: as requested, else PostgreSQL's (first for DESC)
  bool explicit_nulls = false;  // the request said nullsfirst or nullslast
};

/// Returns the paging order of `rows`: the requested order (a repeated column counts once),
/// then every other column of `schema` ascending. Throws HttpError 400 naming "order" for an
/// unknown column.
std::vector<PagingKey> PagingOrder(const RowsQuery& rows, const core::Schema& schema);

/// Returns the cursor holding `values`, one per key (cast to the key column's type).
/// REQUIRES: values.size() == keys.size().
std::string EncodeCursor(const std::vector<PagingKey>& keys, const core::Schema& schema,
                         const std::vector<core::Value>& values);

/// Returns the values `cursor` holds, one per key, typed as the key columns. Throws HttpError
/// 400 naming "cursor" when it is malformed or was made for other keys or column types.
std::vector<core::Value> DecodeCursor(std::string_view cursor, const std::vector<PagingKey>& keys,
                                      const core::Schema& schema);

}  // namespace sluice::serve
