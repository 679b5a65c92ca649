#include "cli/cluster_config.h"

#include <ostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"

namespace sluice::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseClusterConfig(yaml, "/ws/sluice.yaml");
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for: " << yaml;
  return "";
}

TEST(ClusterConfigTest, ParsesEveryKey) {
  ClusterConfig config = ParseClusterConfig(R"yaml(catalog: .sluice/catalog.db
schedules:
  notebooks:
    - {notebook: a.sql, cron: '@daily'}
cluster:
  backend: slurm
  nodes: 2
  ntasks_per_node: 4
  time: "1-12:00:00"
  partition: debug
)yaml",
                                            "sluice.yaml");
  EXPECT_EQ(config.backend, ClusterBackend::kSlurm);
  EXPECT_EQ(config.nodes, 2);
  EXPECT_EQ(config.tasks_per_node, 4);
  EXPECT_EQ(config.time, "1-12:00:00");
  EXPECT_EQ(config.partition, "debug");
}

TEST(ClusterConfigTest, OnlyNodesIsRequiredWithSlurm) {
  ClusterConfig config =
      ParseClusterConfig("cluster: {backend: slurm, nodes: 1, time: 30}\n", "sluice.yaml");
  EXPECT_EQ(config.backend, ClusterBackend::kSlurm);
  EXPECT_EQ(config.nodes, 1);
  EXPECT_EQ(config.tasks_per_node, std::nullopt);
  EXPECT_EQ(config.time, "30");  // an unquoted number is the text Slurm reads
  EXPECT_EQ(config.partition, std::nullopt);
}

TEST(ClusterConfigTest, TheLocalBackendIsTheDefault) {
  for (const char* yaml : {"", "# only a comment\n", "catalog: x.db\n", "cluster:\n",
                           "cluster: {backend: local}\n", "cluster:\n  backend: local\n"}) {
    ClusterConfig config = ParseClusterConfig(yaml, "sluice.yaml");
    EXPECT_EQ(config.backend, ClusterBackend::kLocal) << yaml;
    EXPECT_EQ(config.nodes, 1) << yaml;
  }
  EXPECT_STREQ(ClusterBackendName(ClusterBackend::kLocal), "local");
  EXPECT_STREQ(ClusterBackendName(ClusterBackend::kSlurm), "slurm");
}

struct BadConfig {
  const char* yaml;
  const char* message;  // after "/ws/sluice.yaml:"
};

void PrintTo(const BadConfig& bad, std::ostream* out) { *out << bad.yaml; }

class ClusterConfigErrorTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ClusterConfigErrorTest, NamesFileAndLine) {
  std::string error = ErrorOf(GetParam().yaml);
  EXPECT_THAT(error, StartsWith("/ws/sluice.yaml:"));
  EXPECT_THAT(error, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Config, ClusterConfigErrorTest,
    ::testing::Values(
        BadConfig{"catalog: x\ncluster:\n  backend: slurm\n  nodes: 1\n  tasks: 2\n",
                  "sluice.yaml:5: unknown key 'tasks' in cluster (expected backend, nodes, "
                  "ntasks_per_node, time or partition)"},
        BadConfig{"cluster:\n  backend: kubernetes\n",
                  "sluice.yaml:2: 'backend' must be local or slurm, not 'kubernetes'"},
        BadConfig{"cluster:\n  backend: [slurm]\n", "sluice.yaml:2: expected 'backend' as text"},
        BadConfig{"cluster:\n  backend: slurm\n  nodes: 0\n",
                  "sluice.yaml:3: 'nodes' must be at least 1, not 0"},
        BadConfig{"cluster:\n  backend: slurm\n  nodes: two\n",
                  "sluice.yaml:3: 'nodes' must be a whole number, not 'two'"},
        BadConfig{"cluster:\n  backend: slurm\n  nodes: 1.5\n",
                  "sluice.yaml:3: 'nodes' must be a whole number, not '1.5'"},
        BadConfig{"cluster:\n  backend: slurm\n  nodes: 2\n  ntasks_per_node: -1\n",
                  "sluice.yaml:4: 'ntasks_per_node' must be at least 1, not -1"},
        BadConfig{"cluster:\n  backend: slurm\n  nodes: 2\n  time: 1h\n",
                  "sluice.yaml:4: 'time' is '1h', not a Slurm time limit"},
        BadConfig{"cluster:\n  backend: slurm\n  nodes: 2\n  partition: ''\n",
                  "sluice.yaml:4: 'partition' is empty"},
        BadConfig{"cluster:\n  backend: slurm\n  nodes: 2\n  partition: \"a\\nb\"\n",
                  "sluice.yaml:4: 'partition' holds a line break"},
        BadConfig{"cluster:\n  backend: slurm\n  time: 30\n",
                  "sluice.yaml:2: cluster backend slurm needs 'nodes: N'"},
        BadConfig{"cluster:\n  nodes: 2\n  time: 30\n",
                  "sluice.yaml:2: 'nodes' needs 'backend: slurm'"},
        BadConfig{"cluster:\n  backend: local\n  partition: debug\n",
                  "sluice.yaml:3: 'partition' needs 'backend: slurm'"},
        BadConfig{"cluster: slurm\n", "sluice.yaml:1: 'cluster' must be a mapping"},
        BadConfig{"cluster: {backend: slurm\n", "sluice.yaml:2:"},
        BadConfig{"- a\n- b\n", "sluice.yaml: expected a mapping of settings"}));

TEST(ClusterConfigTest, ReadsTheWorkspaceFile) {
  TestFolder folder;
  EXPECT_EQ(ReadClusterConfig(folder.path()).backend, ClusterBackend::kLocal);
  folder.Write("sluice.yaml", "cluster:\n  backend: slurm\n  nodes: 3\n");
  ClusterConfig config = ReadClusterConfig(folder.path());
  EXPECT_EQ(config.backend, ClusterBackend::kSlurm);
  EXPECT_EQ(config.nodes, 3);
  folder.Write("sluice.yaml", "cluster:\n  backend: slurm\n  nodes: 1\n  gpus: 1\n");
  try {
    ReadClusterConfig(folder.path());
    ADD_FAILURE() << "no error";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), StartsWith(folder.Path("sluice.yaml") + ":4: unknown key 'gpus'"));
  }
}

}  // namespace
}  // namespace sluice::cli
