#include "store/workspace.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "store/result_store.h"

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

namespace sluice::store {
namespace {

TEST(WorkspaceTest, ReadsTopLevelKeysOfYaml) {
  std::string yaml =
      "# catalog: commented.db\n"
      "serve:\n"
      "  catalog: nested.db\n"
      "catalogs: other.db\n"
      "catalog: postgresql://ana:se#cret@db:5432/meta   # shared\r\n"
      "catalog: second.db\n";
  EXPECT_EQ(TopLevelYamlValue(yaml, "catalog"), "postgresql://ana:se#cret@db:5432/meta");
  EXPECT_EQ(TopLevelYamlValue(yaml, "catalogs"), "other.db");
  EXPECT_EQ(TopLevelYamlValue("catalog: 'it''s #1.db' # note", "catalog"), "it's #1.db");
  EXPECT_EQ(TopLevelYamlValue(R"(catalog: "a \"b\".db")", "catalog"), "a \"b\".db");
  EXPECT_FALSE(TopLevelYamlValue("catalog:\n", "catalog"));
  EXPECT_FALSE(TopLevelYamlValue("catalog: # none yet", "catalog"));
  EXPECT_FALSE(TopLevelYamlValue("serve:\n  listen: x\n", "catalog"));
  EXPECT_THROW(TopLevelYamlValue("catalog: 'open", "catalog"), DataError);
}

TEST(WorkspaceTest, FindsTheCatalogInSluiceYaml) {
  TestFolder folder;
  EXPECT_EQ(CatalogLocation(folder.path()), folder.path() + "/.sluice/catalog.db");
  folder.Write("sluice.yaml", "# catalog: x.db\n");
  EXPECT_EQ(CatalogLocation(folder.path()), folder.path() + "/.sluice/catalog.db");
  folder.Write("sluice.yaml", "catalog: meta/../shared.db\n");
  EXPECT_EQ(CatalogLocation(folder.path()), folder.path() + "/shared.db");
  folder.Write("sluice.yaml", "catalog: /var/sluice/catalog.db\n");
  EXPECT_EQ(CatalogLocation(folder.path()), "/var/sluice/catalog.db");
  folder.Write("sluice.yaml", "catalog: postgres://h/db\n");
  EXPECT_EQ(CatalogLocation(folder.path()), "postgres://h/db");
  folder.Write("sluice.yaml", "catalog: \"unclosed\n");
  EXPECT_THROW(CatalogLocation(folder.path()), DataError);
}

TEST(WorkspaceTest, OpensTheCatalogThatSluiceYamlNames) {
  TestFolder folder;
  folder.Write("sluice.yaml", "catalog: elsewhere.db\n");
  auto store = ResultStore::Open(folder.path());
  EXPECT_EQ(store->catalog().display_name(), folder.path() + "/elsewhere.db");
  EXPECT_TRUE(fs::exists(folder.path() + "/elsewhere.db"));
  EXPECT_FALSE(fs::exists(folder.path() + "/.sluice/catalog.db"));
}

}  // namespace
}  // namespace sluice::store
