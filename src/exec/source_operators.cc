#include "exec/source_operators.h"

namespace sluice::exec {
namespace {

// Returns a batch that shares `source`'s vectors and selection without copying values.
core::Batch ShareBatch(const core::Batch& source) {
  core::Batch copy(source.schema_ptr(), 0);
  for (size_t c = 0; c < source.num_columns(); ++c) copy.column(c).Reference(source.column(c));
  copy.SetNumRows(source.num_physical_rows());
  if (source.selection()) copy.SetSelection(*source.selection());
  return copy;
}

}  // namespace

BatchScan::BatchScan(core::SchemaPtr schema, std::function<BatchList()> batches, std::string label)
    : SourceOperator(std::move(schema)), provider_(std::move(batches)), label_(std::move(label)) {}

std::optional<Morsel> BatchScan::Next(LocalState*) {
  std::call_once(loaded_, [this] { batches_ = provider_(); });
  size_t index = next_.fetch_add(1);
  if (batches_ == nullptr || index >= batches_->size()) return std::nullopt;
  return Morsel{ShareBatch((*batches_)[index]), index};
}

ReaderScan::ReaderScan(std::unique_ptr<io::BatchReader> reader, std::string path)
    : SourceOperator(reader->schema()), reader_(std::move(reader)), path_(std::move(path)) {}

std::optional<Morsel> ReaderScan::Next(LocalState*) {
  std::lock_guard lock(mutex_);
  auto batch = reader_->Next();
  if (!batch) return std::nullopt;
  return Morsel{std::move(*batch), sequence_++};
}

}  // namespace sluice::exec
