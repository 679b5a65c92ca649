#pragma once

#include <optional>
#include <string>

namespace sluice::store {

/// Returns the nearest folder from `start` upward that holds `sluice.yaml` or `.sluice/`, or
/// nothing when no folder up to the root does.
std::optional<std::string> FindWorkspace(const std::string& start);

/// Makes `folder` (created when missing) a workspace: `.sluice/` with an empty catalog and a
/// commented `sluice.yaml` unless one exists. Returns true when it was not one before.
/// Throws IoError when the folder or files cannot be created.
bool InitWorkspace(const std::string& folder);

}  // namespace sluice::store
