#include "cli/init_command.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "store/workspace.h"

namespace sluice::cli {

void AddInitCommand(CLI::App& app) {
  auto folder = std::make_shared<std::string>(".");
  CLI::App* command = app.add_subcommand(
      "init",
      "Make a folder a workspace: .sluice/ (catalog and stored results) and a commented "
      "sluice.yaml. `sluice sql` run inside it then stores every CREATE TABLE as a versioned "
      "result");
  command->add_option("dir", *folder, "The folder (made when missing)")->capture_default_str();
  command->callback([folder] {
    bool created = store::InitWorkspace(*folder);
    std::string path = std::filesystem::absolute(*folder).lexically_normal().string();
    std::cout << (created ? "Initialized workspace in " : "Workspace already initialized in ")
              << path << '\n';
  });
}

}  // namespace sluice::cli
