#include "io/parquet/parquet_reader.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "base/error.h"
#include "base/task.h"
#include "io/parquet/column_reader.h"
#include "io/parquet/parquet_file.h"
#include "io/parquet/statistics.h"

namespace sluice::io {
namespace {

using parquet::ColumnDescriptor;
using parquet::ParquetFile;
using parquet::RowRanges;

/// Is how far the reading of one row group has come.
struct RowGroupCursor {
  size_t group = 0;
  RowRanges ranges;            // the rows to read
  size_t range = 0;            // the current range
  int64_t position = 0;        // the readers' next row
  int64_t remaining = 0;       // rows still to read
  size_t batches_left = 0;     // batches still to hand out
  uint64_t next_sequence = 0;  // the sequence number of the next batch
  std::vector<std::unique_ptr<parquet::ColumnReader>> readers;
  // When the row group is read in parts: this one's number, how many there are, and the pages
  // the parts share, one per projected column.
  size_t part = 0;
  size_t parts = 1;
  std::vector<std::shared_ptr<parquet::SharedPages>> shared;

  // Lets go of the readers (and shared pages) once every row is read.
  void Finish() {
    readers.clear();
    shared.clear();
  }
};

/// Reads a Parquet file's row groups (the last ones in parts, see SplitLastRowGroups()) decoded
/// on several threads, and hands out their batches in file order; row groups whose statistics
/// rule out the predicates are never read, and within the others, pages ruled out by the page
/// index are passed over.
class ParquetReader final : public BatchReader {
 public:
  ParquetReader(std::shared_ptr<const ParquetFile> file, const ParquetOptions& options)
      : file_(std::move(file)), predicates_(options.predicates) {
    Project(options.columns);
    threads_ = options.threads == 0 ? ThreadCount() : options.threads;
    uint64_t sequence = 0;
    for (size_t g = 0; g < file_->num_row_groups(); ++g) {
      if (!RowGroupMayMatch(g)) {
        ++skipped_row_groups_;
        continue;
      }
      cursors_.push_back(MakeCursor(g, sequence));
    }
  }

  const core::SchemaPtr& schema() const override { return schema_; }

  std::string Describe() const override {
    std::string text;
    if (!predicates_.empty()) text = "filters: " + ScanPredicatesToString(predicates_) + ", ";
    text += fmt::format("row groups: {} of {} skipped by statistics", skipped_row_groups_,
                        file_->num_row_groups());
    if (skipped_rows_ > 0) text += fmt::format(", {} rows by page index", skipped_rows_.load());
    return text + share_;
  }

  std::optional<core::Batch> Next() override {
    SplitLastRowGroups();
    while (ready_.empty()) {
      if (next_ >= cursors_.size()) return std::nullopt;
      DecodeWave();
    }
    core::Batch batch = std::move(ready_.front().batch);
    ready_.pop_front();
    return batch;
  }

  bool concurrent() const override { return true; }

  // Keeps every size-th row group left after the statistics, from the rank-th on: balanced
  // when there are several row groups per rank, so fewer than that are left to row slicing.
  bool KeepShare(int rank, int size) override {
    if (cursors_.size() < 2 * static_cast<size_t>(size)) return false;
    std::vector<std::unique_ptr<RowGroupCursor>> mine;
    for (size_t i = rank; i < cursors_.size(); i += size) mine.push_back(std::move(cursors_[i]));
    cursors_ = std::move(mine);
    share_ = fmt::format(", row groups of rank {} of {}", rank, size);
    return true;
  }

  void KeepDictionaryCodes(bool fill_values) override {
    keep_codes_ = true;
    fill_values_ = fill_values;
  }

  std::optional<SequencedBatch> NextConcurrent() override { return Claim(nullptr); }

  std::optional<SequencedBatch> TryNextConcurrent(bool* busy) override {
    *busy = false;
    return Claim(busy);
  }

  std::optional<uint64_t> BatchCount() const override {
    uint64_t batches = 0;
    for (const auto& cursor : cursors_) batches += cursor->batches_left;
    return batches;
  }

