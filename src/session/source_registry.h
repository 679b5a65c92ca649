#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/version_info.h"
#include "io/table_writer.h"
#include "planner/catalog.h"
#include "sql/ast.h"

namespace sluice::session {

/// Is a source or a sink as Sluice remembers it: enough to list it, to open a source's table,
/// and the canonical CREATE statement that makes it again (kept in a workspace's catalog).
struct SourceRecord {
  std::string name;
  bool sink = false;
  std::string location;  // as written: may hold a password, print io::DisplayLocation(location)
  std::vector<std::pair<std::string, std::string>> options;  // lower-case names, text values
  std::string table;        // the database table; empty for a file source
  std::string from;         // sinks: the result's name or the query's SQL
  std::string mode;         // sinks: replace, append or upsert
  std::string key;          // sinks: the key columns, comma-separated
  std::string sql;          // CREATE [OR REPLACE] SOURCE|SINK …
  size_t rows_written = 0;  // sinks: rows the last export in this process wrote
};

/// Holds the sources and sinks of a database, one namespace for both, and each source's table
/// entry, opened at creation or, for a source restored from a workspace, at first use.
/// Thread-safe.
class SourceRegistry {
 public:
  /// Stores `record`, replacing any source or sink of its name; `table` is the source's
  /// opened table, or null to open it at first use.
  void Put(SourceRecord record, std::shared_ptr<const planner::TableEntry> table = nullptr);
  /// Restores the sources and sinks a workspace recorded, from their CREATE statements; one
  /// that no longer parses is logged and skipped. Sources open at first use.
  void Restore(const std::vector<catalog::SourceDefinition>& recorded);
  /// Removes source or sink `name`; returns false when there was none.
  bool Drop(const std::string& name);
  /// Returns source or sink `name`, or nothing.
  std::optional<SourceRecord> Find(const std::string& name) const;
  /// Returns the table of source `name`, opening it when not open yet; nullptr when there is
  /// no such source. Throws what opening throws (an unreachable server, a dropped table).
  std::shared_ptr<const planner::TableEntry> Table(const std::string& name) const;
  /// Returns the sinks (`sinks`) or the sources, by name.
  std::vector<SourceRecord> List(bool sinks) const;
  /// Sets the folder that relative file locations of sources opened at first use are relative
  /// to: a workspace's folder, as paths in its notebooks are.
  void set_base_folder(std::string folder) { base_folder_ = std::move(folder); }

 private:
  struct Slot {
    SourceRecord record;
    std::shared_ptr<const planner::TableEntry> table;
  };

  mutable std::mutex mutex_;
  mutable std::map<std::string, Slot> slots_;  // tables open lazily, even through const
  std::string base_folder_;
};

/// Returns the record a CREATE SOURCE statement makes (options as lower-case text).
SourceRecord SourceRecordOf(const sql::CreateSourceStatement& statement);

/// Returns the record a CREATE SINK statement makes; throws UserError for a bad option.
SourceRecord SinkRecordOf(const sql::CreateSinkStatement& statement);

/// Returns how sink `sink` writes (its table, mode and key columns); throws UserError naming a
/// bad option.
io::TableWriteOptions SinkOptionsOf(const SourceRecord& sink);

}  // namespace sluice::session
