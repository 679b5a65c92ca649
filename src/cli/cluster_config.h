#pragma once

// The `cluster:` section of a workspace's sluice.yaml: where `sluice up` runs the notebooks it
// schedules.
//
//   cluster:
//     backend: slurm          # local (default): in the `sluice up` process
//     nodes: 2                # with slurm: required; sbatch --nodes
//     ntasks_per_node: 4      # optional; ranks per node (sbatch --ntasks-per-node)
//     time: "30"              # optional; Slurm time limit (sbatch --time)
//     partition: debug        # optional (sbatch --partition)

#include <optional>
#include <string>
#include <string_view>

namespace sluice::cli {

/// Says where `sluice up` runs a scheduled notebook.
enum class ClusterBackend {
  kLocal,  // in the `sluice up` process
  kSlurm,  // as a Slurm batch job, the script `sluice submit` writes
};

/// Returns the backend's name as sluice.yaml writes it ("local", "slurm").
const char* ClusterBackendName(ClusterBackend backend);

/// Is the `cluster:` section of sluice.yaml. The job's resources are set with kSlurm only.
struct ClusterConfig {
  ClusterBackend backend = ClusterBackend::kLocal;
  int nodes = 1;
  std::optional<int> tasks_per_node;
  std::optional<std::string> time;  // as IsSlurmTimeLimit accepts
  std::optional<std::string> partition;
};

/// Returns the `cluster:` section of sluice.yaml text `yaml_text` (the local backend when it
/// has none); other top-level keys are ignored. Throws UserError naming `path` and the line for
/// YAML that does not parse, an unknown key, an unknown backend, a resource (nodes,
/// ntasks_per_node, time, partition) without `backend: slurm`, `backend: slurm` without nodes,
/// fewer than one node or task, a time limit Slurm does not read, and an empty partition.
ClusterConfig ParseClusterConfig(std::string_view yaml_text, const std::string& path);

/// Returns the `cluster:` section of the sluice.yaml of the workspace in folder `workspace` (the
/// local backend when there is no such file). Throws IoError when it cannot be read, UserError as
/// ParseClusterConfig does.
ClusterConfig ReadClusterConfig(const std::string& workspace);

}  // namespace sluice::cli
