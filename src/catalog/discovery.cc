#include "catalog/discovery.h"

#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "base/error.h"
#include "base/hash.h"
#include "base/reserved_words.h"
#include "catalog/file_sniffer.h"
#include "core/schema.h"
#include "io/csv/csv_reader.h"
#include "io/file.h"
#include "io/file_set.h"
#include "io/json/json_reader.h"
#include "io/open_file.h"
#include "io/parquet/parquet_reader.h"
#include "io/postgres/pg_connection.h"
#include "io/postgres/pg_scan_reader.h"
#include "io/postgres/pg_types.h"
#include "io/scan_sql.h"
#include "io/sqlite/sqlite_database.h"
#include "io/sqlite/sqlite_scan_reader.h"
#include "io/sqlite/sqlite_types.h"

namespace sluice::catalog {
namespace {

namespace fs = std::filesystem;

// Each user table with what changes when its rows do, over its partitions when it has some:
// the statistics counters (flushed by backends within about a second of a commit), the
// relation files (TRUNCATE, VACUUM FULL and rewrites give new ones) and their sizes.
constexpr std::string_view kPgTablesSql = R"(
SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner),
       coalesce(sum(pg_total_relation_size(t.relid)), 0)::int8,
       coalesce(string_agg(concat_ws(':', pg_relation_filenode(t.relid),
                                     pg_relation_size(t.relid), s.n_tup_ins, s.n_tup_upd,
                                     s.n_tup_del), ',' ORDER BY t.relid), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (SELECT c.oid::regclass AS relid WHERE c.relkind = 'r'
                   UNION ALL
                   SELECT relid FROM pg_partition_tree(c.oid) WHERE isleaf) t ON true
LEFT JOIN pg_stat_user_tables s ON s.relid = t.relid
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
GROUP BY n.nspname, c.relname, c.relowner
ORDER BY n.nspname, c.relname)";

std::string Hex(uint64_t hash) { return fmt::format("{:016x}", hash); }

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Returns `path` absolute, normalized, without trailing slash.
std::string Normalize(const std::string& path) {
  std::string text = fs::absolute(path).lexically_normal().string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

std::string BaseName(const std::string& path) { return fs::path(path).filename().string(); }

/// Returns a file's name without its format and compression extensions.
std::string StemOf(const std::string& path) {
  return fs::path(std::string(io::StripCompressionExtension(path))).stem().string();
}

bool IsPartitionName(const std::string& name) {
  size_t equals = name.find('=');
  return equals != std::string::npos && equals > 0;
}

/// Returns the keys of the `key=value` folders of `path`, as io reads them.
std::vector<std::string> PartitionKeys(const std::string& path) {
  std::vector<std::string> keys;
  for (const fs::path& part : fs::path(path).parent_path()) {
    std::string segment = part.string();
    if (IsPartitionName(segment)) keys.push_back(segment.substr(0, segment.find('=')));
  }
  return keys;
}

/// Returns a table name as io's table arguments read it: parts joined by dots, a part quoted
/// when it holds a dot or a quote.
std::string TableName(const std::vector<std::string>& parts) {
  std::string name;
  for (const std::string& part : parts) {
    if (!name.empty()) name += '.';
    name += part.find_first_of(".\"") == std::string::npos ? part : io::QuoteSqlIdentifier(part);
  }
  return name;
}

std::string UserName(uid_t uid) {
  std::vector<char> buffer(16 << 10);
  passwd entry;
  passwd* found = nullptr;
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return std::to_string(uid);
}

/// Sets size, newest modification time, its file's owner and the fingerprint from `files`.
/// Throws IoError naming a file that cannot be read.
void FillFileFacts(DiscoveredDataset& dataset, const std::vector<std::string>& files) {
  std::string text;
  int64_t newest = -1;
  uid_t owner = 0;
  for (const std::string& file : files) {
    struct stat status;
    if (stat(file.c_str(), &status) != 0) {
      Throw<IoError>("cannot read '{}': {}", file, std::strerror(errno));
    }
    int64_t nanos = int64_t{status.st_mtim.tv_sec} * 1'000'000'000 + status.st_mtim.tv_nsec;
    dataset.size_bytes += status.st_size;
    fmt::format_to(std::back_inserter(text), "{}\n{}\n{}\n", file, status.st_size, nanos);
    if (nanos > newest) {
      newest = nanos;
      owner = status.st_uid;
    }
  }
  dataset.modified_micros = newest / 1000;
  dataset.owner = UserName(owner);
  dataset.fingerprint = Hex(HashString(text));
}

std::vector<std::string> SqliteTables(const std::string& path) {
  auto database = io::sqlite::SqliteDatabase::Open(path, false);
  const char* sql =
      "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
  io::sqlite::SqliteStatement statement = database->Prepare(sql, "listing tables");
  std::vector<std::string> tables;
  int status = SQLITE_ROW;
  while ((status = sqlite3_step(statement.get())) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), 0)));
  }
  if (status != SQLITE_DONE) database->Fail("listing tables");
  return tables;
}

