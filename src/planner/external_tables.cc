#include "planner/external_tables.h"

#include <filesystem>
#include <mutex>
#include <set>

#include "base/error.h"
#include "exec/operator.h"
#include "io/postgres/pg_scan_reader.h"
#include "io/postgres/pg_types.h"
#include "io/sqlite/sqlite_scan_reader.h"
#include "io/sqlite/sqlite_types.h"
#include "io/table_writer.h"
#include "planner/expression_binder.h"
#include "planner/scope.h"
#include "planner/table_functions.h"

namespace sluice::planner {
namespace {

// Streams a database table through its reader; workers take turns pulling batches. EXPLAIN
// shows the query sent to the database.
class DatabaseScan final : public exec::SourceOperator {
 public:
  DatabaseScan(std::string name, std::unique_ptr<io::BatchReader> reader, std::string query)
      : SourceOperator(reader->schema()),
        name_(std::move(name)),
        reader_(std::move(reader)),
        query_(std::move(query)) {}
  std::string name() const override { return name_; }
  std::string details() const override { return query_; }
  std::optional<exec::Morsel> Next(exec::LocalState*) override {
    std::lock_guard lock(mutex_);
    auto batch = reader_->Next();
    if (!batch) return std::nullopt;
    return exec::Morsel{std::move(*batch), sequence_++};
  }