 private:
  // Each caller takes a ready batch, or else claims the next row group (or the next slice of
  // one) and decodes it on its own thread, so decoding runs on every worker at once. When
  // every slice left is being decoded, waits for one, or with `busy` says so.
  std::optional<SequencedBatch> Claim(bool* busy) {
    std::unique_lock lock(mutex_);
    SplitLastRowGroups();
    while (true) {
      if (!ready_.empty()) {
        SequencedBatch batch = std::move(ready_.front());
        ready_.pop_front();
        return batch;
      }
      if (!claimable_.empty()) break;
      if (decoding_ == 0) return std::nullopt;
      if (busy != nullptr) {
        *busy = true;
        return std::nullopt;
      }
      decoded_.wait(lock);
    }
    size_t index = claimable_.front();
    claimable_.pop_front();
    ++decoding_;
    lock.unlock();
    std::vector<SequencedBatch> batches;
    try {
      batches = DecodeSlice(*cursors_[index], kSliceBatches);
    } catch (...) {
      lock.lock();
      --decoding_;
      claimable_.clear();
      decoded_.notify_all();
      throw;
    }
    lock.lock();
    --decoding_;
    // A row group's next slice goes first, so that decoding stays near the consumers.
    if (cursors_[index]->remaining > 0)
      claimable_.push_front(index);
    else
      cursors_[index]->Finish();
    for (auto& batch : batches) ready_.push_back(std::move(batch));
    decoded_.notify_all();
    if (ready_.empty()) {
      lock.unlock();
      return Claim(busy);
    }
    SequencedBatch batch = std::move(ready_.front());
    ready_.pop_front();
    return batch;
  }

  void Project(const std::vector<std::string>& names) {
    const auto& columns = file_->columns();
    if (names.empty()) {
      for (size_t i = 0; i < columns.size(); ++i) projection_.push_back(i);
    } else {
      core::Schema all = *parquet::SchemaOf(columns);
      for (const std::string& name : names) {
        auto index = all.FindField(name);
        if (!index) Throw<UserError>("'{}' has no column '{}'", file_->path(), name);
        projection_.push_back(*index);
      }
    }
    std::vector<core::Field> fields;
    for (size_t index : projection_)
      fields.push_back({columns[index].name, columns[index].output_type});
    schema_ = std::make_shared<core::Schema>(std::move(fields));
  }

  std::optional<size_t> ColumnOf(const ScanPredicate& predicate) const {
    core::Schema all = *parquet::SchemaOf(file_->columns());
    return all.FindField(predicate.column);
  }

  bool RowGroupMayMatch(size_t group) const {
    int64_t rows = file_->metadata().row_groups[group].num_rows;
    for (const ScanPredicate& predicate : predicates_) {
      auto column = ColumnOf(predicate);
      if (!column || file_->columns()[*column].shape != parquet::Shape::kFlat) continue;
      const auto& meta = file_->ChunkMetadata(group, *column);
      if (!meta.__isset.statistics) continue;
      auto range = parquet::RangeOf(file_->columns()[*column], meta.statistics, rows);
      if (!parquet::MayMatch(predicate, range)) return false;
    }
    return true;
  }

  // Returns the rows of `group` that the page indexes of the predicates' columns leave.
  RowRanges SelectedRows(size_t group) const {
    int64_t rows = file_->metadata().row_groups[group].num_rows;
    RowRanges selected{{0, rows}};
    for (const ScanPredicate& predicate : predicates_) {
      auto column = ColumnOf(predicate);
      if (!column || file_->columns()[*column].shape != parquet::Shape::kFlat) continue;
      parquet::format::ColumnIndex column_index;
      parquet::format::OffsetIndex offset_index;
      if (!file_->PageIndex(group, *column, &column_index, &offset_index)) continue;
      selected = parquet::Intersect(
          selected, parquet::PagesThatMayMatch(file_->columns()[*column], predicate, column_index,
                                               offset_index, rows));
    }
    return selected;
  }

  // Decodes the next slices of row groups in parallel, for Next(): one slice per thread, the
  // first continuing the row group where the last wave stopped. A slice that does not finish
  // its row group ends the wave, so that batches come out in file order.
  void DecodeWave() {
    std::vector<RowGroupCursor*> tasks;
    for (size_t i = next_; i < cursors_.size() && tasks.size() < std::max<size_t>(threads_, 1);
         ++i) {
      tasks.push_back(cursors_[i].get());
      if (cursors_[i]->batches_left > kSliceBatches) break;
    }
    std::vector<std::vector<SequencedBatch>> decoded(tasks.size());
    std::vector<uint8_t> ran(tasks.size(), 0);
    ParallelFor(tasks.size(), [&](size_t i) {
      decoded[i] = DecodeSlice(*tasks[i], kSliceBatches);
      ran[i] = 1;
    });
    // A query that failed elsewhere cancels the scheduler's nested work: stop, not spin.
    if (std::find(ran.begin(), ran.end(), 0) != ran.end()) {
      Throw<UserError>("reading '{}' was cancelled", file_->path());
    }
    for (auto& batches : decoded) {
      for (auto& batch : batches) ready_.push_back(std::move(batch));
    }
    while (next_ < cursors_.size() && cursors_[next_]->remaining == 0) {
      cursors_[next_++]->Finish();
    }
  }

