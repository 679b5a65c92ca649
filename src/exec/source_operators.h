#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "exec/operator.h"
#include "io/batch_reader.h"

namespace sluice::exec {

/// Is a shared, immutable list of batches: an in-memory table or a sink's output.
using BatchList = std::shared_ptr<const std::vector<core::Batch>>;

/// Scans batches held in memory; each batch is one morsel. Batches are shared, not copied.
class BatchScan final : public SourceOperator {
 public:
  /// Scans what `batches()` returns when the pipeline starts (a previous sink's output is
  /// only there once its pipeline ran).
  BatchScan(core::SchemaPtr schema, std::function<BatchList()> batches, std::string label);
  std::string name() const override { return "SCAN"; }
  std::string details() const override { return label_; }
  std::optional<Morsel> Next(LocalState* state) override;

 private:
  std::function<BatchList()> provider_;
  std::string label_;
  std::once_flag loaded_;
  BatchList batches_;
  std::atomic<size_t> next_ = 0;
};

/// Scans a file through its reader; the reader parses in parallel itself, so workers take
/// turns pulling its batches, or, from a concurrent reader (Parquet), decode on their threads.
class ReaderScan final : public SourceOperator {
 public:
  ReaderScan(std::unique_ptr<io::BatchReader> reader, std::string path);
  std::string name() const override { return "READ_FILE"; }
  std::string details() const override {
    std::string pushed = reader_->Describe();
    return pushed.empty() ? path_ : path_ + ", " + pushed;
  }
  std::optional<Morsel> Next(LocalState* state) override;
  bool KeepShare(int rank, int size) override { return reader_->KeepShare(rank, size); }

 private:
  std::unique_ptr<io::BatchReader> reader_;
  std::string path_;
  std::mutex mutex_;
  uint64_t sequence_ = 0;
};

}  // namespace sluice::exec
