#include "cli/workspace_options.h"

#include <filesystem>

#include "base/error.h"
#include "store/workspace.h"

namespace sluice::cli {

void AddWorkspaceOptions(CLI::App& command, WorkspaceOptions& options) {
  auto* workspace = command.add_option(
      "--workspace", options.workspace,
      "Workspace folder: results of CREATE TABLE are stored there as versioned Parquet (default: "
      "the nearest folder upward with .sluice/ or sluice.yaml; none: in memory)");
  command.add_flag("--memory", options.memory, "Keep every table in memory; store nothing")
      ->excludes(workspace);
}

std::unique_ptr<session::Database> OpenDatabase(const WorkspaceOptions& options) {
  if (options.memory) return std::make_unique<session::Database>();
  if (!options.workspace.empty()) return session::Database::Open(options.workspace);
  auto found = store::FindWorkspace(std::filesystem::current_path().string());
  if (!found) return std::make_unique<session::Database>();
  return session::Database::Open(*found);
}

std::string RequireWorkspace(const std::string& given, const std::string& start) {
  namespace fs = std::filesystem;
  if (!given.empty()) {
    fs::path folder = fs::absolute(given).lexically_normal();
    if (!fs::exists(folder / "sluice.yaml") && !fs::is_directory(folder / ".sluice")) {
      Throw<UserError>("{} is not a workspace (no sluice.yaml or .sluice/): run `sluice init {}`",
                       given, given);
    }
    return folder.string();
  }
  for (const std::string& from : {start, fs::current_path().string()}) {
    if (from.empty()) continue;
    if (auto found = store::FindWorkspace(from)) return *found;
  }
  Throw<UserError>(
      "no workspace in this folder or above: run `sluice init`, or pass --workspace DIR");
}

}  // namespace sluice::cli