/// Is a folder of the tree being discovered: its data files and its folders holding some.
struct Folder {
  std::string path;
  std::vector<std::string> files;
  std::vector<Folder> folders;
};

/// Adds `file` (a path under `root`) to the tree, making the folders between.
void Insert(Folder& root, const std::string& file) {
  Folder* folder = &root;
  for (const fs::path& part : fs::path(file).parent_path().lexically_relative(root.path)) {
    if (part == ".") continue;
    std::string path = (fs::path(folder->path) / part).string();
    auto child = std::find_if(folder->folders.begin(), folder->folders.end(),
                              [&](const Folder& candidate) { return candidate.path == path; });
    if (child == folder->folders.end()) {
      folder->folders.push_back({path, {}, {}});
      child = std::prev(folder->folders.end());
    }
    folder = &*child;
  }
  folder->files.push_back(file);
}

void CollectFiles(const Folder& folder, std::vector<std::string>& files) {
  files.insert(files.end(), folder.files.begin(), folder.files.end());
  for (const Folder& child : folder.folders) CollectFiles(child, files);
}

/// Returns the data files at any depth under `folder`, sorted.
std::vector<std::string> FilesUnder(const Folder& folder) {
  std::vector<std::string> files;
  CollectFiles(folder, files);
  std::sort(files.begin(), files.end());
  return files;
}

/// Returns the folder a glob's matches are under: up to the last slash before a wildcard.
std::string GlobBase(const std::string& pattern) {
  size_t slash = pattern.rfind('/', pattern.find_first_of("*?["));
  if (slash == std::string::npos) return Normalize(".");
  return slash == 0 ? "/" : pattern.substr(0, slash);
}

/// Returns the name of the dataset a glob's files make: the literal start of its file pattern
/// ("sales" for `data/sales_*.csv`), else its folder's name.
std::string GlobName(const std::string& pattern) {
  size_t wildcard = pattern.find_first_of("*?[");
  size_t slash = pattern.rfind('/', wildcard);
  size_t start = slash == std::string::npos ? 0 : slash + 1;
  std::string prefix = pattern.substr(start, wildcard - start);
  if (std::any_of(prefix.begin(), prefix.end(), IsAsciiAlnum)) return MakeIdentifier(prefix);
  return MakeIdentifier(BaseName(GlobBase(pattern)));
}

/// Gathers the datasets of a discovery's inputs, then names them.
class Discoverer {
 public:
  void Add(const std::string& input);
  DiscoveryResult Finish();

