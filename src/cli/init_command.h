#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Adds `sluice init [DIR]`: makes DIR (default: the current folder) a workspace.
void AddInitCommand(CLI::App& app);

}  // namespace sluice::cli
