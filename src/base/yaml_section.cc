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

void YamlValues::Fail(const YAML::Node& node, std::string_view message) const {
  Throw<UserError>("{}:{}: {}", path_, node.Mark().line + 1, message);
}

std::string YamlValues::Text(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar()) Fail(node, fmt::format("expected {} as text", what));
  return node.Scalar();
}

int YamlValues::Integer(const YAML::Node& node, std::string_view key, int min) const {
  std::string text = node.IsScalar() ? node.Scalar() : std::string();
  int value = 0;
  try {
    value = node.as<int>();
  } catch (const YAML::Exception&) {
    Fail(node, fmt::format("'{}' must be a whole number, not '{}'", key, text));
  }
  if (value < min) Fail(node, fmt::format("'{}' must be at least {}, not {}", key, min, value));
  return value;
}

}  // namespace sluice
