#include "exec/source_operators.h"

namespace sluice::exec {

BatchScan::BatchScan(core::SchemaPtr schema, std::function<BatchList()> batches, std::string label)
    : SourceOperator(std::move(schema)), provider_(std::move(batches)), label_(std::move(label)) {}

std::optional<Morsel> BatchScan::Next(LocalState*) {
  std::call_once(loaded_, [this] { batches_ = provider_(); });
  size_t index = next_.fetch_add(1);
  if (batches_ == nullptr || index >= batches_->size()) return std::nullopt;
  return Morsel{(*batches_)[index].Share(), index};
}

ReaderScan::ReaderScan(std::unique_ptr<io::BatchReader> reader, std::string path)
    : SourceOperator(reader->schema()), reader_(std::move(reader)), path_(std::move(path)) {}

std::optional<Morsel> ReaderScan::Next(LocalState*) {
  if (reader_->concurrent()) {
    auto next = reader_->NextConcurrent();
    if (!next) return std::nullopt;
    return Morsel{std::move(next->batch), next->sequence};
  }
  std::lock_guard lock(mutex_);
  auto batch = reader_->Next();
  if (!batch) return std::nullopt;
  return Morsel{std::move(*batch), reader_->LastSequence().value_or(sequence_++)};
}

}  // namespace sluice::exec