 private:
  void AddPostgres(const std::string& url);
  void AddGlob(const std::string& input);
  // Sniffs `files` (under `root`) and adds the datasets they make; `location` and `name` are
  // those of the dataset when all of them make one.
  void AddTree(const std::string& root, const std::vector<std::string>& files,
               const std::string& location, const std::string& name);
  // Appends the regular files under `folder` (hidden entries left out) to `files`.
  void Walk(const std::string& folder, std::vector<std::string>& files);
  // Returns whether `file` holds data, recording its format, or else why it is skipped.
  bool Sniff(const std::string& file);
  // Adds `folder` as one dataset when it is a group, else its files and folders one by one.
  void Visit(const Folder& folder, const std::string& location, const std::string& name,
             bool input);
  bool IsGroup(const Folder& folder, const std::vector<std::string>& files,
               const std::string& location, bool input);
  bool SameSchema(const std::vector<std::string>& files);
  void AddFile(const std::string& file);
  void AddSqlite(const std::string& file);
  // Adds `dataset` with the sizes, times and owner of `stat_files`, or skips it when one of
  // them cannot be read.
  void AddFileDataset(DiscoveredDataset dataset, const std::vector<std::string>& stat_files);

  std::map<std::string, std::string> formats_;                  // data file → format
  std::map<std::string, std::optional<core::Schema>> schemas_;  // nothing: did not open
  std::vector<DiscoveredDataset> datasets_;
  std::vector<std::pair<std::string, std::string>> skipped_;
};

void Discoverer::Add(const std::string& input) {
  if (input.starts_with("postgresql://") || input.starts_with("postgres://")) {
    return AddPostgres(input);
  }
  std::string path = input.starts_with("sqlite:") ? input.substr(7) : input;
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) {
    if (io::IsFileSet(path)) return AddGlob(path);
    if (error && error != std::errc::no_such_file_or_directory) {
      Throw<UserError>("cannot scan '{}': {}", input, error.message());
    }
    Throw<UserError>("cannot scan '{}': no such file or folder", input);
  }
  std::string normal = Normalize(path);
  if (fs::is_directory(status)) {
    std::vector<std::string> files;
    Walk(normal, files);
    return AddTree(normal, files, normal, MakeIdentifier(BaseName(normal)));
  }
  if (!fs::is_regular_file(status)) {
    skipped_.emplace_back(normal, "not a regular file");
  } else if (Sniff(normal)) {
    AddFile(normal);
  }
}

void Discoverer::AddPostgres(const std::string& url) {
  auto connection = io::postgres::PgConnection::Connect(url);
  io::postgres::PgResult rows = connection->Query(std::string(kPgTablesSql), {}, "listing tables");
  for (int row = 0; row < PQntuples(rows.get()); ++row) {
    std::string schema = PQgetvalue(rows.get(), row, 0);
    std::string table = PQgetvalue(rows.get(), row, 1);
    DiscoveredDataset dataset;
    dataset.name = MakeIdentifier(schema == "public" ? table : schema + "_" + table);
    dataset.format = "postgres";
    dataset.location = url;
    dataset.table = TableName({schema, table});
    dataset.owner = PQgetvalue(rows.get(), row, 2);
    dataset.size_bytes = std::strtoll(PQgetvalue(rows.get(), row, 3), nullptr, 10);
    dataset.fingerprint = Hex(HashString(PQgetvalue(rows.get(), row, 4)));
    datasets_.push_back(std::move(dataset));
  }
}

