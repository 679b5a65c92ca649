#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::exec {

/// Parses `text` with a strftime-style `format` into microseconds since the epoch, UTC.
/// Understands %Y %m %d %e %H %I %M %S %f %j %y %p %b %B %h %a %A %z %Z %F %T %%; a space in
/// the format matches any run of white space. Returns nothing when the whole text does not fit
/// or names an impossible date or time; names are English, independent of the locale.
std::optional<int64_t> ParseWithFormat(std::string_view text, std::string_view format);

}  // namespace sluice::exec
