#include "ml/gram.h"

#include <algorithm>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "ml/row_chunks.h"

namespace sluice::ml {
namespace {

using Eigen::Index;

// Columns per packed panel: a tile's row is two 4-double vectors.
constexpr size_t kPanel = 8;
// Rows per tile of the kernel (the other side of the 4 x 8 tile).
constexpr size_t kTileRows = 4;
// Rows centered and packed at a time: a panel (8 KB) stays in L1 while the tiles of a column
// of panels run over it, the whole block (width x 1 KB) in L2.
constexpr size_t kBlockRows = 128;

// Adds to the 4 x 8 tile `c` (row stride `stride`) the sums of the products a[r][k] * b[r][l]
// over `rows` packed rows (a and b: kPanel doubles per row, k < 4, l < 8). Each block's sums
// start from zero and are then added to `c`: a sum of a block's sums rounds less than one
// running sum over every row.
using TileKernel = void (*)(const double* a, const double* b, size_t rows, double* c,
                            size_t stride);

// Is two doubles, as SSE2 (or any 128-bit SIMD) holds them: a GCC and Clang vector extension,
// so the portable kernel needs no intrinsics.
using Pair = double __attribute__((vector_size(16)));

Pair LoadPair(const double* p) {
  Pair pair;
  std::memcpy(&pair, p, sizeof pair);
  return pair;
}

void StorePair(double* p, Pair pair) { std::memcpy(p, &pair, sizeof pair); }

void TilePortable(const double* a, const double* b, size_t rows, double* c, size_t stride) {
  // Two 4 x 4 halves: their eight sums and four operands fit in sixteen 128-bit registers,
  // written out row by row so that they stay there.
  for (size_t half = 0; half < kPanel; half += 4) {
    double* c0 = c + half;
    double* c1 = c0 + stride;
    double* c2 = c1 + stride;
    double* c3 = c2 + stride;
    Pair low0 = {0, 0}, high0 = {0, 0};
    Pair low1 = {0, 0}, high1 = {0, 0};
    Pair low2 = {0, 0}, high2 = {0, 0};
    Pair low3 = {0, 0}, high3 = {0, 0};
    for (size_t r = 0; r < rows; ++r) {
      const double* a_row = a + r * kPanel;
      const Pair b_low = LoadPair(b + r * kPanel + half);
      const Pair b_high = LoadPair(b + r * kPanel + half + 2);
      low0 += a_row[0] * b_low;
      high0 += a_row[0] * b_high;
      low1 += a_row[1] * b_low;
      high1 += a_row[1] * b_high;
      low2 += a_row[2] * b_low;
      high2 += a_row[2] * b_high;
      low3 += a_row[3] * b_low;
      high3 += a_row[3] * b_high;
    }
    StorePair(c0, LoadPair(c0) + low0);
    StorePair(c0 + 2, LoadPair(c0 + 2) + high0);
    StorePair(c1, LoadPair(c1) + low1);
    StorePair(c1 + 2, LoadPair(c1 + 2) + high1);
    StorePair(c2, LoadPair(c2) + low2);
    StorePair(c2 + 2, LoadPair(c2 + 2) + high2);
    StorePair(c3, LoadPair(c3) + low3);
    StorePair(c3 + 2, LoadPair(c3 + 2) + high3);
  }
}

#if defined(__x86_64__)
// TilePortable with each tile row's eight sums in two AVX registers and fused multiply-adds:
// the same products added in the same order. Written out row by row so that the sixteen sums
// stay in registers.
__attribute__((target("avx2,fma"))) void TileAvx2(const double* a, const double* b, size_t rows,
                                                  double* c, size_t stride) {
  double* c0 = c;
  double* c1 = c + stride;
  double* c2 = c + 2 * stride;
  double* c3 = c + 3 * stride;
  __m256d low0 = _mm256_setzero_pd(), high0 = _mm256_setzero_pd();
  __m256d low1 = _mm256_setzero_pd(), high1 = _mm256_setzero_pd();
  __m256d low2 = _mm256_setzero_pd(), high2 = _mm256_setzero_pd();
  __m256d low3 = _mm256_setzero_pd(), high3 = _mm256_setzero_pd();
  for (size_t r = 0; r < rows; ++r) {
    const double* a_row = a + r * kPanel;
    const __m256d b_low = _mm256_loadu_pd(b + r * kPanel);
    const __m256d b_high = _mm256_loadu_pd(b + r * kPanel + 4);
    __m256d a_k = _mm256_broadcast_sd(a_row);
    low0 = _mm256_fmadd_pd(a_k, b_low, low0);
    high0 = _mm256_fmadd_pd(a_k, b_high, high0);
    a_k = _mm256_broadcast_sd(a_row + 1);
    low1 = _mm256_fmadd_pd(a_k, b_low, low1);
    high1 = _mm256_fmadd_pd(a_k, b_high, high1);
    a_k = _mm256_broadcast_sd(a_row + 2);
    low2 = _mm256_fmadd_pd(a_k, b_low, low2);
    high2 = _mm256_fmadd_pd(a_k, b_high, high2);
    a_k = _mm256_broadcast_sd(a_row + 3);
    low3 = _mm256_fmadd_pd(a_k, b_low, low3);
    high3 = _mm256_fmadd_pd(a_k, b_high, high3);
  }
  _mm256_storeu_pd(c0, _mm256_add_pd(_mm256_loadu_pd(c0), low0));
  _mm256_storeu_pd(c0 + 4, _mm256_add_pd(_mm256_loadu_pd(c0 + 4), high0));
  _mm256_storeu_pd(c1, _mm256_add_pd(_mm256_loadu_pd(c1), low1));
  _mm256_storeu_pd(c1 + 4, _mm256_add_pd(_mm256_loadu_pd(c1 + 4), high1));
  _mm256_storeu_pd(c2, _mm256_add_pd(_mm256_loadu_pd(c2), low2));
  _mm256_storeu_pd(c2 + 4, _mm256_add_pd(_mm256_loadu_pd(c2 + 4), high2));
  _mm256_storeu_pd(c3, _mm256_add_pd(_mm256_loadu_pd(c3), low3));
  _mm256_storeu_pd(c3 + 4, _mm256_add_pd(_mm256_loadu_pd(c3 + 4), high3));
}
#endif

TileKernel KernelOf(GramKernel kernel) {
#if defined(__x86_64__)
  if (kernel == GramKernel::kAvx2) return TileAvx2;
#endif
  return TilePortable;
}

// Writes rows [begin, begin + rows) of [x, y] - center into `packed`: value (r, column) at
// ((column / kPanel) * rows + r) * kPanel + column % kPanel, zero past the last column. The
// label is the last column, so it is in the last panel.
void PackBlock(const Matrix& x, std::span<const double> y, const std::vector<double>& center,
               size_t begin, size_t rows, double* packed) {
  const size_t cols = x.cols;
  const size_t full_panels = cols / kPanel;
  for (size_t r = 0; r < rows; ++r) {
    const double* row = x.row(begin + r);
    for (size_t p = 0; p < full_panels; ++p) {
      double* out = packed + (p * rows + r) * kPanel;
      for (size_t l = 0; l < kPanel; ++l) out[l] = row[p * kPanel + l] - center[p * kPanel + l];
    }
    // The last panel holds the rest of x's columns, the label, and zeros.
    double* out = packed + (full_panels * rows + r) * kPanel;
    for (size_t l = 0; l < kPanel; ++l) {
      const size_t column = full_panels * kPanel + l;
      out[l] = column < cols    ? row[column] - center[column]
               : column == cols ? y[begin + r] - center[cols]
                                : 0;
    }
  }
}

// Adds the products of the rows `range` to `sums` (row-major, `panels` * kPanel square; the
// tiles on and above the diagonal).
void AccumulateRange(const Matrix& x, std::span<const double> y, const std::vector<double>& center,
                     size_t panels, RowRange range, TileKernel tile, std::vector<double>& sums) {
  const size_t stride = panels * kPanel;
  std::vector<double> packed(panels * kBlockRows * kPanel);
  for (size_t begin = range.begin; begin < range.end; begin += kBlockRows) {
    const size_t rows = std::min(kBlockRows, range.end - begin);
    PackBlock(x, y, center, begin, rows, packed.data());
    for (size_t j = 0; j < panels; ++j) {
      const double* b = packed.data() + j * rows * kPanel;
      for (size_t i = 0; i <= j; ++i) {
        for (size_t half = 0; half < kPanel / kTileRows; ++half) {
          const double* a = packed.data() + i * rows * kPanel + half * kTileRows;
          double* c = sums.data() + (i * kPanel + half * kTileRows) * stride + j * kPanel;
          tile(a, b, rows, c, stride);
        }
      }
    }
  }
}

}  // namespace

bool HasGramKernel(GramKernel kernel) {
  if (kernel == GramKernel::kPortable) return true;
#if defined(__x86_64__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

GramKernel BestGramKernel() {
  static const GramKernel best =
      HasGramKernel(GramKernel::kAvx2) ? GramKernel::kAvx2 : GramKernel::kPortable;
  return best;
}

Eigen::VectorXd ColumnSums(const Matrix& x, int threads) {
  const std::vector<RowRange> chunks = RowChunks(x.rows, threads);
  std::vector<std::vector<double>> partials(chunks.size());
  ForEachChunk(chunks, [&](size_t c, RowRange range) {
    std::vector<double> sums(x.cols, 0.0);
    for (size_t r = range.begin; r < range.end; ++r) {
      const double* row = x.row(r);
      size_t j = 0;
      for (; j + 2 <= x.cols; j += 2) StorePair(&sums[j], LoadPair(&sums[j]) + LoadPair(row + j));
      if (j < x.cols) sums[j] += row[j];
    }
    partials[c] = std::move(sums);
  });
  Eigen::VectorXd total = Eigen::VectorXd::Zero(static_cast<Index>(x.cols));
  for (const std::vector<double>& sums : partials) {
    total += Eigen::Map<const Eigen::VectorXd>(sums.data(), static_cast<Index>(sums.size()));
  }
  return total;
}

CenteredProducts CenteredGram(const Matrix& x, std::span<const double> y,
                              const Eigen::VectorXd& x_mean, double y_mean, int threads,
                              GramKernel kernel) {
  const size_t d = x.cols;
  const size_t panels = (d + 1 + kPanel - 1) / kPanel;  // x's columns and the label
  const size_t stride = panels * kPanel;
  std::vector<double> center(x_mean.data(), x_mean.data() + d);
  center.push_back(y_mean);
  const TileKernel tile = KernelOf(kernel);
  const std::vector<RowRange> chunks = RowChunks(x.rows, threads);
  std::vector<std::vector<double>> partials(chunks.size());
  ForEachChunk(chunks, [&](size_t c, RowRange range) {
    std::vector<double> sums(stride * stride, 0.0);
    AccumulateRange(x, y, center, panels, range, tile, sums);
    partials[c] = std::move(sums);
  });
  std::vector<double> sums = std::move(partials[0]);
  for (size_t c = 1; c < partials.size(); ++c) {
    for (size_t i = 0; i < sums.size(); ++i) sums[i] += partials[c][i];
  }
  CenteredProducts out;
  out.gram.resize(static_cast<Index>(d), static_cast<Index>(d));
  out.cross.resize(static_cast<Index>(d));
  for (size_t i = 0; i < d; ++i) {
    for (size_t j = i; j < d; ++j) {
      out.gram(static_cast<Index>(i), static_cast<Index>(j)) = sums[i * stride + j];
      out.gram(static_cast<Index>(j), static_cast<Index>(i)) = sums[i * stride + j];
    }
    out.cross[static_cast<Index>(i)] = sums[i * stride + d];
  }
  out.y_squares = sums[d * stride + d];
  return out;
}

}  // namespace sluice::ml
