#pragma once

#include <string>
#include <string_view>

namespace sluice {

/// Returns the bytes of the file at `path`. Throws IoError "cannot read <what> '<path>': <reason>"
/// when it cannot be opened or read (`what`, such as "notebook", may be empty).
std::string ReadTextFile(const std::string& path, std::string_view what = {});

}  // namespace sluice
