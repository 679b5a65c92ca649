#include "base/yaml_section.h"

#include <filesystem>

#include "base/error.h"
#include "base/text_file.h"

namespace sluice {

YAML::Node YamlSection(std::string_view yaml_text, const std::string& path, const char* key) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& error) {
    Throw<UserError>("{}:{}:{}: {}", path, error.mark.line + 1, error.mark.column + 1, error.msg);
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) Throw<UserError>("{}: expected a mapping of settings (key: value)", path);
  // Looked up through a const node: yaml-cpp's non-const operator[] may add the key.
  const YAML::Node& settings = root;
  YAML::Node section = settings[key];
  if (!section || section.IsNull()) return {};
  return section;
}

YAML::Node WorkspaceYamlSection(const std::string& workspace, const char* key, std::string& path) {
  path = (std::filesystem::path(workspace) / "sluice.yaml").string();
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return {};
  return YamlSection(ReadTextFile(path), path, key);
}

}  // namespace sluice
