#include "ml/matrix.h"

#include <algorithm>
#include <cstdint>

#include <sys/mman.h>

namespace sluice::ml {
namespace {

// Below this size the page faults cost little, and malloc serves the block from its heap.
constexpr size_t kHugePageMinBytes = size_t{4} << 20;
constexpr uintptr_t kHugePageBytes = uintptr_t{2} << 20;

// Advises the whole 2 MiB pages within [data, data + bytes) for transparent huge pages; the
// advice only asks, so a kernel without them, or one that refuses, changes nothing.
void AdviseHugePages(void* data, size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (bytes < kHugePageMinBytes) return;
  const uintptr_t begin =
      (reinterpret_cast<uintptr_t>(data) + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHugePageBytes - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace

Matrix::Matrix(size_t r, size_t c, double fill) : rows(r), cols(c) {
  values.reserve(r * c);  // allocated, not yet touched
  AdviseHugePages(values.data(), r * c * sizeof(double));
  values.assign(r * c, fill);
}

Matrix SelectRows(const Matrix& m, const std::vector<size_t>& indices) {
  Matrix out(indices.size(), m.cols);
  for (size_t i = 0; i < indices.size(); ++i) {
    std::copy_n(m.row(indices[i]), m.cols, out.row(i));
  }
  return out;
}

Labels SelectLabels(const Labels& y, const std::vector<size_t>& indices) {
  Labels out;
  out.num_classes = y.num_classes;
  out.values.reserve(indices.size());
  for (size_t index : indices) out.values.push_back(y.values[index]);
  return out;
}

}  // namespace sluice::ml
