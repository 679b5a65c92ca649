#include "ml/matrix.h"

#include <algorithm>

namespace sluice::ml {

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
