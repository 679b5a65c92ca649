#pragma once

#include <mutex>

#include "catalog/catalog_db.h"

namespace sluice::catalog {

/// Holds the catalog's mutex and one transaction of its database, rolled back unless committed.
/// Private to the catalog's own files.
class CatalogDb::Transaction {
 public:
  Transaction(CatalogDb& catalog, bool write) : db_(*catalog.db_), lock_(catalog.mutex_) {
    db_.Begin(write);
  }
  ~Transaction() {
    if (!done_) db_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void Commit() {
    db_.Commit();
    done_ = true;
  }

 private:
  MetaDb& db_;
  std::lock_guard<std::recursive_mutex> lock_;
  bool done_ = false;
};

}  // namespace sluice::catalog
