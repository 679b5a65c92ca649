#include "store/workspace.h"

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/strings.h"
#include "base/text_file.h"
#include "catalog/meta_db.h"
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
# The catalog: a SQLite file (relative to this folder), or a PostgreSQL database that several
# Sluice processes, on several machines, share (postgresql://user:password@host:5432/db).
# catalog: .sluice/catalog.db
# serve:
#   listen: 127.0.0.1:7070
#
# Schedules for `sluice up`: per notebook a cron expression (UTC) and/or the results and
# sources whose new versions trigger a run; failed runs are retried with a doubling backoff.
# schedules:
#   max_concurrent_runs: 1
#   missed_runs: run_once          # after downtime: skip | run_once | run_all
#   notebooks:
#     - notebook: notebooks/example.sql
#       cron: "0 6 * * *"
#       on_update: [cities]
#       retries: 2
#       retry_backoff: 30s
)yaml";

// Returns the quoted scalar at the start of `text` without its quotes, or nothing when it is
// not closed.
std::optional<std::string> Unquote(std::string_view text) {
  char quote = text[0];
  std::string value;
  for (size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'' && c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
      value += c;
      ++i;
    } else if (quote == '"' && c == '\\' && i + 1 < text.size()) {
      value += text[++i];
    } else if (c == quote) {
      return value;
    } else {
      value += c;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> TopLevelYamlValue(std::string_view yaml, std::string_view key) {
  size_t start = 0;
  while (start < yaml.size()) {
    size_t end = yaml.find('\n', start);
    if (end == std::string_view::npos) end = yaml.size();
    std::string_view line = yaml.substr(start, end - start);
    start = end + 1;
    if (!line.starts_with(key) || line.substr(key.size(), 1) != ":") continue;
    std::string_view value = TrimSpace(line.substr(key.size() + 1));
    if (value.empty()) return std::nullopt;
    if (value[0] == '"' || value[0] == '\'') {
      std::optional<std::string> unquoted = Unquote(value);
      if (!unquoted) Throw<DataError>("the value of '{}' has no closing quote", key);
      return unquoted;
    }
    for (size_t hash = value.find('#'); hash != std::string_view::npos;
         hash = value.find('#', hash + 1)) {
      if (hash == 0 || value[hash - 1] == ' ' || value[hash - 1] == '\t') {
        value = TrimSpace(value.substr(0, hash));
        break;
      }
    }
    if (value.empty()) return std::nullopt;
    return std::string(value);
  }
  return std::nullopt;
}

std::string CatalogLocation(const std::string& workspace) {
  std::string config_path = workspace + "/sluice.yaml";
  std::string default_location = workspace + "/.sluice/catalog.db";
  if (!fs::exists(config_path)) return default_location;
  std::string text = ReadTextFile(config_path);
  std::optional<std::string> location;
  try {
    location = TopLevelYamlValue(text, "catalog");
  } catch (const DataError& error) {
    Throw<DataError>("{}: {}", config_path, error.what());
  }
  if (!location) return default_location;
  if (catalog::IsPostgresUrl(*location) || fs::path(*location).is_absolute()) return *location;
  return (fs::path(workspace) / *location).lexically_normal().string();
}

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
