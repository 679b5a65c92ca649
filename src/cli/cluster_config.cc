#include "cli/cluster_config.h"

#include <optional>

#include <yaml-cpp/yaml.h>

#include "base/error.h"
#include "base/yaml_section.h"
#include "cli/submit_command.h"

namespace sluice::cli {
namespace {

// Reads one YAML document's `cluster:` section, naming the file and line in every error.
class ClusterReader : public YamlValues {
 public:
  using YamlValues::YamlValues;

  ClusterConfig Read(const YAML::Node& cluster) const {
    if (!cluster.IsMap()) Fail(cluster, "'cluster' must be a mapping");
    ClusterConfig config;
    std::optional<YAML::Node> resource;  // the key of the first resource given
    bool has_nodes = false;
    for (const auto& item : cluster) {
      std::string key = Text(item.first, "a key");
      const YAML::Node& value = item.second;
      if (key == "backend") {
        config.backend = Backend(value);
        continue;
      }
      if (key == "nodes") {
        config.nodes = Integer(value, key, 1);
        has_nodes = true;
      } else if (key == "ntasks_per_node") {
        config.tasks_per_node = Integer(value, key, 1);
      } else if (key == "time") {
        config.time = Time(value);
      } else if (key == "partition") {
        config.partition = Partition(value);
      } else {
        Fail(item.first, fmt::format("unknown key '{}' in cluster (expected backend, nodes, "
                                     "ntasks_per_node, time or partition)",
                                     key));
      }
      if (!resource) resource = item.first;
    }
    if (config.backend == ClusterBackend::kLocal && resource) {
      // A resource without `backend: slurm` most likely means a forgotten backend line.
      Fail(*resource, fmt::format("'{}' needs 'backend: slurm' (the local backend runs "
                                  "notebooks in the `sluice up` process)",
                                  resource->Scalar()));
    }
    if (config.backend == ClusterBackend::kSlurm && !has_nodes) {
      Fail(cluster, "cluster backend slurm needs 'nodes: N', the nodes a job runs on");
    }
    return config;
  }

 private:
  ClusterBackend Backend(const YAML::Node& node) const {
    std::string text = Text(node, "'backend'");
    for (ClusterBackend backend : {ClusterBackend::kLocal, ClusterBackend::kSlurm}) {
      if (text == ClusterBackendName(backend)) return backend;
    }
    Fail(node, fmt::format("'backend' must be local or slurm, not '{}'", text));
  }

  std::string Time(const YAML::Node& node) const {
    std::string text = Text(node, "'time'");
    if (!IsSlurmTimeLimit(text)) {
      Fail(node, fmt::format("'time' is '{}', not a Slurm time limit: use minutes, "
                             "minutes:seconds, hours:minutes:seconds, days-hours, "
                             "days-hours:minutes or days-hours:minutes:seconds",
                             text));
    }
    return text;
  }

  std::string Partition(const YAML::Node& node) const {
    std::string text = Text(node, "'partition'");
    if (text.empty()) Fail(node, "'partition' is empty");
    if (text.find_first_of("\r\n") != std::string::npos) {
      Fail(node, "'partition' holds a line break, which a batch script cannot carry");
    }
    return text;
  }
};

}  // namespace

const char* ClusterBackendName(ClusterBackend backend) {
  switch (backend) {
    case ClusterBackend::kLocal:
      return "local";
    case ClusterBackend::kSlurm:
      return "slurm";
  }
  return "?";
}

ClusterConfig ParseClusterConfig(std::string_view yaml_text, const std::string& path) {
  YAML::Node section = YamlSection(yaml_text, path, "cluster");
  if (section.IsNull()) return {};
  return ClusterReader(path).Read(section);
}

ClusterConfig ReadClusterConfig(const std::string& workspace) {
  std::string path;
  YAML::Node section = WorkspaceYamlSection(workspace, "cluster", path);
  if (section.IsNull()) return {};
  return ClusterReader(path).Read(section);
}

}  // namespace sluice::cli
