#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Adds `sluice run NOTEBOOK` (run a notebook's cell DAG incrementally) and `sluice runs`
/// (the runs recorded in the catalog).
void AddRunCommand(CLI::App& app);

}  // namespace sluice::cli
