#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Adds `sluice describe PATH`: a file's columns with their inferred types, its row count and
/// its first rows.
void AddDescribeCommand(CLI::App& app);

}  // namespace sluice::cli
