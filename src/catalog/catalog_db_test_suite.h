#pragma once

// The CatalogDb tests every backend must pass. A test program instantiates them with its
// backend: catalog_db_test.cc with SQLite files, test/integration/postgres with databases of
// a throwaway PostgreSQL server.

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "catalog/catalog_db.h"
#include "catalog/meta_db.h"

namespace sluice::catalog {

/// Is an empty catalog location that one test owns: a SQLite file in a temporary folder or a
/// fresh PostgreSQL database; removed when destroyed.
class CatalogPlace {
 public:
  virtual ~CatalogPlace() = default;
  /// Returns what CatalogDb::Open takes: a path or a URL.
  virtual std::string location() const = 0;
};

/// Is one backend the suite runs on: its name (for test names) and how to make a place.
struct CatalogBackend {
  std::string name;
  std::function<std::unique_ptr<CatalogPlace>()> make_place;
};

/// Is the fixture of the suite: a fresh catalog per test.
class CatalogDbSuite : public ::testing::TestWithParam<CatalogBackend> {
 protected:
  void SetUp() override;
  /// Opens another CatalogDb on the same catalog (as another process would).
  std::unique_ptr<CatalogDb> OpenAgain() const;
  /// Opens the catalog's database without CatalogDb, to look at its tables.
  std::unique_ptr<MetaDb> OpenRaw() const;

  std::unique_ptr<CatalogPlace> place_;
  std::unique_ptr<CatalogDb> catalog_;
};

/// Returns the gtest name of a backend parameter.
inline std::string CatalogBackendName(const ::testing::TestParamInfo<CatalogBackend>& info) {
  return info.param.name;
}

}  // namespace sluice::catalog
