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

/// Reads the values of a section of the sluice.yaml at `path`; every error is a UserError
/// naming path:line. The base of the sections' readers.
class YamlValues {
 public:
  explicit YamlValues(const std::string& path) : path_(path) {}

  /// Throws UserError "path:line: message" for `node`.
  [[noreturn]] void Fail(const YAML::Node& node, std::string_view message) const;
  /// Returns the text of scalar `node`; fails naming `what` for a list or a mapping.
  std::string Text(const YAML::Node& node, std::string_view what) const;
  /// Returns the whole number `node` holds; fails naming `key` for anything else or below `min`.
  int Integer(const YAML::Node& node, std::string_view key, int min) const;

 private:
  const std::string& path_;
};

}  // namespace sluice