  // Splits each of the last row groups (one per thread) into parts read at the same time, so
  // that no thread waits alone for a whole row group at the end (or at all, when there is only
  // one): each part's readers pass over the rows before it, and decompress the pages the parts
  // share. Parts have at least kMinPartBatches batches. Done once, before the first batch (and
  // after KeepShare()); makes every cursor claimable.
  void SplitLastRowGroups() {
    if (split_) return;
    split_ = true;
    size_t left = cursors_.size() % threads_;  // row groups of the last, partial round
    size_t whole = cursors_.size() - left;
    std::vector<std::unique_ptr<RowGroupCursor>> cursors;
    for (size_t i = 0; i < cursors_.size(); ++i) {
      size_t parts = left == 0 ? 1 : (threads_ + left - 1) / left;
      parts = std::min(parts, cursors_[i]->batches_left / kMinPartBatches);
      if (i < whole || parts < 2) {
        cursors.push_back(std::move(cursors_[i]));
        continue;
      }
      std::vector<std::shared_ptr<parquet::SharedPages>> shared;
      for (size_t c = 0; c < projection_.size(); ++c) {
        shared.push_back(std::make_shared<parquet::SharedPages>());
      }
      for (auto& part : SplitCursor(*cursors_[i], parts)) {
        part->shared = shared;
        cursors.push_back(std::move(part));
      }
    }
    cursors_ = std::move(cursors);
    claimable_.clear();
    for (size_t i = 0; i < cursors_.size(); ++i) claimable_.push_back(i);
  }

  // Splits a row group's cursor into `parts` with about as many batches each. They cut at the
  // batches' bounds, so the parts' batches and sequence numbers are the whole's.
  static std::vector<std::unique_ptr<RowGroupCursor>> SplitCursor(const RowGroupCursor& whole,
                                                                  size_t parts) {
    std::vector<std::unique_ptr<RowGroupCursor>> out;
    size_t batch = 0;  // batches of `whole` given to parts so far
    auto step = static_cast<int64_t>(core::kVectorSize);
    for (size_t p = 0; p < parts; ++p) {
      size_t last = whole.batches_left * (p + 1) / parts;  // one beyond the part's last batch
      auto part = std::make_unique<RowGroupCursor>();
      part->group = whole.group;
      part->part = p;
      part->parts = parts;
      part->next_sequence = whole.next_sequence + batch;
      size_t seen = 0;  // batches of the ranges before the current one
      for (const auto& [begin, end] : whole.ranges) {
        auto batches = static_cast<size_t>((end - begin + step - 1) / step);
        size_t from = std::max(seen, batch), to = std::min(seen + batches, last);
        if (from < to) {
          int64_t first = begin + static_cast<int64_t>(from - seen) * step;
          int64_t stop = std::min(end, begin + static_cast<int64_t>(to - seen) * step);
          part->ranges.emplace_back(first, stop);
          part->remaining += stop - first;
          part->batches_left += to - from;
        }
        seen += batches;
      }
      batch = last;
      out.push_back(std::move(part));
    }
    return out;
  }

  std::unique_ptr<RowGroupCursor> MakeCursor(size_t group, uint64_t& sequence) const {
    auto cursor = std::make_unique<RowGroupCursor>();
    cursor->group = group;
    cursor->ranges = SelectedRows(group);
    int64_t rows = file_->metadata().row_groups[group].num_rows;
    for (const auto& [begin, end] : cursor->ranges) {
      cursor->remaining += end - begin;
      cursor->batches_left += static_cast<size_t>((end - begin + core::kVectorSize - 1) /
                                                  static_cast<int64_t>(core::kVectorSize));
    }
    cursor->next_sequence = sequence;
    sequence += cursor->batches_left;
    skipped_rows_ += rows - cursor->remaining;
    return cursor;
  }

