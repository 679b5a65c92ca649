#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/batch_reader.h"
#include "io/scan_predicate.h"

namespace sluice::io {

/// Returns whether `path` names several files: a glob (`*`, `?`, `[`; `**` matches any depth)
/// or a folder.
bool IsFileSet(const std::string& path);

/// Returns the files `path` names, sorted: a glob's matches, or every file of a known format
/// under a folder (at any depth). Throws IoError when there is none.
std::vector<std::string> ListFiles(const std::string& path);

/// Opens one file (not a glob or folder) with a projection and predicates.
using SingleFileOpener = std::function<std::unique_ptr<BatchReader>(
    const std::string& path, const std::vector<std::string>& columns,
    const std::vector<ScanPredicate>& predicates)>;

/// Reads `paths` as one table, file after file; every file must have the same columns (else a
/// DataError names both files). Folders named `key=value` in the paths (hive partitioning) add
/// a column `key` after the files' columns, typed BIGINT when every value is an integer, DATE
/// when every value is a date, else VARCHAR (`__HIVE_DEFAULT_PARTITION__` is NULL). Predicates
/// on partition columns skip whole files; the others go to each file's reader.
std::unique_ptr<BatchReader> OpenFileSet(std::vector<std::string> paths,
                                         const std::vector<std::string>& columns,
                                         const std::vector<ScanPredicate>& predicates,
                                         const SingleFileOpener& open);

}  // namespace sluice::io