void Discoverer::AddGlob(const std::string& input) {
  std::string pattern = Normalize(input);
  std::vector<std::string> matches;
  try {
    matches = io::ListFiles(pattern);
  } catch (const IoError&) {
    Throw<UserError>("cannot scan '{}': no file matches it", input);
  }
  std::vector<std::string> files;
  bool only_files = true;
  for (const std::string& match : matches) {
    std::string path = Normalize(match);
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (fs::is_directory(status)) {
      only_files = false;
      Walk(path, files);
    } else if (fs::is_regular_file(status)) {
      files.push_back(path);
    } else {
      skipped_.emplace_back(path, "not a regular file");
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  std::string root = GlobBase(pattern);
  // A glob matching folders is not something io reads as one table.
  AddTree(root, files, only_files ? pattern : root, GlobName(pattern));
}

void Discoverer::AddTree(const std::string& root, const std::vector<std::string>& files,
                         const std::string& location, const std::string& name) {
  Folder tree{root, {}, {}};
  for (const std::string& file : files) {
    if (Sniff(file)) Insert(tree, file);
  }
  Visit(tree, location, name, true);
}

void Discoverer::Walk(const std::string& folder, std::vector<std::string>& files) {
  std::error_code error;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    entries.push_back(*it);
  }
  if (error) skipped_.emplace_back(folder, "cannot read the folder: " + error.message());
  std::sort(entries.begin(), entries.end());
  for (const fs::directory_entry& entry : entries) {
    std::string path = entry.path().string();
    // Hidden entries are tools' state (.git, .sluice), not data.
    if (BaseName(path).starts_with('.')) continue;
    std::error_code status_error;
    std::error_code link_error;
    fs::file_status status = entry.status(status_error);
    bool link = entry.is_symlink(link_error);
    if (!fs::exists(status)) {
      skipped_.emplace_back(
          path, link ? "broken symbolic link" : "cannot read: " + status_error.message());
    } else if (fs::is_directory(status)) {
      if (link) {
        skipped_.emplace_back(path, "symbolic link to a folder, not followed");
      } else {
        Walk(path, files);
      }
    } else if (fs::is_regular_file(status)) {
      files.push_back(path);
    } else {
      skipped_.emplace_back(path, "not a regular file");
    }
  }
}

bool Discoverer::Sniff(const std::string& file) {
  SniffedFile sniffed = SniffFile(file);
  if (sniffed.format.empty()) {
    skipped_.emplace_back(file, std::move(sniffed.reason));
    return false;
  }
  formats_[file] = std::move(sniffed.format);
  return true;
}

void Discoverer::Visit(const Folder& folder, const std::string& location, const std::string& name,
                       bool input) {
  std::vector<std::string> files = FilesUnder(folder);
  if (!files.empty() && IsGroup(folder, files, location, input)) {
    DiscoveredDataset dataset;
    dataset.name = name;
    dataset.format = formats_.at(files[0]);
    dataset.location = location;
    dataset.files = files;
    AddFileDataset(std::move(dataset), files);
    return;
  }
  for (const std::string& file : folder.files) AddFile(file);
  for (const Folder& child : folder.folders) {
    Visit(child, child.path, MakeIdentifier(BaseName(child.path)), false);
  }
}

bool Discoverer::IsGroup(const Folder& folder, const std::vector<std::string>& files,
                         const std::string& location, bool input) {
  // A partition folder belongs to the dataset of the folder above it.
  if (!input && IsPartitionName(BaseName(folder.path))) return false;
  bool partitioned =
      std::any_of(folder.folders.begin(), folder.folders.end(),
                  [](const Folder& child) { return IsPartitionName(BaseName(child.path)); });
  // One file, or one plain folder, is a dataset of its own rather than this folder's.
  if (folder.files.size() + folder.folders.size() < 2 && !partitioned) return false;
  const std::string& format = formats_.at(files[0]);
  for (const std::string& file : files) {
    auto by_extension = io::FormatOfPath(file);
    if (formats_.at(file) != format || !by_extension || io::FormatName(*by_extension) != format) {
      return false;
    }
  }
  // The location must name these files and no other, as io::OpenFile reads it.
  std::vector<std::string> listed;
  try {
    listed = io::ListFiles(location);
  } catch (const Error&) {
    return false;
  }
  for (std::string& path : listed) path = Normalize(path);
  std::sort(listed.begin(), listed.end());
  if (listed != files) return false;
  std::vector<std::string> keys = PartitionKeys(files[0]);
  for (const std::string& file : files) {
    if (PartitionKeys(file) != keys) return false;
  }
  return SameSchema(files);
}

bool Discoverer::SameSchema(const std::vector<std::string>& files) {
  const core::Schema* first = nullptr;
  for (const std::string& file : files) {
    auto [entry, added] = schemas_.try_emplace(file);
    if (added) {
      try {
        entry->second = *io::OpenFile(file)->schema();
      } catch (const std::exception&) {
        // A file that does not open is not part of a group; it is found on its own.
      }
    }
    if (!entry->second) return false;
    if (first == nullptr) first = &*entry->second;
    if (!(*entry->second == *first)) return false;
  }
  return true;
}

void Discoverer::AddFile(const std::string& file) {
  const std::string& format = formats_.at(file);
  if (format == "sqlite") return AddSqlite(file);
  DiscoveredDataset dataset;
  dataset.name = MakeIdentifier(StemOf(file));
  dataset.format = format;
  dataset.location = file;
  dataset.files = {file};
  AddFileDataset(std::move(dataset), {file});
}

void Discoverer::AddSqlite(const std::string& file) {
  std::vector<std::string> tables;
  try {
    tables = SqliteTables(file);
  } catch (const Error& error) {
    skipped_.emplace_back(file, error.what());
    return;
  }
  if (tables.empty()) {
    skipped_.emplace_back(file, "SQLite database without tables");
    return;
  }
  std::vector<std::string> stat_files = {file};
  std::error_code error;
  if (fs::exists(file + "-wal", error)) stat_files.push_back(file + "-wal");
  for (const std::string& table : tables) {
    DiscoveredDataset dataset;
    std::string stem = StemOf(file);
    dataset.name = MakeIdentifier(tables.size() == 1 ? stem : stem + "_" + table);
    dataset.format = "sqlite";
    dataset.location = file;
    dataset.table = TableName({table});
    dataset.files = {file};
    AddFileDataset(std::move(dataset), stat_files);
  }
}

void Discoverer::AddFileDataset(DiscoveredDataset dataset,
                                const std::vector<std::string>& stat_files) {
  try {
    FillFileFacts(dataset, stat_files);
  } catch (const Error& error) {
    skipped_.emplace_back(dataset.location, error.what());
    return;
  }
  datasets_.push_back(std::move(dataset));
}

DiscoveryResult Discoverer::Finish() {
  auto place = [](const DiscoveredDataset& dataset) {
    return std::tie(dataset.location, dataset.table);
  };
  std::sort(datasets_.begin(), datasets_.end(),
            [&](const auto& left, const auto& right) { return place(left) < place(right); });
  datasets_.erase(
      std::unique(datasets_.begin(), datasets_.end(),
                  [&](const auto& left, const auto& right) { return place(left) == place(right); }),
      datasets_.end());
  std::set<std::string> taken;
  for (DiscoveredDataset& dataset : datasets_) {
    std::string name = dataset.name;
    for (int n = 2; taken.contains(name); ++n) name = dataset.name + "_" + std::to_string(n);
    taken.insert(name);
    dataset.name = std::move(name);
  }
  std::sort(skipped_.begin(), skipped_.end());
  skipped_.erase(std::unique(skipped_.begin(), skipped_.end()), skipped_.end());
  return {std::move(datasets_), std::move(skipped_)};
}

/// Returns the files of `dataset`: its list, else those its location names.
std::vector<std::string> FilesOf(const DiscoveredDataset& dataset) {
  if (!dataset.files.empty()) return dataset.files;
  std::error_code error;
  if (fs::is_regular_file(dataset.location, error)) return {dataset.location};
  return io::ListFiles(dataset.location);
}

/// Opens one file with the reader of `format`: io's by extension when that agrees.
std::unique_ptr<io::BatchReader> OpenFileAs(const std::string& path, const std::string& format,
                                            const std::vector<std::string>& columns,
                                            const std::vector<io::ScanPredicate>& predicates) {
  auto by_extension = io::FormatOfPath(path);
  if (by_extension && io::FormatName(*by_extension) == format) {
    return io::OpenFile(path, columns, predicates);
  }
  if (format == "parquet") {
    io::ParquetOptions options;
    options.columns = columns;
    options.predicates = predicates;
    return io::OpenParquet(path, options);
  }
  if (format == "json") {
    io::JsonOptions options;
    options.columns = columns;
    return io::OpenJson(path, options);
  }
  if (format != "csv") Throw<UserError>("cannot read '{}': unknown format '{}'", path, format);
  io::CsvOptions options;
  options.columns = columns;
  return io::OpenCsv(path, options);
}

}  // namespace

