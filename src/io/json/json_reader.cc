#include "io/json/json_reader.h"

#include <algorithm>
#include <deque>

#include "base/error.h"
#include "base/task.h"
#include "io/file.h"
#include "io/json/record_chunks.h"
#include "io/json/record_converter.h"
#include "io/json/record_scanner.h"
#include "io/json/schema_inference.h"

namespace sluice::io {
namespace {

// Is the bound on widening rounds of the first window: each round widens a type or adds a
// column, so a real input never comes close.
constexpr int kMaxWideningRounds = 10'000;

// Streams the records of a JSON input as batches, a window of input at a time: the window's
// records are split by a scan, converted in parallel chunks, and queued in file order.
class JsonReader final : public BatchReader {
 public:
  JsonReader(std::unique_ptr<FileBytes> file, std::string bytes, std::string name,
             JsonOptions options)
      : file_(std::move(file)),
        bytes_(std::move(bytes)),
        input_(file_ ? file_->view() : std::string_view(bytes_)),
        name_(std::move(name)),
        options_(std::move(options)),
        format_(options_.format == JsonFormat::kAuto ? DetectJsonFormat(input_) : options_.format),
        scanner_(input_, format_, name_) {}

  // Infers the schema and converts the first window, widening types until every value fits.
  void Start() {
    columns_ = InferColumns(input_, format_, name_, options_);
    sampled_records_ = options_.sample_rows;
    plan_ = ConversionPlan::Make(columns_, options_);
    LoadWindow(true);
  }

  const core::SchemaPtr& schema() const override { return plan_.schema(); }

  std::optional<core::Batch> Next() override {
    while (ready_.empty()) {
      if (!LoadWindow(false)) return std::nullopt;
    }
    core::Batch batch = std::move(ready_.front());
    ready_.pop_front();
    return batch;
  }

 private:
  bool LoadWindow(bool first);
  std::vector<ChunkResult> ScanAndConvert(std::vector<RecordChunk>& chunks);
  std::vector<ChunkResult> ConvertWindow(const std::vector<RecordChunk>& chunks) const;
  void ThrowFirstFailure(const std::vector<RecordChunk>& chunks,
                         const std::vector<ChunkResult>& results) const;
  bool Widen(const std::vector<ChunkResult>& results);
  [[noreturn]] void ThrowMismatch(const std::vector<RecordChunk>& chunks,
                                  const std::vector<ChunkResult>& results) const;

