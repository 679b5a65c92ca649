#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Adds `sluice up`: runs the notebooks that the `schedules:` section of the workspace's
/// sluice.yaml schedules, in the foreground, until SIGINT or SIGTERM.
void AddUpCommand(CLI::App& app);

}  // namespace sluice::cli
