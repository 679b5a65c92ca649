#include "store/workspace.h"

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "store/result_store.h"

namespace sluice::store {

namespace fs = std::filesystem;

namespace {

constexpr char kDefaultConfig[] =
    R"yaml(# Sluice workspace settings. Every key is optional; the values shown are the defaults.
#
# Results (CREATE TABLE ... AS) are stored under .sluice/data/ as versioned Parquet files and
# recorded in the catalog .sluice/catalog.db. Old versions beyond the retention are deleted;
# change it with `SET retention_versions = N` in SQL (kept in the catalog).
#
# catalog: .sluice/catalog.db
# serve:
#   listen: 127.0.0.1:7070
)yaml";

}  // namespace

std::optional<std::string> FindWorkspace(const std::string& start) {
  std::error_code error;
  fs::path folder = fs::absolute(start, error).lexically_normal();
  while (true) {
    if (fs::exists(folder / "sluice.yaml", error) || fs::is_directory(folder / ".sluice", error)) {
      std::string text = folder.string();
      if (text.size() > 1 && text.back() == '/') text.pop_back();
      return text;
    }
    if (!folder.has_parent_path() || folder.parent_path() == folder) return std::nullopt;
    folder = folder.parent_path();
  }
}

bool InitWorkspace(const std::string& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) Throw<IoError>("cannot create the folder '{}': {}", folder, error.message());
  bool existed = fs::is_directory(fs::path(folder) / ".sluice");
  ResultStore::Open(folder);
  fs::path config = fs::path(folder) / "sluice.yaml";
  if (!fs::exists(config)) {
    std::ofstream out(config);
    out << kDefaultConfig;
    if (!out) Throw<IoError>("cannot write '{}'", config.string());
    existed = false;
  }
  return !existed;
}

}  // namespace sluice::store
