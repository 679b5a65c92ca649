#include "ml/row_chunks.h"

#include <algorithm>

#include "base/task.h"

namespace sluice::ml {

std::vector<RowRange> RowChunks(size_t rows, int threads, size_t min_rows) {
  const size_t limit = threads > 0 ? static_cast<size_t>(threads) : ThreadCount();
  const size_t count = std::clamp<size_t>(rows / min_rows, 1, std::max<size_t>(limit, 1));
  std::vector<RowRange> chunks;
  for (size_t c = 0; c < count; ++c) chunks.push_back({rows * c / count, rows * (c + 1) / count});
  return chunks;
}

void ForEachChunk(const std::vector<RowRange>& chunks,
                  const std::function<void(size_t, RowRange)>& body) {
  if (chunks.size() == 1) return body(0, chunks[0]);
  ParallelFor(chunks.size(), [&](size_t c) { body(c, chunks[c]); });
}

RowsView RowsOf(const Matrix& x, RowRange range) {
  return {x.values.data() + range.begin * x.cols, static_cast<Eigen::Index>(range.size()),
          static_cast<Eigen::Index>(x.cols)};
}

}  // namespace sluice::ml