  // Decodes up to `max_batches` batches of a row group (opening its column readers first).
  // Batches split at the ends of selected ranges and every kVectorSize rows, as MakeCursor
  // counted them.
  std::vector<SequencedBatch> DecodeSlice(RowGroupCursor& cursor, size_t max_batches) const {
    if (cursor.remaining == 0) return {};
    if (cursor.readers.empty()) {
      for (size_t c = 0; c < projection_.size(); ++c) {
        size_t column = projection_[c];
        auto chunk = file_->Chunk(cursor.group, column);
        cursor.readers.push_back(parquet::MakeColumnReader(
            file_->columns()[column],
            {chunk.data, chunk.size, file_->ChunkMetadata(cursor.group, column).codec,
             file_->Where(cursor.group, column),
             cursor.shared.empty() ? nullptr : cursor.shared[c]}));
      }
    }
    std::vector<SequencedBatch> batches;
    while (cursor.remaining > 0 && batches.size() < max_batches) {
      auto [begin, end] = cursor.ranges[cursor.range];
      if (cursor.position < begin) {
        // The parts of a row group start at different columns, so that the pages they share
        // are decompressed on several threads at once.
        size_t columns = cursor.readers.size();
        size_t first = cursor.part * columns / cursor.parts;
        for (size_t i = 0; i < columns; ++i) {
          cursor.readers[(first + i) % columns]->Skip(static_cast<size_t>(begin - cursor.position));
        }
        cursor.position = begin;
      }
      auto n = static_cast<size_t>(
          std::min<int64_t>(end - cursor.position, static_cast<int64_t>(core::kVectorSize)));
      // Every column reader writes all n values, NULLs included.
      core::Batch batch(schema_, n, core::Vector::ForOverwrite{});
      std::vector<DictionaryCodes> codes(keep_codes_ ? cursor.readers.size() : 0);
      for (DictionaryCodes& column : codes) column.values_left_out = !fill_values_;
      for (size_t c = 0; c < cursor.readers.size(); ++c) {
        cursor.readers[c]->Read(n, batch.column(c), 0, keep_codes_ ? &codes[c] : nullptr);
      }
      batch.SetNumRows(n);
      batches.push_back({std::move(batch), cursor.next_sequence++, std::move(codes)});
      cursor.position += static_cast<int64_t>(n);
      cursor.remaining -= static_cast<int64_t>(n);
      --cursor.batches_left;
      if (cursor.position == end) ++cursor.range;
    }
    return batches;
  }

  // Bounds the batches one task decodes at once (8,192 rows), and so the reader's memory;
  // small slices reach the pipeline while they are still in the cache.
  static constexpr size_t kSliceBatches = 4;
  // Bounds the parts of a split row group (32,768 rows).
  static constexpr size_t kMinPartBatches = 16;

  std::shared_ptr<const ParquetFile> file_;
  bool keep_codes_ = false;  // KeepDictionaryCodes()
  bool fill_values_ = true;
  std::vector<ScanPredicate> predicates_;
  std::vector<size_t> projection_;
  core::SchemaPtr schema_;
  size_t threads_ = 1;
  // The row groups to read (or parts of them, after SplitLastRowGroups()), in file order.
  std::vector<std::unique_ptr<RowGroupCursor>> cursors_;
  size_t next_ = 0;  // Next(): the first of cursors_ not finished
  size_t skipped_row_groups_ = 0;
  mutable std::atomic<int64_t> skipped_rows_ = 0;
  std::deque<SequencedBatch> ready_;  // decoded, not handed out
  // NextConcurrent(): cursors no thread decodes now, in order, and how many threads decode.
  std::mutex mutex_;
  std::condition_variable decoded_;
  std::deque<size_t> claimable_;
  std::string share_;   // for Describe(), when KeepShare() split the row groups
  bool split_ = false;  // SplitLastRowGroups() ran
  size_t decoding_ = 0;
};

}  // namespace

std::unique_ptr<BatchReader> OpenParquet(const std::string& path, const ParquetOptions& options) {
  return std::make_unique<ParquetReader>(parquet::ParquetFile::Open(path), options);
}

std::unique_ptr<BatchReader> OpenParquetBuffer(std::string_view bytes, const std::string& name,
                                               const ParquetOptions& options) {
  return std::make_unique<ParquetReader>(parquet::ParquetFile::OpenBuffer(bytes, name), options);
}

}  // namespace sluice::io
