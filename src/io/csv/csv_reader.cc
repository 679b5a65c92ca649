#include "io/csv/csv_reader.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/error.h"
#include "base/task.h"
#include "io/csv/csv_converter.h"
#include "io/csv/csv_sniffer.h"
#include "io/file.h"

namespace sluice::io {

using csv::ColumnPlan;
using csv::ConvertIssues;
using csv::RowIssue;

namespace {

// Is what parsing one byte range of a window produced.
struct RangeResult {
  std::vector<core::Batch> batches;
  ConvertIssues issues;
  std::vector<RowIssue> row_issues;  // from the tokenizer: ragged rows, an unterminated quote
};

void CheckOptions(const CsvOptions& options) {
  auto bad = [](char c) { return c == '\0' || c == '\n' || c == '\r'; };
  char delimiter = options.delimiter.value_or(',');
  if (bad(delimiter) || bad(options.quote) || bad(options.escape) ||
      (options.comment && bad(*options.comment))) {
    throw UserError("CSV delimiter, quote, escape and comment cannot be NUL or a line break");
  }
  if (delimiter == options.quote || delimiter == options.escape) {
    throw UserError("CSV delimiter must differ from the quote and escape characters");
  }
}

}  // namespace

class CsvReader::Impl {
 public:
  Impl(std::unique_ptr<FileBytes> file, std::string_view bytes, std::string name,
       const CsvOptions& options, const CsvReaderLimits& limits);

  const core::SchemaPtr& schema() const { return schema_; }
  std::optional<core::Batch> Next();
  bool KeepShare(int rank, int size);
  std::optional<uint64_t> LastSequence() const { return last_sequence_; }
  std::string Describe() const {
    if (!share_) return {};
    return fmt::format("byte ranges of rank {} of {}", share_->first, share_->second);
  }
  const std::vector<CsvReject>& rejects() const { return rejects_; }
  size_t rows_read() const { return rows_read_; }

 private:
  void Plan(const csv::CsvLayout& layout);
  void Restart();
  void ParseWindows();
  bool ParseWindow();
  bool Mine(size_t range) const;
  std::vector<size_t> RangeStarts(size_t begin) const;
  RangeResult ParseRange(size_t begin, size_t end) const;
  void CheckErrors(const std::vector<RangeResult>& results) const;
  bool Widen(const std::vector<RangeResult>& results);
  void AddRejects(std::vector<RangeResult>* results);
  [[noreturn]] void Fail(const RowIssue& issue, std::string_view advice = {}) const;

  std::unique_ptr<FileBytes> file_;
  std::string_view buffer_;
  std::string name_;
  CsvOptions options_;
  CsvReaderLimits limits_;
  csv::CsvDialect dialect_;
  size_t num_fields_ = 0;
  size_t data_start_ = 0;
  std::vector<ColumnPlan> plans_;
  core::SchemaPtr schema_;
  csv::NullMatcher nulls_;