 private:
  std::string name_;
  std::unique_ptr<io::BatchReader> reader_;
  std::string query_;
  std::mutex mutex_;
  uint64_t sequence_ = 0;
};

// Returns option `name` of `spec`, or `fallback`.
std::string Option(const ExternalTableSpec& spec, std::string_view name, std::string fallback) {
  for (const auto& [key, value] : spec.options) {
    if (key == name) return value;
  }
  return fallback;
}

void CheckOptions(const ExternalTableSpec& spec, const std::set<std::string_view>& allowed,
                  std::string_view kind) {
  for (const auto& [key, value] : spec.options) {
    if (allowed.contains(key)) continue;
    std::string names;
    for (std::string_view name : allowed) names += (names.empty() ? "" : ", ") + std::string(name);
    Throw<UserError>("{} sources have no option \"{}\"{}", kind, key,
                     names.empty() ? "" : " (" + names + ")");
  }
}

// Returns the value of a two-valued option: false for `no`, true for `yes`.
bool Choice(const ExternalTableSpec& spec, std::string_view name, std::string_view no,
            std::string_view yes) {
  std::string value = Option(spec, name, std::string(no));
  if (value != no && value != yes) {
    Throw<UserError>("option {} must be '{}' or '{}', not '{}'", name, no, yes, value);
  }
  return value == yes;
}

std::string RequiredTable(const ExternalTableSpec& spec) {
  std::string table = Option(spec, "table", "");
  if (table.empty()) {
    Throw<UserError>("the source at {} needs the option table = 'name'",
                     io::DisplayLocation(spec.location));
  }
  return table;
}

std::shared_ptr<const TableEntry> OpenPostgresTable(const ExternalTableSpec& spec) {
  namespace pg = io::postgres;
  CheckOptions(spec, {"table", "unsupported"}, "PostgreSQL");
  std::string table = RequiredTable(spec);
  auto unsupported = Choice(spec, "unsupported", "error", "text") ? pg::UnsupportedTypes::kText
                                                                  : pg::UnsupportedTypes::kError;
  auto described = std::make_shared<const pg::PgTable>(
      pg::DescribePgTable(*pg::PgConnection::Connect(spec.location), table, unsupported));
  auto entry = std::make_shared<TableEntry>();
  entry->schema = pg::SchemaOf(described->columns);
  entry->estimated_rows = static_cast<size_t>(described->estimated_rows);
  entry->open_scan = [url = spec.location, described](
                         const std::vector<std::string>& columns,
                         const std::vector<io::ScanPredicate>& predicates) {
    auto reader = std::make_unique<pg::PgScanReader>(url, *described, columns, predicates);
    std::string command = reader->command();
    return std::make_unique<DatabaseScan>("POSTGRES_SCAN", std::move(reader), command);
  };
  return entry;
}

std::shared_ptr<const TableEntry> OpenSqliteTable(const ExternalTableSpec& spec,
                                                  const std::string& path) {
  namespace lite = io::sqlite;
  CheckOptions(spec, {"table", "type_mismatch", "unsupported"}, "SQLite");
  std::string table = RequiredTable(spec);
  auto unsupported = Choice(spec, "unsupported", "error", "text") ? lite::UnsupportedTypes::kText
                                                                  : lite::UnsupportedTypes::kError;
  auto mismatch = Choice(spec, "type_mismatch", "error", "null") ? lite::TypeMismatch::kNull
                                                                 : lite::TypeMismatch::kError;
  auto described = std::make_shared<const lite::SqliteTable>(
      lite::DescribeSqliteTable(*lite::SqliteDatabase::Open(path, false), table, unsupported));
  auto entry = std::make_shared<TableEntry>();
  entry->schema = lite::SchemaOf(described->columns);
  entry->estimated_rows = static_cast<size_t>(described->estimated_rows);
  entry->open_scan = [path, described, mismatch](const std::vector<std::string>& columns,
                                                 const std::vector<io::ScanPredicate>& predicates) {
    auto reader =
        std::make_unique<lite::SqliteScanReader>(path, *described, columns, predicates, mismatch);
    std::string query = reader->query();
    return std::make_unique<DatabaseScan>("SQLITE_SCAN", std::move(reader), query);
  };
  return entry;
}

std::shared_ptr<const TableEntry> OpenFileTable(const ExternalTableSpec& spec) {
  CheckOptions(spec, {}, "file");
  auto entry = std::make_shared<TableEntry>();
  entry->schema = OpenTableFile(spec.location, std::nullopt)->schema();
  std::error_code error;
  auto bytes = std::filesystem::file_size(spec.location, error);
  entry->estimated_rows = error ? 0 : bytes / 40;  // tens of bytes a row, as for files in FROM
  entry->open_scan = [path = spec.location](const std::vector<std::string>& columns,
                                            const std::vector<io::ScanPredicate>& predicates) {
    MentionedNames mentioned;
    if (!columns.empty()) mentioned.emplace(columns.begin(), columns.end());
    return OpenTableFile(path, mentioned, [predicates](const core::Schema&) { return predicates; });
  };
  return entry;
}

std::string StringArgument(const sql::FunctionExpr& call, size_t i) {
  Scope empty;
  auto bound = ExpressionBinder(empty).Bind(*call.args[i]);
  if (bound->kind != exec::ExpressionKind::kConstant || bound->constant.is_null()) {
    Throw<UserError>("{}", AtLocation("table function arguments must be constants", *call.args[i]));
  }
  return bound->constant.CastTo(core::TypeId::kVarchar).GetString();
}

}  // namespace

std::shared_ptr<const TableEntry> OpenExternalTable(const ExternalTableSpec& spec) {
  if (io::IsPostgresLocation(spec.location)) return OpenPostgresTable(spec);
  if (auto path = io::SqlitePathOf(spec.location)) return OpenSqliteTable(spec, *path);
  return OpenFileTable(spec);
}

bool IsDatabaseTableFunction(std::string_view name) {
  return name == "postgres_scan" || name == "sqlite_scan";
}

std::shared_ptr<const TableEntry> DatabaseTableFunction(const sql::FunctionExpr& call) {
  const std::string& name = call.name.back();
  bool postgres = name == "postgres_scan";
  if (call.args.size() < 2 || !call.arg_names[0].empty() || !call.arg_names[1].empty()) {
    Throw<UserError>(
        "{}",
        AtLocation(name + (postgres ? "('postgresql://…', 'table')" : "('file.db', 'table')") +
                       " takes a location and a table name",
                   call));
  }
  ExternalTableSpec spec;
  spec.location = StringArgument(call, 0);
  if (postgres && !io::IsPostgresLocation(spec.location)) {
    Throw<UserError>("{}", AtLocation("postgres_scan() needs a postgresql:// URL", *call.args[0]));
  }
  if (!postgres && !io::SqlitePathOf(spec.location)) spec.location = "sqlite:" + spec.location;
  spec.options.emplace_back("table", StringArgument(call, 1));
  for (size_t i = 2; i < call.args.size(); ++i) {
    if (call.arg_names[i].empty()) {
      Throw<UserError>("{}",
                       AtLocation("options must be named (unsupported => 'text')", *call.args[i]));
    }
    spec.options.emplace_back(call.arg_names[i], StringArgument(call, i));
  }
  return OpenExternalTable(spec);
}

}  // namespace sluice::planner
