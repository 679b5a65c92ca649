#include "io/file_set.h"

#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "base/error.h"
#include "core/datetime.h"
#include "io/open_file.h"
#include "io/parquet/statistics.h"

namespace sluice::io {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

bool IsGlob(std::string_view path) { return path.find_first_of("*?[") != std::string_view::npos; }

std::vector<std::string> FilesUnder(const fs::path& folder, const std::string& pattern) {
  std::vector<std::string> paths;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(folder, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file()) continue;
    std::string path = it->path().string();
    std::string relative = it->path().lexically_relative(folder).string();
    if (pattern.empty() ? FormatOfPath(path).has_value()
                        : fnmatch(pattern.c_str(), relative.c_str(), 0) == 0) {
      paths.push_back(std::move(path));
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<std::string> ExpandGlob(const std::string& pattern) {
  size_t recursive = pattern.find("**");
  if (recursive != std::string::npos) {
    std::string folder = pattern.substr(0, recursive);
    std::string rest = pattern.substr(recursive + 2);
    if (!rest.empty() && rest[0] == '/') rest = "*" + rest;
    return FilesUnder(folder.empty() ? "." : folder, rest.empty() ? "*" : rest);
  }
  glob_t matches;
  int result = glob(pattern.c_str(), 0, nullptr, &matches);
  std::vector<std::string> paths;
  if (result == 0) {
    for (size_t i = 0; i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
  }
  globfree(&matches);
  return paths;  // glob sorts them
}

/// Returns the `key=value` folders of a path, in order.
std::vector<std::pair<std::string, std::string>> PartitionsOf(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> partitions;
  fs::path parent = fs::path(path).parent_path();
  for (const fs::path& part : parent) {
    std::string segment = part.string();
    size_t equals = segment.find('=');
    if (equals == std::string::npos || equals == 0) continue;
    partitions.emplace_back(segment.substr(0, equals), segment.substr(equals + 1));
  }
  return partitions;
}

core::TypeId PartitionType(const std::vector<std::string>& values) {
  bool integers = true;
  bool dates = true;
  for (const std::string& value : values) {
    if (value == kDefaultPartition) continue;
    char* end = nullptr;
    errno = 0;
    std::strtoll(value.c_str(), &end, 10);
    integers = integers && !value.empty() && *end == '\0' && errno == 0;
    dates = dates && core::ParseDate(value).has_value();
  }
  if (integers) return core::TypeId::kBigint;
  return dates ? core::TypeId::kDate : core::TypeId::kVarchar;
}

/// Is the partition columns of a set of files and each file's values.
struct Partitioning {
  std::vector<core::Field> fields;
  std::vector<std::vector<core::Value>> values;  // per file, per field
};

Partitioning PartitioningOf(const std::vector<std::string>& paths) {
  Partitioning result;
  auto first = PartitionsOf(paths[0]);
  std::vector<std::vector<std::string>> texts(first.size());
  for (const std::string& path : paths) {
    auto partitions = PartitionsOf(path);
    bool same = partitions.size() == first.size();
    for (size_t k = 0; same && k < first.size(); ++k) same = partitions[k].first == first[k].first;
    if (!same) {
      Throw<DataError>("'{}' and '{}' are in differently named partition folders (key=value)",
                       paths[0], path);
    }
    for (size_t k = 0; k < first.size(); ++k) texts[k].push_back(partitions[k].second);
  }
  for (size_t k = 0; k < first.size(); ++k) {
    result.fields.push_back({first[k].first, PartitionType(texts[k])});
  }
  result.values.resize(paths.size());
  for (size_t f = 0; f < paths.size(); ++f) {
    for (size_t k = 0; k < first.size(); ++k) {
      const std::string& text = texts[k][f];
      core::TypeId type = result.fields[k].type;
      result.values[f].push_back(text == kDefaultPartition
                                     ? core::Value::Null(type)
                                     : core::Value::Varchar(text).CastTo(type));
    }
  }
  return result;
}

/// Reads files with one schema as one stream, adding partition columns: file after file, or,
/// when the files' readers are concurrent (Parquet), from several files at once.
class FileSetReader final : public BatchReader {
 public:
  FileSetReader(std::vector<std::string> paths, const std::vector<std::string>& columns,
                const std::vector<ScanPredicate>& predicates, SingleFileOpener open)
      : paths_(std::move(paths)), open_(std::move(open)) {
    partitioning_ = PartitioningOf(paths_);
    auto first = open_(paths_[0], {}, {});
    concurrent_ = first->concurrent() && first->BatchCount().has_value();
    Project(*first->schema(), columns);
    for (const ScanPredicate& predicate : predicates) {
      if (PartitionIndex(predicate.column)) {
        partition_predicates_.push_back(predicate);
      } else {
        file_predicates_.push_back(predicate);
      }
    }
  }

  const core::SchemaPtr& schema() const override { return schema_; }

  std::optional<core::Batch> Next() override {
    while (true) {
      if (reader_) {
        if (auto batch = reader_->Next()) {
          ++batches_in_file_;
          return Assemble(std::move(*batch), current_);
        }
      }
      if (!OpenNext()) return std::nullopt;
    }
  }

  bool concurrent() const override { return concurrent_; }

  void KeepDictionaryCodes(bool fill_values) override { fill_values_ = fill_values; }

  // Takes a batch from the first open file that has one not being decoded; when none has,
  // opens the next file, and when every file is open, waits for the oldest one's.
  std::optional<SequencedBatch> NextConcurrent() override {
    while (true) {
      std::vector<std::shared_ptr<OpenedFile>> files;
      {
        std::lock_guard lock(mutex_);
        files.assign(opened_.begin(), opened_.end());
      }
      for (const auto& file : files) {
        bool busy = false;
        if (auto batch = file->reader->TryNextConcurrent(&busy)) return Sequenced(*file, *batch);
        if (!busy) Close(file);
      }
      std::shared_ptr<OpenedFile> oldest;
      {
        std::lock_guard lock(mutex_);
        if (OpenNextConcurrent()) continue;
        if (opened_.empty()) return std::nullopt;
        oldest = opened_.front();
      }
      if (auto batch = oldest->reader->NextConcurrent()) return Sequenced(*oldest, *batch);
      Close(oldest);
    }
  }

  // Keeps every size-th file from the rank-th, when each rank gets a file at least.
  bool KeepShare(int rank, int size) override {
    if (paths_.size() < static_cast<size_t>(size)) return false;
    share_ = {rank, size};
    return true;
  }

  std::optional<uint64_t> LastSequence() const override {
    if (!share_) return std::nullopt;
    return (static_cast<uint64_t>(current_) << 32) | (batches_in_file_ - 1);
  }

  std::string Describe() const override {
    std::string text = fmt::format("{} files", paths_.size());
    if (share_) {
      auto [rank, size] = *share_;
      text += fmt::format(" ({} on this rank)", (paths_.size() - rank + size - 1) / size);
    }
    if (skipped_files_ > 0) text += fmt::format(", {} skipped by partition", skipped_files_);
    if (reader_ && !reader_->Describe().empty()) text += ", " + reader_->Describe();
    return text;
  }

 private:
  std::optional<size_t> PartitionIndex(const std::string& name) const {
    for (size_t k = 0; k < partitioning_.fields.size(); ++k) {
      if (partitioning_.fields[k].name == name) return k;
    }
    return std::nullopt;
  }

  void Project(const core::Schema& file_schema, const std::vector<std::string>& columns) {
    // A file column named like a partition key wins over the key.
    std::erase_if(partitioning_.fields,
                  [&](const core::Field& field) { return file_schema.FindField(field.name); });
    std::vector<core::Field> fields;
    for (const std::string& name : columns) {
      if (auto index = file_schema.FindField(name)) {
        file_columns_.push_back(file_schema.field(*index).name);
        fields.push_back(file_schema.field(*index));
      }
    }
    if (columns.empty()) fields = file_schema.fields();
    size_t file_fields = fields.size();
    for (size_t k = 0; k < partitioning_.fields.size(); ++k) {
      const core::Field& field = partitioning_.fields[k];
      if (!columns.empty() &&
          std::find(columns.begin(), columns.end(), field.name) == columns.end()) {
        continue;
      }
      fields.push_back(field);
      partition_columns_.push_back(k);
    }
    // Only partition columns wanted: read one file column anyway, to count rows.
    if (!columns.empty() && file_columns_.empty())
      file_columns_.push_back(file_schema.field(0).name);
    file_schema_ = std::make_shared<core::Schema>(
        std::vector<core::Field>(fields.begin(), fields.begin() + file_fields));
    schema_ = std::make_shared<core::Schema>(std::move(fields));
  }

  // Returns the next file of this share that the partition predicates leave, opened and
  // checked, or nullptr when there is none.
  std::unique_ptr<BatchReader> OpenNextFile(size_t* file) {
    while (next_ < paths_.size()) {
      *file = next_++;
      if (share_ && *file % share_->second != static_cast<size_t>(share_->first)) continue;
      if (!FileMayMatch(*file)) {
        ++skipped_files_;
        continue;
      }
      auto reader = open_(paths_[*file], file_columns_, file_predicates_);
      CheckSchema(*reader->schema(), *file);
      return reader;
    }
    return nullptr;
  }

  bool OpenNext() {
    reader_ = OpenNextFile(&current_);
    batches_in_file_ = 0;
    return reader_ != nullptr;
  }

  // Is a file NextConcurrent() reads: its index, its reader, and the sequence number of its
  // first batch when there is no share.
  struct OpenedFile {
    size_t index = 0;
    std::unique_ptr<BatchReader> reader;
    uint64_t first_sequence = 0;
  };

  // Opens the next file for NextConcurrent(); false when there is none. REQUIRES: mutex_ held.
  bool OpenNextConcurrent() {
    auto opened = std::make_shared<OpenedFile>();
    opened->reader = OpenNextFile(&opened->index);
    if (opened->reader == nullptr) return false;
    std::optional<uint64_t> batches = opened->reader->BatchCount();
    if (!opened->reader->concurrent() || !batches) {
      Throw<DataError>("'{}' is not in the format of '{}': files read together need one format",
                       paths_[opened->index], paths_[0]);
    }
    if (fill_values_) opened->reader->KeepDictionaryCodes(*fill_values_);
    opened->first_sequence = next_sequence_;
    next_sequence_ += *batches;
    opened_.push_back(std::move(opened));
    return true;
  }

  void Close(const std::shared_ptr<OpenedFile>& file) {
    std::lock_guard lock(mutex_);
    std::erase(opened_, file);
  }

  // Numbers a file's batch in the whole set: after the batches of the files before it, or with
  // a share, by file index and number in the file (in source order, with gaps).
  SequencedBatch Sequenced(const OpenedFile& file, SequencedBatch& batch) const {
    uint64_t sequence = share_ ? (static_cast<uint64_t>(file.index) << 32) | batch.sequence
                               : file.first_sequence + batch.sequence;
    SequencedBatch out{Assemble(std::move(batch.batch), file.index), sequence,
                       std::move(batch.codes)};
    if (!out.codes.empty()) out.codes.resize(schema_->num_fields());  // partition columns: none
    return out;
  }

  bool FileMayMatch(size_t file) const {
    for (const ScanPredicate& predicate : partition_predicates_) {
      const core::Value& value = partitioning_.values[file][*PartitionIndex(predicate.column)];
      parquet::ValueRange range;
      range.num_values = 1;
      range.null_count = value.is_null() ? 1 : 0;
      if (!value.is_null()) range.min = range.max = value;
      if (!parquet::MayMatch(predicate, range)) return false;
    }
    return true;
  }

  void CheckSchema(const core::Schema& schema, size_t file) const {
    size_t expected = file_schema_->num_fields();
    bool same = schema.num_fields() >= expected;
    for (size_t i = 0; same && i < expected; ++i) same = schema.field(i) == file_schema_->field(i);
    if (!same) {
      Throw<DataError>(
          "'{}' has columns ({}) but '{}' has ({}): files read together need the same columns",
          paths_[file], schema.ToString(), paths_[0], file_schema_->ToString());
    }
  }

  core::Batch Assemble(core::Batch batch, size_t file) const {
    core::Batch out(schema_);
    size_t rows = batch.num_physical_rows();
    size_t file_fields = file_schema_->num_fields();
    for (size_t c = 0; c < file_fields; ++c) out.column(c).Reference(batch.column(c));
    for (size_t p = 0; p < partition_columns_.size(); ++p) {
      const core::Value& value = partitioning_.values[file][partition_columns_[p]];
      out.column(file_fields + p).Fill(rows, value);
    }
    out.SetNumRows(rows);
    if (batch.selection()) out.SetSelection(*batch.selection());
    return out;
  }

  std::vector<std::string> paths_;
  SingleFileOpener open_;
  Partitioning partitioning_;
  std::vector<std::string> file_columns_;  // projection passed to each file (empty: all)
  std::vector<size_t> partition_columns_;  // indexes into partitioning_ of those read
  std::vector<ScanPredicate> file_predicates_;
  std::vector<ScanPredicate> partition_predicates_;
  core::SchemaPtr file_schema_;  // the file columns of schema_
  core::SchemaPtr schema_;
  size_t next_ = 0;
  size_t current_ = 0;
  size_t skipped_files_ = 0;
  uint64_t batches_in_file_ = 0;
  std::optional<std::pair<int, int>> share_;  // (rank, size) after KeepShare
  std::unique_ptr<BatchReader> reader_;       // Next(): the current file's
  // NextConcurrent(): the files open, oldest first, and the next first sequence number.
  bool concurrent_ = false;
  std::optional<bool> fill_values_;  // KeepDictionaryCodes()
  std::mutex mutex_;
  std::deque<std::shared_ptr<OpenedFile>> opened_;
  uint64_t next_sequence_ = 0;
};

}  // namespace

bool IsFileSet(const std::string& path) {
  if (IsGlob(path)) return true;
  std::error_code error;
  return fs::is_directory(path, error);
}

std::vector<std::string> ListFiles(const std::string& path) {
  std::vector<std::string> paths = IsGlob(path) ? ExpandGlob(path) : FilesUnder(path, "");
  if (paths.empty() && IsGlob(path)) Throw<IoError>("no file matches '{}'", path);
  if (paths.empty()) Throw<IoError>("no data file in folder '{}'", path);
  return paths;
}

std::unique_ptr<BatchReader> OpenFileSet(std::vector<std::string> paths,
                                         const std::vector<std::string>& columns,
                                         const std::vector<ScanPredicate>& predicates,
                                         const SingleFileOpener& open) {
  if (paths.empty()) Throw<IoError>("no file to read");
  return std::make_unique<FileSetReader>(std::move(paths), columns, predicates, open);
}

}  // namespace sluice::io
