#include "exec/gather.h"

#include <cstring>

namespace sluice::exec {
namespace {

template <typename T>
void GatherValues(const core::Vector& source, const int64_t* rows, size_t count,
                  core::Vector& target) {
  const T* in = source.data<T>();
  T* out = target.data<T>();
  for (size_t i = 0; i < count; ++i) out[i] = rows[i] < 0 ? T{} : in[rows[i]];
}

}  // namespace

void GatherColumn(const core::Vector& source, const int64_t* rows, size_t count,
                  core::Vector& target) {
  target = core::Vector(source.type(), std::max<size_t>(count, 1));
  target.set_size(count);
  switch (core::TypeWidth(source.type())) {
    case 1:
      GatherValues<uint8_t>(source, rows, count, target);
      break;
    case 4:
      GatherValues<int32_t>(source, rows, count, target);
      break;
    case 8:
      GatherValues<int64_t>(source, rows, count, target);
      break;
    default:
      GatherValues<core::StringRef>(source, rows, count, target);
      break;
  }
  for (size_t i = 0; i < count; ++i) {
    if (rows[i] < 0 || source.IsNull(rows[i])) target.SetNull(i);
  }
  if (source.type() == core::TypeId::kVarchar && source.heap_ptr() != nullptr) {
    target.heap().KeepAlive(source.heap_ptr());
  }
}

core::Batch Flatten(core::Batch batch) {
  if (!batch.selection()) return batch;
  size_t count = batch.num_rows();
  std::vector<int64_t> rows(batch.selection()->begin(), batch.selection()->end());
  core::Batch flat(batch.schema_ptr(), 0);
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    GatherColumn(batch.column(c), rows.data(), count, flat.column(c));
  }
  flat.SetNumRows(count);
  return flat;
}

}  // namespace sluice::exec
