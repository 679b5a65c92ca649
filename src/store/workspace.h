#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::store {

/// Returns the nearest folder from `start` upward that holds `sluice.yaml` or `.sluice/`, or
/// nothing when no folder up to the root does.
std::optional<std::string> FindWorkspace(const std::string& start);

/// Makes `folder` (created when missing) a workspace: `.sluice/` with an empty catalog and a
/// commented `sluice.yaml` unless one exists. Returns true when it was not one before.
/// Throws IoError when the folder or files cannot be created.
bool InitWorkspace(const std::string& folder);

/// Returns where the catalog of the workspace in folder `workspace` is: the top-level
/// `catalog:` value of its sluice.yaml when there is one (a postgresql:// URL as it is, a
/// SQLite file's path relative to the workspace made absolute), else
/// `<workspace>/.sluice/catalog.db`. Throws IoError when sluice.yaml exists but cannot be read,
/// DataError naming it when its `catalog:` value is malformed.
std::string CatalogLocation(const std::string& workspace);

/// Returns the value of top-level key `key` in the YAML text `yaml`, or nothing when the key is
/// absent or its value empty. Only what sluice.yaml needs of YAML: a line `key: value` that
/// starts in column 0, the value plain (a ` #` starts a comment) or in single or double quotes
/// (then `#` is kept, and `''` or `\"` stand for a quote). Nested keys, lists and multi-line
/// values are not read. Throws DataError when the value opens a quote it does not close.
std::optional<std::string> TopLevelYamlValue(std::string_view yaml, std::string_view key);

}  // namespace sluice::store
