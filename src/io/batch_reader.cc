#include "io/batch_reader.h"

namespace sluice::io {
namespace {

template <typename T>
void Gather(const core::Vector& entries, const uint32_t* codes, size_t count, core::Vector& out) {
  const T* from = entries.data<T>();
  T* to = out.data<T>();
  for (size_t i = 0; i < count; ++i) to[i] = from[codes[i]];
}

}  // namespace

void FillFromCodes(const DictionaryCodes& codes, size_t count, core::Vector& vector) {
  const core::Vector& entries = *codes.entries;
  if (entries.size() == 0) return;  // every row is NULL
  switch (vector.type()) {
    case core::TypeId::kBoolean:
      return Gather<uint8_t>(entries, codes.codes, count, vector);
    case core::TypeId::kInteger:
    case core::TypeId::kDate:
      return Gather<int32_t>(entries, codes.codes, count, vector);
    case core::TypeId::kBigint:
    case core::TypeId::kTimestamp:
      return Gather<int64_t>(entries, codes.codes, count, vector);
    case core::TypeId::kDouble:
      return Gather<double>(entries, codes.codes, count, vector);
    case core::TypeId::kVarchar:
      if (entries.heap_ptr()) vector.heap().KeepAlive(entries.heap_ptr());
      return Gather<core::StringRef>(entries, codes.codes, count, vector);
  }
}

std::vector<core::Batch> ReadAll(BatchReader& reader) {
  std::vector<core::Batch> batches;
  while (auto batch = reader.Next()) batches.push_back(std::move(*batch));
  return batches;
}

}  // namespace sluice::io
