#include "io/batch_reader.h"

namespace sluice::io {

std::vector<core::Batch> ReadAll(BatchReader& reader) {
  std::vector<core::Batch> batches;
  while (auto batch = reader.Next()) batches.push_back(std::move(*batch));
  return batches;
}

}  // namespace sluice::io
