#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include <Eigen/Core>

#include "ml/matrix.h"

namespace sluice::ml {

/// Is the rows [begin, end) of a matrix.
struct RowRange {
  size_t begin = 0;
  size_t end = 0;

  size_t size() const { return end - begin; }
};

/// Is a read-only row-major Eigen view of some rows of a Matrix.
using RowsView =
    Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

/// Below this many rows per chunk, splitting work across threads costs more than it saves.
inline constexpr size_t kMinRowsPerChunk = 4096;

/// Returns the ranges splitting `rows` into at most `threads` chunks (0: the scheduler's
/// count) of at least `min_rows` rows each, or into one chunk; in order, covering all rows.
std::vector<RowRange> RowChunks(size_t rows, int threads, size_t min_rows = kMinRowsPerChunk);

/// Runs `body(chunk_index, range)` for every chunk, on the task scheduler when there are
/// several; rethrows the first exception once all calls have ended.
void ForEachChunk(const std::vector<RowRange>& chunks,
                  const std::function<void(size_t, RowRange)>& body);

/// Returns a view of the rows `range` of `x`, valid while `x` lives and keeps its size.
RowsView RowsOf(const Matrix& x, RowRange range);

}  // namespace sluice::ml
