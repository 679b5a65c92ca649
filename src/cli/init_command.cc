#include "cli/init_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "base/error.h"
#include "base/text_file.h"
#include "store/workspace.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kExampleNotebook[] = R"(-- %% [markdown]
-- # A first notebook
--
-- A notebook is a `.sql` file: cells start with `-- %%`, `name=` names one, markdown cells
-- are `-- ` lines. `sluice run notebooks/example.sql` runs its cells in dependency order
-- and stores every `CREATE TABLE ... AS` as a new version of a result; a second run skips
-- the cells whose text and inputs did not change. Files are tables too:
-- `CREATE SOURCE trips FROM 'data/trips.csv'` (paths are relative to the workspace).

-- %% name=cities
CREATE TABLE cities AS
SELECT *
FROM (VALUES ('Lisbon', 'PT', 545000), ('Porto', 'PT', 232000),
             ('Madrid', 'ES', 3223000), ('Seville', 'ES', 681000)) AS t(city, country, population);

-- %% name=by_country
CREATE TABLE by_country AS
SELECT country, count(*) AS cities, sum(population) AS population
FROM cities
GROUP BY country;

-- %% name=largest
SELECT city, population FROM cities ORDER BY population DESC LIMIT 3;
)";

// Follows the settings store::InitWorkspace writes into a new sluice.yaml: `cluster:` is read
// by `sluice up` alone.
constexpr char kClusterExample[] = R"yaml(#
# Where `sluice up` runs scheduled notebooks: in its own process (backend: local), or as Slurm
# batch jobs like `sluice submit` (needs sbatch and scontrol; the workspace and the sluice binary
# on a file system the nodes share).
# cluster:
#   backend: slurm
#   nodes: 2
#   ntasks_per_node: 4             # optional: ranks per node
#   time: "30"                     # optional: Slurm time limit
#   partition: debug               # optional
)yaml";

// Writes `text` to `path` unless a file is there; returns true when it wrote.
bool WriteNew(const fs::path& path, const std::string& text) {
  if (fs::exists(path)) return false;
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) Throw<IoError>("cannot write {}", path.string());
  return true;
}

// Appends `text` to the file at `path`, made when missing.
void AppendText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
  if (!out.flush()) Throw<IoError>("cannot write {}", path.string());
}

// Makes `.gitignore` ignore `.sluice/` (the catalog and the stored results).
void IgnoreState(const fs::path& folder) {
  fs::path path = folder / ".gitignore";
  std::string text = fs::exists(path) ? ReadTextFile(path) : std::string();
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line == ".sluice/" || line == ".sluice" || line == "/.sluice/") return;
  }
  AppendText(path, text.empty() || text.back() == '\n' ? ".sluice/\n" : "\n.sluice/\n");
}

}  // namespace

void AddInitCommand(CLI::App& app) {
  auto folder = std::make_shared<std::string>(".");
  CLI::App* command = app.add_subcommand(
      "init",
      "Make a folder a workspace: .sluice/ (catalog and stored results), a commented "
      "sluice.yaml, notebooks/ with an example notebook, and a .gitignore for .sluice/. "
      "Existing files are kept");
  command->add_option("dir", *folder, "The folder (made when missing)")->capture_default_str();
  command->callback([folder] {
    fs::path root = fs::absolute(*folder).lexically_normal();
    bool had_config = fs::exists(root / "sluice.yaml");
    bool created = store::InitWorkspace(*folder);
    if (!had_config) AppendText(root / "sluice.yaml", kClusterExample);
    fs::create_directories(root / "notebooks");
    bool example = WriteNew(root / "notebooks" / "example.sql", kExampleNotebook);
    IgnoreState(root);
    std::cout << (created ? "Initialized workspace in " : "Workspace already initialized in ")
              << root.string() << '\n';
    if (example) {
      std::cout << "Run the example notebook: cd " << root.string()
                << " && sluice run notebooks/example.sql\n";
    }
  });
}

}  // namespace sluice::cli