  size_t window_start_ = 0;
  size_t first_range_ = 0;            // the number of the window's first range in the file
  std::vector<core::Batch> batches_;  // of the current window
  std::vector<uint64_t> sequences_;   // of batches_: range number << 32 | batch in the range
  size_t next_batch_ = 0;
  std::optional<std::pair<int, int>> share_;  // (rank, size) after KeepShare
  std::optional<uint64_t> last_sequence_;     // of the batch Next() returned last, with a share
  bool handed_out_ = false;
  size_t rows_read_ = 0;
  std::vector<CsvReject> rejects_;
  size_t lines_before_ = 0;  // line breaks in [0, line_offset_)
  size_t line_offset_ = 0;
};

CsvReader::Impl::Impl(std::unique_ptr<FileBytes> file, std::string_view bytes, std::string name,
                      const CsvOptions& options, const CsvReaderLimits& limits)
    : file_(std::move(file)),
      buffer_(bytes),
      name_(std::move(name)),
      options_(options),
      limits_(limits),
      nulls_(options.null_strings, options.quote) {
  CheckOptions(options_);
  limits_.range_bytes = std::max<size_t>(limits_.range_bytes, 1);
  limits_.window_bytes = std::max(limits_.window_bytes, limits_.range_bytes);
  csv::CsvLayout layout = csv::SniffCsv(buffer_, name_, options_, limits_.spread_samples);
  dialect_ = layout.dialect;
  num_fields_ = layout.names.size();
  data_start_ = layout.data_start;
  Plan(layout);
  Restart();
  ParseWindows();
}

void CsvReader::Impl::Plan(const csv::CsvLayout& layout) {
  std::vector<core::Field> fields;
  for (size_t i = 0; i < layout.names.size(); ++i)
    fields.push_back({layout.names[i], layout.types[i]});
  core::Schema file_schema(fields);
  for (const auto& [column, type] : options_.column_types) {
    auto index = file_schema.FindField(column);
    if (!index)
      Throw<UserError>("{}: no column '{}' to force to {}", name_, column, core::TypeName(type));
    fields[*index].type = type;
  }
  std::vector<size_t> chosen;
  for (const std::string& column : options_.columns) {
    auto index = file_schema.FindField(column);
    if (!index) {
      Throw<UserError>("{}: no column '{}'; the file has: {}", name_, column,
                       file_schema.ToString());
    }
    chosen.push_back(*index);
  }
  if (options_.columns.empty()) {
    for (size_t i = 0; i < fields.size(); ++i) chosen.push_back(i);
  }
  std::vector<core::Field> projected;
  for (size_t index : chosen) {
    bool forced = options_.column_types.count(file_schema.field(index).name) > 0 ||
                  fields[index].type != layout.types[index];
    plans_.push_back({index, fields[index].type, !forced && !options_.collect_rejects});
    projected.push_back(fields[index]);
  }
  schema_ = std::make_shared<const core::Schema>(std::move(projected));
}

void CsvReader::Impl::Restart() {
  window_start_ = data_start_;
  first_range_ = 0;
  batches_.clear();
  sequences_.clear();
  next_batch_ = 0;
  rejects_.clear();
  lines_before_ = 0;
  line_offset_ = 0;
}

// Parses windows until one yields batches or the input ends.
void CsvReader::Impl::ParseWindows() {
  while (next_batch_ == batches_.size() && window_start_ < buffer_.size()) {
    batches_.clear();
    sequences_.clear();
    next_batch_ = 0;
    if (!ParseWindow()) Restart();
  }
}

std::optional<core::Batch> CsvReader::Impl::Next() {
  ParseWindows();
  if (next_batch_ == batches_.size()) return std::nullopt;
  handed_out_ = true;
  if (share_) last_sequence_ = sequences_[next_batch_];
  core::Batch batch = std::move(batches_[next_batch_++]);
  rows_read_ += batch.num_rows();
  return batch;
}

// Returns the record starts that split the window at window_start_ into ranges; the last one
// is where the next window starts.
std::vector<size_t> CsvReader::Impl::RangeStarts(size_t begin) const {
  size_t end = std::min(buffer_.size(), begin + limits_.window_bytes);
  size_t count = (end - begin + limits_.range_bytes - 1) / limits_.range_bytes;
  std::vector<size_t> bounds(count + 1);
  for (size_t k = 0; k < count; ++k) bounds[k] = begin + k * limits_.range_bytes;
  bounds[count] = end;
  std::vector<size_t> starts(count + 1, begin);
  if (dialect_.escape != dialect_.quote || dialect_.comment) {
    for (size_t k = 1; k <= count; ++k) {
      starts[k] = csv::WalkToRecordStart(buffer_, starts[k - 1], bounds[k], dialect_);
    }
    return starts;
  }
  // Quote parity tells whether each range starts inside quotes (quotes only toggle, as "" is
  // two toggles), so every range finds its first record on its own.
  std::vector<size_t> quotes(count);
  ParallelFor(count, [&](size_t k) {
    quotes[k] = csv::CountQuotes(buffer_, bounds[k], bounds[k + 1], dialect_.quote);
  });
  bool in_quote = false;
  for (size_t k = 1; k <= count; ++k) {
    in_quote ^= (quotes[k - 1] & 1) != 0;
    starts[k] =
        std::max(starts[k - 1], csv::FindRecordStart(buffer_, bounds[k], in_quote, dialect_.quote));
  }
  return starts;
}

RangeResult CsvReader::Impl::ParseRange(size_t begin, size_t end) const {
  RangeResult result;
  thread_local csv::FieldTable table;
  table.Reset(buffer_, num_fields_);
  csv::CsvTokenizer tokenizer(buffer_, dialect_, num_fields_);
  csv::CsvConverter converter(dialect_, nulls_, options_.collect_rejects, plans_, schema_);
  size_t position = begin;
  while (position < end) {
    tokenizer.Fill(&position, end, &table, &result.row_issues);
    if (!options_.collect_rejects && !result.row_issues.empty()) break;
    if (table.num_rows() == 0) continue;
    core::Batch batch = converter.Convert(table, &result.issues);
    if (result.issues.error) break;
    if (batch.num_rows() > 0) result.batches.push_back(std::move(batch));
  }
  return result;
}

// Parses one window into batches_; returns false when a column widened and parsing must start
// over. Throws for errors.
bool CsvReader::Impl::ParseWindow() {
  std::vector<size_t> starts = RangeStarts(window_start_);
  size_t count = starts.size() - 1;
  std::vector<RangeResult> results(count);
  auto parse = [&](size_t k) {
    if (Mine(first_range_ + k)) results[k] = ParseRange(starts[k], starts[k + 1]);
  };
  if (options_.threads == 1) {
    for (size_t k = 0; k < count; ++k) parse(k);
  } else {
    ParallelFor(count, parse);
  }
  CheckErrors(results);
  if (Widen(results)) return false;
  AddRejects(&results);
  for (size_t k = 0; k < count; ++k) {
    for (size_t b = 0; b < results[k].batches.size(); ++b) {
      batches_.push_back(std::move(results[k].batches[b]));
      sequences_.push_back((static_cast<uint64_t>(first_range_ + k) << 32) | b);
    }
  }
  window_start_ = starts[count];
  first_range_ += count;
  return true;
}

bool CsvReader::Impl::Mine(size_t range) const {
  return !share_ ||
         range % static_cast<size_t>(share_->second) == static_cast<size_t>(share_->first);
}

// Every rank has parsed the first window alike at open (so its columns widened alike); from
// then on the schema is fixed, each rank keeps the batches of its ranges and parses only those.
bool CsvReader::Impl::KeepShare(int rank, int size) {
  size_t ranges = (buffer_.size() - data_start_) / limits_.range_bytes;
  if (handed_out_ || options_.collect_rejects || batches_.empty() ||
      ranges < static_cast<size_t>(size)) {
    return false;
  }
  share_ = {rank, size};
  handed_out_ = true;
  std::vector<core::Batch> kept;
  std::vector<uint64_t> kept_sequences;
  for (size_t i = 0; i < batches_.size(); ++i) {
    if (!Mine(sequences_[i] >> 32)) continue;
    kept.push_back(std::move(batches_[i]));
    kept_sequences.push_back(sequences_[i]);
  }
  batches_ = std::move(kept);
  sequences_ = std::move(kept_sequences);
  return true;
}

void CsvReader::Impl::CheckErrors(const std::vector<RangeResult>& results) const {
  for (const RangeResult& result : results) {
    const RowIssue* first = nullptr;
    if (!options_.collect_rejects && !result.row_issues.empty()) first = &result.row_issues[0];
    if (result.issues.error && (first == nullptr || result.issues.error->offset < first->offset)) {
      first = &*result.issues.error;
    }
    if (first != nullptr) Fail(*first);
  }
}

// Widens the columns that met values their type cannot hold; returns true when one did.
bool CsvReader::Impl::Widen(const std::vector<RangeResult>& results) {
  std::vector<uint8_t> masks(plans_.size(), csv::kFitsAll);
  const RowIssue* first = nullptr;
  for (const RangeResult& result : results) {
    for (size_t column = 0; column < result.issues.misfit.size(); ++column) {
      if (result.issues.misfit[column]) masks[column] &= result.issues.widen_masks[column];
    }
    if (first == nullptr && result.issues.first_misfit) first = &*result.issues.first_misfit;
  }
  if (first == nullptr) return false;
  if (handed_out_) {
    Fail(*first,
         "; batches were already returned, so the column cannot widen: set "
         "sample_rows = 0 or force the column's type with column_types");
  }
  std::vector<core::Field> fields = schema_->fields();
  for (size_t column = 0; column < plans_.size(); ++column) {
    if (masks[column] == csv::kFitsAll) continue;
    plans_[column].type = csv::TypeFromMask(masks[column] & csv::WideningMask(plans_[column].type));
    fields[column].type = plans_[column].type;
  }
  schema_ = std::make_shared<const core::Schema>(std::move(fields));
  return true;
}

void CsvReader::Impl::AddRejects(std::vector<RangeResult>* results) {
  std::vector<RowIssue> issues;
  for (RangeResult& result : *results) {
    for (RowIssue& issue : result.row_issues) issues.push_back(std::move(issue));
    for (RowIssue& issue : result.issues.rejects) issues.push_back(std::move(issue));
  }
  std::sort(issues.begin(), issues.end(),
            [](const RowIssue& a, const RowIssue& b) { return a.offset < b.offset; });
  for (RowIssue& issue : issues) {
    lines_before_ += static_cast<size_t>(
        std::count(buffer_.begin() + line_offset_, buffer_.begin() + issue.offset, '\n'));
    line_offset_ = issue.offset;
    rejects_.push_back({lines_before_ + 1, std::move(issue.message)});
  }
}

void CsvReader::Impl::Fail(const RowIssue& issue, std::string_view advice) const {
  auto [line, column] = csv::LineAndColumn(buffer_, issue.offset);
  Throw<DataError>("{}:{}:{}: {}{}", name_, line, column, issue.message, advice);
}

CsvReader::CsvReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvReader::~CsvReader() = default;

std::unique_ptr<CsvReader> CsvReader::Open(const std::string& path, const CsvOptions& options,
                                           const CsvReaderLimits& limits) {
  auto file = FileBytes::Open(path);
  std::string_view bytes = file->view();
  return std::unique_ptr<CsvReader>(
      new CsvReader(std::make_unique<Impl>(std::move(file), bytes, path, options, limits)));
}

std::unique_ptr<CsvReader> CsvReader::OpenBuffer(std::string_view bytes, const std::string& name,
                                                 const CsvOptions& options,
                                                 const CsvReaderLimits& limits) {
  return std::unique_ptr<CsvReader>(
      new CsvReader(std::make_unique<Impl>(nullptr, bytes, name, options, limits)));
}

const core::SchemaPtr& CsvReader::schema() const { return impl_->schema(); }
std::optional<core::Batch> CsvReader::Next() { return impl_->Next(); }
bool CsvReader::KeepShare(int rank, int size) { return impl_->KeepShare(rank, size); }
std::optional<uint64_t> CsvReader::LastSequence() const { return impl_->LastSequence(); }
std::string CsvReader::Describe() const { return impl_->Describe(); }
const std::vector<CsvReject>& CsvReader::rejects() const { return impl_->rejects(); }
size_t CsvReader::rows_read() const { return impl_->rows_read(); }

std::unique_ptr<BatchReader> OpenCsv(const std::string& path, const CsvOptions& options) {
  return CsvReader::Open(path, options);
}

std::unique_ptr<BatchReader> OpenCsvBuffer(std::string_view bytes, const std::string& name,
                                           const CsvOptions& options) {
  return CsvReader::OpenBuffer(bytes, name, options);
}

}  // namespace sluice::io
