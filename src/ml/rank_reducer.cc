#include "ml/rank_reducer.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace sluice::ml {
namespace {

// Maps a double to an unsigned key in the same order (negative values reversed below positive).
uint64_t OrderKey(double value) {
  const auto bits = std::bit_cast<uint64_t>(value);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

double FromOrderKey(uint64_t key) {
  const uint64_t bits = (key >> 63) != 0 ? key & ~(uint64_t{1} << 63) : ~key;
  return std::bit_cast<double>(bits);
}

}  // namespace

void RunTogether(RankReducer& ranks, const std::function<void()>& step) {
  std::exception_ptr failure;
  try {
    step();
  } catch (...) {
    failure = std::current_exception();
  }
  ranks.Agree(failure);
}

double SumOverRanks(RankReducer& ranks, double value) {
  ranks.AllReduce(std::span<double>(&value, 1), Reduction::kSum);
  return value;
}

size_t SumOverRanks(RankReducer& ranks, size_t value) {
  auto count = static_cast<int64_t>(value);
  ranks.AllReduce(std::span<int64_t>(&count, 1), Reduction::kSum);
  return static_cast<size_t>(count);
}

std::vector<size_t> CountsOfRanks(RankReducer& ranks, size_t value) {
  std::vector<int64_t> counts(static_cast<size_t>(ranks.size()), 0);
  counts[static_cast<size_t>(ranks.rank())] = static_cast<int64_t>(value);
  ranks.AllReduce(counts, Reduction::kSum);
  return {counts.begin(), counts.end()};
}

std::vector<double> KthOverRanks(RankReducer& ranks, std::vector<std::vector<double>> values,
                                 const std::vector<size_t>& k) {
  std::vector<std::vector<uint64_t>> keys(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    for (double v : values[i]) keys[i].push_back(OrderKey(v));
    std::sort(keys[i].begin(), keys[i].end());
  }
  // Per column the smallest key whose count of keys <= it exceeds k: the answer's key.
  std::vector<uint64_t> low(values.size(), 0);
  std::vector<uint64_t> high(values.size(), std::numeric_limits<uint64_t>::max());
  std::vector<int64_t> counts(values.size());
  for (int round = 0; round < 64; ++round) {
    for (size_t i = 0; i < values.size(); ++i) {
      const uint64_t middle = low[i] + (high[i] - low[i]) / 2;
      counts[i] = std::upper_bound(keys[i].begin(), keys[i].end(), middle) - keys[i].begin();
    }
    ranks.AllReduce(counts, Reduction::kSum);
    for (size_t i = 0; i < values.size(); ++i) {
      const uint64_t middle = low[i] + (high[i] - low[i]) / 2;
      if (static_cast<size_t>(counts[i]) > k[i]) {
        high[i] = middle;
      } else {
        low[i] = middle + 1;
      }
    }
  }
  std::vector<double> out;
  for (uint64_t key : high) out.push_back(FromOrderKey(key));
  return out;
}

}  // namespace sluice::ml