  std::unique_ptr<FileBytes> file_;
  std::string bytes_;
  std::string_view input_;
  std::string name_;
  JsonOptions options_;
  JsonFormat format_;
  RecordScanner scanner_;
  ColumnSet columns_;
  ConversionPlan plan_;
  size_t sampled_records_ = 0;
  std::vector<RecordSpan> window_;
  size_t window_first_record_ = 0;
  std::deque<core::Batch> ready_;
};

bool JsonReader::LoadWindow(bool first) {
  window_first_record_ += window_.size();
  window_.clear();
  std::vector<RecordChunk> chunks;
  std::vector<ChunkResult> results = ScanAndConvert(chunks);
  if (chunks.empty()) return false;
  for (int round = 0;; ++round) {
    SLUICE_CHECK(round < kMaxWideningRounds);
    if (round > 0) results = ConvertWindow(chunks);
    ThrowFirstFailure(chunks, results);
    bool fits = true;
    for (const ChunkResult& result : results) {
      for (const Mismatch& mismatch : result.mismatches) fits &= !first && mismatch.soft;
    }
    if (fits) {
      for (ChunkResult& result : results) ready_.push_back(std::move(*result.batch));
      return true;
    }
    if (!first) ThrowMismatch(chunks, results);
    // Nothing was handed out yet: widen the types and convert the window again.
    if (!Widen(results)) ThrowMismatch(chunks, results);
  }
}

// Scans the next window a chunk at a time, converting each chunk on the task scheduler while
// the next one is scanned: the scan is sequential, so it overlaps the parallel work.
std::vector<ChunkResult> JsonReader::ScanAndConvert(std::vector<RecordChunk>& chunks) {
  std::deque<ChunkResult> pending;  // A deque: running tasks hold references to its elements.
  WithThreads(options_.threads, [&] {
    TaskGroup group;
    std::vector<RecordSpan> spans;
    size_t start = scanner_.position();
    size_t end = start + WindowBytes(options_);
    while (window_.size() < kMaxWindowRecords && scanner_.position() < end) {
      spans.clear();
      size_t max_bytes = std::min(kMaxChunkBytes, end - scanner_.position());
      if (!scanner_.Next(max_bytes, core::kVectorSize, spans)) break;
      chunks.push_back({window_.size(), window_.size() + spans.size()});
      window_.insert(window_.end(), spans.begin(), spans.end());
      ChunkResult& result = pending.emplace_back();
      group.Run([this, &result, spans] { result = ConvertChunk(plan_, input_, spans); });
    }
    group.Wait();
  });
  return {std::make_move_iterator(pending.begin()), std::make_move_iterator(pending.end())};
}

std::vector<ChunkResult> JsonReader::ConvertWindow(const std::vector<RecordChunk>& chunks) const {
  std::vector<ChunkResult> results(chunks.size());
  std::span<const RecordSpan> window(window_);
  ForEachChunk(chunks.size(), options_.threads, [&](size_t c) {
    results[c] = ConvertChunk(plan_, input_,
                              window.subspan(chunks[c].begin, chunks[c].end - chunks[c].begin));
  });
  return results;
}

void JsonReader::ThrowFirstFailure(const std::vector<RecordChunk>& chunks,
                                   const std::vector<ChunkResult>& results) const {
  for (size_t c = 0; c < chunks.size(); ++c) {
    if (!results[c].failure) continue;
    size_t record = chunks[c].begin + results[c].failure->record;
    ThrowRecordError(name_, input_, window_[record], window_first_record_ + record + 1,
                     results[c].failure->message);
  }
}

bool JsonReader::Widen(const std::vector<ChunkResult>& results) {
  bool changed = false;
  for (const ChunkResult& result : results) {
    for (const Mismatch& mismatch : result.mismatches) {
      size_t source = mismatch.source ? *mismatch.source : columns_.Add(mismatch.name);
      ColumnInfo& column = columns_.column(source);
      if (column.forced) continue;
      TypeGuess before = column.guess;
      column.guess.Merge(mismatch.observed);
      changed |= !mismatch.source || before.Resolve() != column.guess.Resolve() || before.empty();
    }
  }
  if (changed) plan_ = ConversionPlan::Make(columns_, options_);
  return changed;
}

void JsonReader::ThrowMismatch(const std::vector<RecordChunk>& chunks,
                               const std::vector<ChunkResult>& results) const {
  for (size_t c = 0; c < chunks.size(); ++c) {
    const Mismatch* first = nullptr;
    for (const Mismatch& mismatch : results[c].mismatches) {
      if (!mismatch.soft && (first == nullptr || mismatch.record < first->record))
        first = &mismatch;
    }
    if (first == nullptr) continue;
    size_t record = chunks[c].begin + first->record;
    std::string sample = sampled_records_ == 0
                             ? std::string("the records")
                             : fmt::format("the first {} records", sampled_records_);
    std::string message =
        first->source
            ? fmt::format("value does not fit the type {} inferred from {}: column '{}', value {}",
                          core::TypeName(columns_.column(*first->source).type()), sample,
                          first->name, first->value)
            : fmt::format("key not seen in {}: column '{}', value {}", sample, first->name,
                          first->value);
    ThrowRecordError(name_, input_, window_[record], window_first_record_ + record + 1, message,
                     "; hint: read with sample_rows = 0 or force the column's type");
  }
  throw InternalError("a JSON window had mismatches but none to report");
}

std::unique_ptr<BatchReader> Open(std::unique_ptr<FileBytes> file, std::string bytes,
                                  std::string name, const JsonOptions& options) {
  auto reader =
      std::make_unique<JsonReader>(std::move(file), std::move(bytes), std::move(name), options);
  reader->Start();
  return reader;
}

}  // namespace

std::unique_ptr<BatchReader> OpenJson(const std::string& path, const JsonOptions& options) {
  return Open(FileBytes::Open(path), std::string(), path, options);
}

std::unique_ptr<BatchReader> OpenJsonBuffer(std::string bytes, std::string name,
                                            const JsonOptions& options) {
  return Open(nullptr, std::move(bytes), std::move(name), options);
}

}  // namespace sluice::io
