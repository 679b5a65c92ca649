#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/batch_reader.h"

namespace sluice::catalog {

/// Is one dataset a scan found.
struct DiscoveredDataset {
  std::string name;      // the file's (or folder's, or table's) stem made a valid SQL identifier
  std::string format;    // "csv", "json", "parquet", "sqlite", "postgres"
  std::string location;  // what io opens: an absolute file, folder (parts, hive partitions) or
                         // glob path, an SQLite file, or a postgresql:// URL as given
  std::string table;     // SQLite / PostgreSQL table ("schema.table"); empty for files
  std::vector<std::string> files;  // the files it is made of, sorted (empty for PostgreSQL)
  int64_t size_bytes = 0;          // PostgreSQL: pg_total_relation_size
  int64_t modified_micros = 0;     // newest modification time of its files; 0 when unknown
  std::string owner;               // the newest file's owner (user name); PostgreSQL: the table's
  std::string fingerprint;         // opaque; changes when a file's size or mtime (nanoseconds)
                                   // changes; PostgreSQL: row counters and relation files
};

/// Is what one discovery found: datasets sorted by location and table, with unique names, and
/// the files passed over as (path, reason), sorted by path.
struct DiscoveryResult {
  std::vector<DiscoveredDataset> datasets;
  std::vector<std::pair<std::string, std::string>> skipped;
};

/// Finds the datasets of `inputs`: files; folders, walked recursively (hidden entries passed
/// over); globs (`*`, `?`, `[`, `**`); SQLite files (a dataset per table, named
/// `<stem>_<table>` unless there is one table); `postgresql://` URLs (a dataset per table of
/// every schema but pg_catalog and information_schema, named `<schema>_<table>` outside
/// `public`). The format comes from magic bytes and extension together: a file whose
/// extension lies is found by its content; binaries and text that is neither JSON nor CSV are
/// skipped. A folder whose data files (at any depth) all have one format, an extension io
/// reads and the same schema is one dataset named after it, as is a folder of hive partitions;
/// otherwise its files are datasets of their own. Names are unique within the result (a second
/// `airports` becomes `airports_2`, in location order).
/// Throws UserError naming an input that does not exist or a glob that matches nothing, and
/// IoError when a PostgreSQL server cannot be reached; a file that cannot be read is skipped.
DiscoveryResult Discover(const std::vector<std::string>& inputs);

/// Returns the XXH3 hash of the bytes of `dataset`'s files (an SQLite file with its -wal), as
/// 16 hex digits; empty for PostgreSQL. Reads every byte. With `files` empty, the files are
/// those `location` names. Throws IoError naming a file that cannot be read.
std::string ContentHash(const DiscoveredDataset& dataset);

/// Opens a reader of every column and row of `dataset`: files with the reader of its format
/// (also when the extension says otherwise), several files as one table with hive partition
/// columns; SQLite and PostgreSQL tables with unsupported types read as text (SQLite values that
/// do not fit their column as NULL). Only format, location and table are needed. Throws like io.
std::unique_ptr<io::BatchReader> OpenDataset(const DiscoveredDataset& dataset);

/// Returns `stem` as an unquoted SQL identifier: ASCII letters lower-cased, digits and `_`
/// kept, each run of other characters one `_` (none at the ends), `_` before a leading digit
/// or after a reserved word; "dataset" when nothing is left. "flights-20k" → "flights_20k",
/// "2019 data" → "_2019_data".
std::string MakeIdentifier(std::string_view stem);

}  // namespace sluice::catalog
