#include "store/workspace.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/test_folder.h"

namespace sluice::store {
namespace {

namespace fs = std::filesystem;

TEST(WorkspaceTest, InitMakesTheStateFolderAndACommentedConfig) {
  TestFolder folder;
  std::string root = folder.path() + "/project";
  EXPECT_TRUE(InitWorkspace(root));
  EXPECT_TRUE(fs::exists(root + "/.sluice/catalog.db"));
  EXPECT_TRUE(fs::is_directory(root + "/.sluice/data"));
  std::ifstream config(root + "/sluice.yaml");
  std::string first_line;
  std::getline(config, first_line);
  EXPECT_EQ(first_line.substr(0, 1), "#");
  EXPECT_FALSE(InitWorkspace(root));
}

TEST(WorkspaceTest, FindsTheNearestWorkspaceUpward) {
  TestFolder folder;
  fs::create_directories(folder.path() + "/a/b/c");
  EXPECT_FALSE(FindWorkspace(folder.path() + "/a/b/c").has_value() &&
               FindWorkspace(folder.path() + "/a/b/c")->starts_with(folder.path()));
  folder.Write("a/sluice.yaml", "# settings\n");
  EXPECT_EQ(FindWorkspace(folder.path() + "/a/b/c"), folder.path() + "/a");
  fs::create_directories(folder.path() + "/a/b/.sluice");
  EXPECT_EQ(FindWorkspace(folder.path() + "/a/b/c"), folder.path() + "/a/b");
  EXPECT_EQ(FindWorkspace(folder.path() + "/a/b"), folder.path() + "/a/b");
}

}  // namespace
}  // namespace sluice::store
