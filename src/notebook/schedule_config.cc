#include "notebook/schedule_config.h"

#include <cctype>
#include <filesystem>
#include <map>

#include <yaml-cpp/yaml.h>

#include "base/error.h"
#include "base/yaml_section.h"

namespace sluice::notebook {
namespace {

namespace fs = std::filesystem;

// Reads one YAML document's `schedules:` section, naming the file and line in every error.
class ScheduleReader : public YamlValues {
 public:
  using YamlValues::YamlValues;

  ScheduleConfig Read(const YAML::Node& schedules) {
    ScheduleConfig config;
    if (!schedules.IsMap()) Fail(schedules, "'schedules' must be a mapping");
    for (const auto& item : schedules) {
      std::string key = Text(item.first, "a key");
      const YAML::Node& value = item.second;
      if (key == "max_concurrent_runs") {
        config.max_concurrent_runs = Integer(value, key, 1);
      } else if (key == "missed_runs") {
        config.missed_runs = Policy(value);
      } else if (key == "notebooks") {
        ReadNotebooks(value, config.notebooks);
      } else {
        Fail(item.first, fmt::format("unknown key '{}' in schedules (expected "
                                     "max_concurrent_runs, missed_runs or notebooks)",
                                     key));
      }
    }
    return config;
  }

 private:
  MissedRunPolicy Policy(const YAML::Node& node) const {
    std::string text = Text(node, "'missed_runs'");
    for (MissedRunPolicy policy :
         {MissedRunPolicy::kSkip, MissedRunPolicy::kRunOnce, MissedRunPolicy::kRunAll}) {
      if (text == MissedRunPolicyName(policy)) return policy;
    }
    Fail(node, fmt::format("'missed_runs' must be skip, run_once or run_all, not '{}'", text));
  }

  void ReadNotebooks(const YAML::Node& node, std::vector<NotebookSchedule>& notebooks) {
    if (node.IsNull()) return;
    if (!node.IsSequence()) Fail(node, "'notebooks' must be a list of notebook entries");
    for (const auto& entry : node) {
      NotebookSchedule schedule = ReadNotebook(entry);
      auto [it, added] = lines_.emplace(schedule.notebook, schedule.line);
      if (!added) {
        Fail(entry, fmt::format("notebook '{}' is listed twice (first at line {})",
                                schedule.notebook, it->second));
      }
      notebooks.push_back(std::move(schedule));
    }
  }

  NotebookSchedule ReadNotebook(const YAML::Node& entry) const {
    if (!entry.IsMap()) Fail(entry, "a notebook entry must be a mapping with 'notebook:'");
    NotebookSchedule schedule;
    schedule.line = entry.Mark().line + 1;
    for (const auto& item : entry) {
      std::string key = Text(item.first, "a key");
      ReadNotebookKey(key, item.first, item.second, schedule);
    }
    if (schedule.notebook.empty()) Fail(entry, "a notebook entry needs 'notebook: PATH'");
    if (!schedule.cron && schedule.on_update.empty()) {
      Fail(entry,
           fmt::format("notebook '{}' has neither 'cron' nor 'on_update'", schedule.notebook));
    }
    return schedule;
  }

  void ReadNotebookKey(const std::string& key, const YAML::Node& key_node, const YAML::Node& value,
                       NotebookSchedule& schedule) const {
    if (key == "notebook") {
      schedule.notebook = fs::path(Text(value, "'notebook'")).lexically_normal().string();
    } else if (key == "cron") {
      schedule.cron = Cron(value);
    } else if (key == "on_update") {
      schedule.on_update = Names(value);
    } else if (key == "retries") {
      schedule.retries = Integer(value, key, 0);
    } else if (key == "retry_backoff") {
      schedule.retry_backoff = Duration(value, key);
    } else {
      Fail(key_node, fmt::format("unknown key '{}' in a notebook entry (expected notebook, "
                                 "cron, on_update, retries or retry_backoff)",
                                 key));
    }
  }

  CronExpression Cron(const YAML::Node& node) const {
    std::string text = Text(node, "'cron'");
    try {
      return CronExpression::Parse(text);
    } catch (const UserError& error) {
      Fail(node, error.what());
    }
  }

  std::chrono::milliseconds Duration(const YAML::Node& node, std::string_view key) const {
    std::string text = Text(node, fmt::format("'{}'", key));
    try {
      return ParseDuration(text);
    } catch (const UserError& error) {
      Fail(node, fmt::format("'{}': {}", key, error.what()));
    }
  }

  std::vector<std::string> Names(const YAML::Node& node) const {
    if (node.IsScalar()) return {node.Scalar()};
    if (!node.IsSequence()) Fail(node, "'on_update' must be a name or a list of names");
    std::vector<std::string> names;
    for (const auto& name : node) names.push_back(Text(name, "an 'on_update' name"));
    return names;
  }

  std::map<std::string, int> lines_;  // notebook -> line of its entry
};

}  // namespace

const char* MissedRunPolicyName(MissedRunPolicy policy) {
  switch (policy) {
    case MissedRunPolicy::kSkip:
      return "skip";
    case MissedRunPolicy::kRunOnce:
      return "run_once";
    case MissedRunPolicy::kRunAll:
      return "run_all";
  }
  return "?";
}

std::chrono::milliseconds ParseDuration(std::string_view text) {
  constexpr std::chrono::milliseconds kMax = std::chrono::hours(24 * 365);
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string_view unit = text.substr(digits);
  int64_t scale = unit == "ms"  ? 1
                  : unit == "s" ? 1000
                  : unit == "m" ? 60'000
                  : unit == "h" ? 3'600'000
                                : 0;
  // Twelve digits of hours still fit a 64-bit count of milliseconds.
  if (digits == 0 || digits > 12 || scale == 0) {
    Throw<UserError>(
        "bad duration '{}' (expected a whole number with ms, s, m or h: 500ms, 30s, "
        "5m, 1h)",
        text);
  }
  std::chrono::milliseconds duration(std::stoll(std::string(text.substr(0, digits))) * scale);
  if (duration > kMax) Throw<UserError>("bad duration '{}' (at most a year, 8760h)", text);
  return duration;
}

ScheduleConfig ParseScheduleConfig(std::string_view yaml_text, const std::string& path) {
  YAML::Node section = YamlSection(yaml_text, path, "schedules");
  if (section.IsNull()) return {};
  return ScheduleReader(path).Read(section);
}

ScheduleConfig ReadScheduleConfig(const std::string& workspace) {
  std::string path;
  YAML::Node section = WorkspaceYamlSection(workspace, "schedules", path);
  if (section.IsNull()) return {};
  return ScheduleReader(path).Read(section);
}

}  // namespace sluice::notebook
