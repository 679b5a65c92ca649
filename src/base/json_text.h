#pragma once

#include <string>
#include <string_view>

namespace sluice {

/// Appends `text` to `out` as a quoted JSON string, escaping quotes, backslashes and controls.
void AppendJsonString(std::string& out, std::string_view text);

/// Returns `text` as a quoted JSON string.
inline std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

}  // namespace sluice
