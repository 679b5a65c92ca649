#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Adds `sluice models list|show NAME`: the models of a workspace (CREATE MODEL) with their
/// versions, metrics, hyperparameters, features and tuning trials.
void AddModelsCommand(CLI::App& app);

}  // namespace sluice::cli