DiscoveryResult Discover(const std::vector<std::string>& inputs) {
  Discoverer discoverer;
  for (const std::string& input : inputs) discoverer.Add(input);
  return discoverer.Finish();
}

std::string ContentHash(const DiscoveredDataset& dataset) {
  if (dataset.format == "postgres") return {};
  std::vector<std::string> files = FilesOf(dataset);
  std::error_code error;
  if (dataset.format == "sqlite" && fs::exists(dataset.location + "-wal", error)) {
    files.push_back(dataset.location + "-wal");
  }
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(),
                                                                 &XXH3_freeState);
  XXH3_64bits_reset(state.get());
  std::vector<char> buffer(1 << 20);
  for (const std::string& file : files) {
    std::ifstream stream(file, std::ios::binary);
    while (stream) {
      stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      XXH3_64bits_update(state.get(), buffer.data(), static_cast<size_t>(stream.gcount()));
    }
    if (!stream.eof()) Throw<IoError>("cannot read '{}': {}", file, std::strerror(errno));
  }
  return Hex(XXH3_64bits_digest(state.get()));
}

std::unique_ptr<io::BatchReader> OpenDataset(const DiscoveredDataset& dataset) {
  if (dataset.format == "postgres") {
    auto connection = io::postgres::PgConnection::Connect(dataset.location);
    io::postgres::PgTable table = io::postgres::DescribePgTable(
        *connection, dataset.table, io::postgres::UnsupportedTypes::kText);
    return std::make_unique<io::postgres::PgScanReader>(dataset.location, std::move(table),
                                                        std::vector<std::string>{},
                                                        std::vector<io::ScanPredicate>{});
  }
  if (dataset.format == "sqlite") {
    auto database = io::sqlite::SqliteDatabase::Open(dataset.location, false);
    io::sqlite::SqliteTable table = io::sqlite::DescribeSqliteTable(
        *database, dataset.table, io::sqlite::UnsupportedTypes::kText);
    return std::make_unique<io::sqlite::SqliteScanReader>(
        dataset.location, std::move(table), std::vector<std::string>{},
        std::vector<io::ScanPredicate>{}, io::sqlite::TypeMismatch::kNull);
  }
  std::string format = dataset.format;
  io::SingleFileOpener open = [format](const std::string& path,
                                       const std::vector<std::string>& columns,
                                       const std::vector<io::ScanPredicate>& predicates) {
    return OpenFileAs(path, format, columns, predicates);
  };
  std::error_code error;
  if (fs::is_regular_file(dataset.location, error)) return open(dataset.location, {}, {});
  return io::OpenFileSet(FilesOf(dataset), {}, {}, open);
}

std::string MakeIdentifier(std::string_view stem) {
  std::string name;
  bool gap = false;
  for (char c : stem) {
    if (IsAsciiAlnum(c) || c == '_') {
      if (gap && !name.empty()) name += '_';
      gap = false;
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      gap = true;
    }
  }
  if (name.empty()) return "dataset";
  if (name[0] >= '0' && name[0] <= '9') name.insert(0, "_");
  if (IsReservedWord(name)) {
    name += '_';
  }
  return name;
}

}  // namespace sluice::catalog
