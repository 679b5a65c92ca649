// TableProfiler and ProfileReader, declared in column_profiler.h.

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "base/error.h"
#include "base/task.h"
#include "catalog/column_profiler.h"
#include "catalog/sample_rows.h"

namespace sluice::catalog {
namespace {

// Profiles the batches of a reader that is not concurrent: this thread reads, tasks profile,
// each with a profiler from a pool (about one per thread). When too many batches wait, this
// thread profiles one itself instead of reading on, which bounds the memory held.
TableProfiler ProfileSequentialReader(io::BatchReader& reader, const ProfileOptions& options,
                                      size_t threads, std::string& sample_json) {
  std::mutex mutex;
  std::vector<std::unique_ptr<TableProfiler>> pool;
  std::vector<TableProfiler*> idle;
  auto profile = [&](const core::Batch& batch) {
    TableProfiler* profiler = nullptr;
    {
      std::lock_guard lock(mutex);
      if (idle.empty()) {
        pool.push_back(std::make_unique<TableProfiler>(*reader.schema(), options));
        idle.push_back(pool.back().get());
      }
      profiler = idle.back();
      idle.pop_back();
    }
    profiler->AddBatch(batch);
    std::lock_guard lock(mutex);
    idle.push_back(profiler);
  };
  std::atomic<size_t> waiting{0};
  TaskGroup tasks;
  while (auto batch = reader.Next()) {
    if (sample_json.empty())
      sample_json = SampleRowsJson({&*batch, 1}, *reader.schema(), options.sample_rows);
    if (threads <= 1 || waiting.load() >= 2 * threads) {
      profile(*batch);
      continue;
    }
    ++waiting;
    // std::function needs a copyable task: the batch is shared.
    auto shared = std::make_shared<core::Batch>(std::move(*batch));
    tasks.Run([&, shared] {
      profile(*shared);
      --waiting;
    });
  }
  tasks.Wait();
  TableProfiler result(*reader.schema(), options);
  for (auto& profiler : pool) result.Merge(std::move(*profiler));
  return result;
}

}  // namespace

TableProfiler::TableProfiler(const core::Schema& schema, const ProfileOptions& options) {
  columns_.reserve(schema.num_fields());
  for (const core::Field& field : schema.fields()) {
    columns_.emplace_back(field.name, field.type, options);
  }
}

void TableProfiler::AddBatch(const core::Batch& batch, std::span<const io::DictionaryCodes> codes) {
  SLUICE_DCHECK(batch.num_columns() == columns_.size());
  SLUICE_DCHECK(codes.empty() || codes.size() == columns_.size());
  const auto& selection = batch.selection();
  for (size_t i = 0; i < columns_.size(); ++i) {
    const io::DictionaryCodes* coded = codes.empty() ? nullptr : &codes[i];
    if (selection) {
      columns_[i].Add(batch.column(i), std::span<const uint32_t>(*selection), coded);
    } else {
      columns_[i].Add(batch.column(i), batch.num_physical_rows(), coded);
    }
  }
  rows_ += static_cast<int64_t>(batch.num_rows());
}

void TableProfiler::FillNeededValues(core::Batch& batch,
                                     std::span<io::DictionaryCodes> codes) const {
  for (size_t i = 0; i < codes.size(); ++i) {
    if (!codes[i].values_left_out || columns_[i].CountsByCodes(codes[i])) continue;
    io::FillFromCodes(codes[i], batch.num_physical_rows(), batch.column(i));
    codes[i].values_left_out = false;
  }
}

void TableProfiler::Merge(TableProfiler&& other) {
  SLUICE_DCHECK(other.columns_.size() == columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) columns_[i].Merge(std::move(other.columns_[i]));
  rows_ += other.rows_;
}

TableProfile TableProfiler::Finish() {
  TableProfile profile;
  profile.rows = rows_;
  for (ColumnProfiler& column : columns_) profile.columns.push_back(column.Finish());
  return profile;
}

TableProfile ProfileReader(io::BatchReader& reader, const ProfileOptions& options) {
  size_t threads = std::max<size_t>(ThreadCount(), 1);
  std::string sample_json;
  if (!reader.concurrent()) {
    TableProfile profile = ProfileSequentialReader(reader, options, threads, sample_json).Finish();
    profile.sample_json = sample_json.empty() ? "[]" : std::move(sample_json);
    return profile;
  }
  // Values the profilers count by their codes need not be gathered by the reader.
  reader.KeepDictionaryCodes(false);
  std::vector<TableProfiler> profilers;
  for (size_t i = 0; i < threads; ++i) profilers.emplace_back(*reader.schema(), options);
  ParallelFor(threads, [&](size_t i) {
    while (auto batch = reader.NextConcurrent()) {
      // The first batch in source order holds the first rows (one thread sees sequence 0).
      if (batch->sequence == 0) {
        for (size_t c = 0; c < batch->codes.size(); ++c) {
          io::DictionaryCodes& codes = batch->codes[c];
          if (codes.values_left_out)
            io::FillFromCodes(codes, batch->batch.num_physical_rows(), batch->batch.column(c));
          codes.values_left_out = false;
        }
        sample_json = SampleRowsJson({&batch->batch, 1}, *reader.schema(), options.sample_rows);
      }
      profilers[i].FillNeededValues(batch->batch, batch->codes);
      profilers[i].AddBatch(batch->batch, batch->codes);
    }
  });
  for (size_t i = 1; i < threads; ++i) profilers[0].Merge(std::move(profilers[i]));
  TableProfile profile = profilers[0].Finish();
  profile.sample_json = sample_json.empty() ? "[]" : std::move(sample_json);
  return profile;
}

}  // namespace sluice::catalog
