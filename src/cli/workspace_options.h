#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "session/database.h"

namespace sluice::cli {

/// Says which database a subcommand works on.
struct WorkspaceOptions {
  std::string workspace;  // --workspace DIR; empty: the nearest workspace upward
  bool memory = false;    // --memory: nothing is stored
};

/// Adds --workspace and --memory to `command`.
void AddWorkspaceOptions(CLI::App& command, WorkspaceOptions& options);

/// Opens the database `options` name: --memory in memory, --workspace DIR that folder (made a
/// workspace when it is not one), else the nearest folder from the current one upward holding
/// `.sluice/` or `sluice.yaml`, else an in-memory database. Throws IoError.
std::unique_ptr<session::Database> OpenDatabase(const WorkspaceOptions& options);

/// Returns the workspace folder a command works on: `given` (which must hold `.sluice/` or
/// `sluice.yaml`), else the nearest workspace from `start` upward (the current folder when
/// empty), else from the current folder. Throws UserError saying to run `sluice init`.
std::string RequireWorkspace(const std::string& given, const std::string& start = {});

}  // namespace sluice::cli
