#pragma once

#include <string>
#include <string_view>

#include "catalog/column_profile.h"

namespace sluice::catalog {

/// Returns `profile` as one JSON object, every field included (the MinHash signature too).
/// Doubles print with the fewest digits that read back exactly; NaN and infinities print as
/// the strings "NaN", "Infinity", "-Infinity". Text that is not valid UTF-8 has its bad bytes
/// replaced by U+FFFD, since JSON cannot hold them; everything else reads back exactly.
std::string ProfileToJson(const ColumnProfile& profile);

/// Returns the profile `json` (as ProfileToJson writes it) describes; fields it lacks keep
/// their defaults. Throws DataError when `json` is not such an object.
ColumnProfile ProfileFromJson(std::string_view json);

}  // namespace sluice::catalog
