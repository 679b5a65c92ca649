#include "session/source_registry.h"

#include <filesystem>

#include <algorithm>
#include <cctype>

#include "base/error.h"
#include "base/log.h"
#include "io/table_writer.h"
#include "planner/external_tables.h"
#include "sql/parser.h"
#include "sql/to_sql.h"

namespace sluice::session {
namespace {

using Options = std::vector<std::pair<std::string, std::string>>;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Returns the options as lower-case names and text values (a string, a number, a word).
Options OptionsOf(const std::vector<sql::OptionItem>& items, std::string_view statement) {
  Options options;
  for (const sql::OptionItem& item : items) {
    const sql::Expr* value = item.value.get();
    std::string text;
    if (value != nullptr && value->kind == sql::ExprKind::kLiteral &&
        value->As<sql::LiteralExpr>().literal_kind != sql::LiteralKind::kNull) {
      text = value->As<sql::LiteralExpr>().text;
    } else if (value != nullptr && value->kind == sql::ExprKind::kColumnRef) {
      text = value->As<sql::ColumnRefExpr>().column();
    } else {
      Throw<UserError>("{} option {} takes a string such as '…'", statement, item.name);
    }
    options.emplace_back(Lower(item.name), std::move(text));
  }
  return options;
}

std::string OptionOf(const Options& options, std::string_view name) {
  for (const auto& [key, value] : options) {
    if (key == name) return value;
  }
  return {};
}

std::string JoinColumns(const std::vector<std::string>& columns) {
  std::string text;
  for (const std::string& column : columns) text += (text.empty() ? "" : ", ") + column;
  return text;
}

}  // namespace

void SourceRegistry::Put(SourceRecord record, std::shared_ptr<const planner::TableEntry> table) {
  std::lock_guard lock(mutex_);
  std::string name = record.name;
  slots_[name] = Slot{std::move(record), std::move(table)};
}

void SourceRegistry::Restore(const std::vector<catalog::SourceDefinition>& recorded) {
  for (const catalog::SourceDefinition& definition : recorded) {
    try {
      sql::StatementPtr statement = sql::ParseStatement(definition.sql);
      if (statement->kind == sql::StatementKind::kCreateSource) {
        Put(SourceRecordOf(statement->As<sql::CreateSourceStatement>()));
      } else if (statement->kind == sql::StatementKind::kCreateSink) {
        Put(SinkRecordOf(statement->As<sql::CreateSinkStatement>()));
      }
    } catch (const Error& error) {
      spdlog::warn("skipping recorded {} \"{}\" ({}): {}", definition.kind, definition.name,
                   error.what(), definition.sql);
    }
  }
}

bool SourceRegistry::Drop(const std::string& name) {
  std::lock_guard lock(mutex_);
  return slots_.erase(name) > 0;
}

std::optional<SourceRecord> SourceRegistry::Find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = slots_.find(name);
  if (found == slots_.end()) return std::nullopt;
  return found->second.record;
}

namespace {

// Returns `location` with a relative file path (also after `sqlite:`) made relative to `base`.
std::string Resolve(const std::string& location, const std::string& base) {
  if (base.empty() || location.find("://") != std::string::npos) return location;
  std::string prefix = location.rfind("sqlite:", 0) == 0 ? "sqlite:" : "";
  std::filesystem::path path = location.substr(prefix.size());
  if (path.empty() || path.is_absolute()) return location;
  return prefix + (std::filesystem::path(base) / path).string();
}

}  // namespace

std::shared_ptr<const planner::TableEntry> SourceRegistry::Table(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = slots_.find(name);
  if (found == slots_.end() || found->second.record.sink) return nullptr;
  Slot& slot = found->second;
  if (slot.table == nullptr) {
    slot.table = planner::OpenExternalTable(
        {Resolve(slot.record.location, base_folder_), slot.record.options});
  }
  return slot.table;
}

std::vector<SourceRecord> SourceRegistry::List(bool sinks) const {
  std::lock_guard lock(mutex_);
  std::vector<SourceRecord> list;
  for (const auto& [name, slot] : slots_) {
    if (slot.record.sink == sinks) list.push_back(slot.record);
  }
  return list;
}

SourceRecord SourceRecordOf(const sql::CreateSourceStatement& statement) {
  SourceRecord record;
  record.name = statement.name;
  record.location = statement.uri;
  record.options = OptionsOf(statement.options, "CREATE SOURCE");
  record.table = OptionOf(record.options, "table");
  record.sql = sql::ToSql(statement);
  return record;
}

SourceRecord SinkRecordOf(const sql::CreateSinkStatement& statement) {
  SourceRecord record;
  record.name = statement.name;
  record.sink = true;
  record.location = statement.uri;
  record.options = OptionsOf(statement.options, "CREATE SINK");
  io::TableWriteOptions options = SinkOptionsOf(record);
  record.table = options.table;
  record.from =
      statement.query ? "(" + sql::ToSql(*statement.query) + ")" : sql::ToSql(statement.table);
  record.mode = io::WriteModeName(options.mode);
  record.key = JoinColumns(options.key);
  record.sql = sql::ToSql(statement);
  return record;
}

io::TableWriteOptions SinkOptionsOf(const SourceRecord& sink) {
  io::TableWriteOptions options;
  for (const auto& [name, value] : sink.options) {
    if (name == "table") {
      options.table = value;
    } else if (name == "mode") {
      auto mode = io::WriteModeOf(Lower(value));
      if (!mode) {
        Throw<UserError>("sink mode must be 'replace', 'append' or 'upsert', not '{}'", value);
      }
      options.mode = *mode;
    } else if (name == "key") {
      options.key.clear();
      for (size_t start = 0; start <= value.size();) {
        size_t comma = std::min(value.find(',', start), value.size());
        std::string column = value.substr(start, comma - start);
        column.erase(0, column.find_first_not_of(' '));
        column.erase(column.find_last_not_of(' ') + 1);
        if (!column.empty()) options.key.push_back(column);
        start = comma + 1;
      }
    } else {
      Throw<UserError>("CREATE SINK has no option \"{}\" (table, mode, key)", name);
    }
  }
  return options;
}

}  // namespace sluice::session
