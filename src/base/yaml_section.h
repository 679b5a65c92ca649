#pragma once

// The sections of a workspace's sluice.yaml, read with yaml-cpp (library `sluice_yaml`).

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace sluice {

/// Returns top-level section `key` of the YAML text `yaml_text` read from `path`, or a null
/// node when the text is empty or the section absent or empty. Throws UserError naming
/// path:line:column for text that is not YAML, and `path` when the top level is not a mapping.
YAML::Node YamlSection(std::string_view yaml_text, const std::string& path, const char* key);

/// Returns section `key` of the sluice.yaml of folder `workspace` (a null node when there is no
/// such file), and sets `path` to that file's path. Throws as YamlSection, IoError when the
/// file cannot be read.
YAML::Node WorkspaceYamlSection(const std::string& workspace, const char* key, std::string& path);

}  // namespace sluice
