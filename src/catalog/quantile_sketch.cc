#include "catalog/quantile_sketch.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "base/error.h"

namespace sluice::catalog {
namespace {

// (2/3)^depth: how the capacity of a level shrinks with its depth below the top.
constexpr double kShrinkPowers[] = {1.0,        2.0 / 3,    4.0 / 9,      8.0 / 27,    16.0 / 81,
                                    32.0 / 243, 64.0 / 729, 128.0 / 2187, 256.0 / 6561};
static_assert(std::size(kShrinkPowers) >= QuantileSketch::kMaxLevels + 1);

// Merges the sorted `values` into the sorted `level`.
void MergeSorted(std::vector<double>& level, const std::vector<double>& values) {
  size_t middle = level.size();
  level.insert(level.end(), values.begin(), values.end());
  std::inplace_merge(level.begin(), level.begin() + static_cast<ptrdiff_t>(middle), level.end());
}

}  // namespace

QuantileSketch::QuantileSketch(uint32_t k, uint64_t seed) : k_(k), random_state_(seed) {
  SLUICE_CHECK(k >= kMinWidth);
  levels_.resize(1);
  UpdateCapacity();
}

uint64_t QuantileSketch::Random() {
  // splitmix64
  uint64_t z = (random_state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void QuantileSketch::UpdateCapacity() {
  size_t top = levels_.size() - 1;
  widths_.assign(levels_.size(), 0);
  capacity_ = 0;
  retained_ = 0;
  for (size_t h = base_; h <= top; ++h) {
    // Levels below kMaxLevels from the top are raised away before they are ever compacted.
    size_t depth = std::min(top - h, kMaxLevels);
    widths_[h] = std::max(static_cast<size_t>(k_ * kShrinkPowers[depth]), kMinWidth);
    capacity_ += widths_[h];
    retained_ += levels_[h].size();
  }
}

void QuantileSketch::AddRange(double low, double high, size_t added) {
  if (count_ == 0) min_ = max_ = low;
  min_ = std::min(min_, low);
  max_ = std::max(max_, high);
  count_ += static_cast<int64_t>(added);
}

template <typename T>
void QuantileSketch::AddValues(std::span<const T> values) {
  size_t i = 0;
  while (i < values.size()) {
    if (base_ == 0) {
      size_t take = std::min(capacity_ - retained_, values.size() - i);
      std::vector<double>& bottom = levels_[0];
      size_t at = bottom.size();
      bottom.resize(at + take);
      for (size_t j = 0; j < take; ++j) bottom[at + j] = static_cast<double>(values[i + j]);
      retained_ += take;
      i += take;
      if (retained_ >= capacity_) Compress();
      continue;
    }
    // Only the chosen value of each block is looked at.
    uint64_t block = uint64_t{1} << base_;
    uint64_t take = std::min<uint64_t>(block - block_seen_, values.size() - i);
    if (chosen_ >= block_seen_ && chosen_ < block_seen_ + take) {
      candidate_ = static_cast<double>(values[i + (chosen_ - block_seen_)]);
    }
    block_seen_ += take;
    i += take;
    if (block_seen_ == block) {
      block_seen_ = 0;
      chosen_ = Random() & (block - 1);
      AppendBottom(candidate_);
    }
  }
}

void QuantileSketch::AddMany(std::span<const double> values) {
  if (values.empty()) return;
  double low = values[0];
  double high = values[0];
  for (double value : values) {
    low = value < low ? value : low;
    high = value > high ? value : high;
  }
  AddMany(values, low, high);
}

void QuantileSketch::AddMany(std::span<const double> values, double low, double high) {
  if (values.empty()) return;
  AddRange(low, high, values.size());
  AddValues(values);
}

void QuantileSketch::AddIntegers(std::span<const int64_t> values, int64_t low, int64_t high) {
  if (values.empty()) return;
  AddRange(static_cast<double>(low), static_cast<double>(high), values.size());
  AddValues(values);
}

void QuantileSketch::AddRun(double value, size_t count) {
  while (count > 0) {
    uint64_t block = uint64_t{1} << base_;
    uint64_t take = std::min<uint64_t>(block - block_seen_, count);
    if (chosen_ >= block_seen_ && chosen_ < block_seen_ + take) candidate_ = value;
    block_seen_ += take;
    count -= take;
    if (block_seen_ == block) {
      block_seen_ = 0;
      chosen_ = Random() & (block - 1);
      AppendBottom(candidate_);
    }
  }
}

void QuantileSketch::AddWeighted(double value, int64_t weight) {
  if (weight <= 0) return;
  if (count_ == 0) min_ = max_ = value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  count_ += weight;
  auto rest = static_cast<uint64_t>(weight);
  // A weight of a few blocks costs a few appends at most: as many values through the sampler.
  if ((rest >> base_) <= 32) {
    AddRun(value, rest);
    return;
  }
  // Whole multiples of 2^base_ go straight to the levels of their binary digits; the remainder
  // goes through the sampler.
  uint64_t low = rest & ((uint64_t{1} << base_) - 1);
  uint64_t high = rest >> base_;
  for (size_t bit = 0; high != 0; ++bit, high >>= 1) {
    if ((high & 1) == 0) continue;
    size_t level = base_ + bit;
    if (level >= levels_.size()) levels_.resize(level + 1);
    std::vector<double>& items = levels_[level];
    auto at = level == base_ ? items.end() : std::upper_bound(items.begin(), items.end(), value);
    items.insert(at, value);
  }
  UpdateCapacity();
  while (levels_.size() - base_ > kMaxLevels) RaiseBase();
  if (retained_ >= capacity_) Compress();
  AddRun(value, low);
}

void QuantileSketch::AppendBottom(double value) {
  levels_[base_].push_back(value);
  if (++retained_ >= capacity_) Compress();
}

void QuantileSketch::Compress() {
  while (retained_ >= capacity_) {
    size_t top = levels_.size() - 1;
    size_t level = base_;
    while (level < top && levels_[level].size() < widths_[level]) ++level;
    size_t before = levels_.size();
    Compact(level);
    if (levels_.size() != before) {
      if (levels_.size() - base_ > kMaxLevels) RaiseBase();
      UpdateCapacity();
    }
  }
}

void QuantileSketch::Compact(size_t level) {
  if (level + 1 == levels_.size()) levels_.emplace_back();
  std::vector<double>& items = levels_[level];
  // Sorted columns (times, ids) reach the base level in order: checking costs a pass,
  // sorting them again several.
  if (level == base_ && !std::is_sorted(items.begin(), items.end())) {
    std::sort(items.begin(), items.end());
  }
  // An odd value out stays behind; of each remaining pair, one random side goes up.
  size_t odd = items.size() % 2;
  size_t offset = odd + (Random() & 1);
  up_.clear();
  for (size_t i = offset; i < items.size(); i += 2) up_.push_back(items[i]);
  retained_ -= items.size() - odd - up_.size();
  items.resize(odd);
  std::vector<double>& next = levels_[level + 1];
  merged_.resize(next.size() + up_.size());
  std::merge(next.begin(), next.end(), up_.begin(), up_.end(), merged_.begin());
  next.swap(merged_);
}

void QuantileSketch::RaiseBase() {
  Flush();
  PromoteLevel(levels_, base_);
  ++base_;
  chosen_ = Random() & ((uint64_t{1} << base_) - 1);
  UpdateCapacity();
}

void QuantileSketch::PromoteLevel(std::vector<std::vector<double>>& levels, size_t level) {
  if (level + 1 == levels.size()) levels.emplace_back();
  std::vector<double>& items = levels[level];
  std::sort(items.begin(), items.end());
  // A lone value goes up with probability 1/2, at twice its weight: unbiased.
  if (items.size() % 2 == 1) {
    size_t lone = Random() % items.size();
    double value = items[lone];
    items.erase(items.begin() + static_cast<ptrdiff_t>(lone));
    if (Random() & 1) MergeSorted(levels[level + 1], {value});
  }
  std::vector<double> up;
  up.reserve(items.size() / 2);
  for (size_t i = Random() & 1; i < items.size(); i += 2) up.push_back(items[i]);
  items.clear();
  MergeSorted(levels[level + 1], up);
}

void QuantileSketch::Flush() {
  if (block_seen_ == 0) return;
  // The chosen value was seen with probability block_seen_ / 2^base_: kept at full weight,
  // it stands for the partial block without bias.
  if (chosen_ < block_seen_) levels_[base_].push_back(candidate_);
  block_seen_ = 0;
  chosen_ = Random() & ((uint64_t{1} << base_) - 1);
  UpdateCapacity();
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  SLUICE_CHECK(other.k_ == k_);
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  }
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  Flush();
  std::vector<std::vector<double>> incoming = other.levels_;
  if (other.block_seen_ > 0 && other.chosen_ < other.block_seen_) {
    incoming[other.base_].push_back(other.candidate_);
  }
  std::sort(incoming[other.base_].begin(), incoming[other.base_].end());
  while (base_ < other.base_) RaiseBase();
  // Bring the other's levels below ours up, the way RaiseBase does.
  for (size_t h = other.base_; h < base_ && h < incoming.size(); ++h) PromoteLevel(incoming, h);
  if (incoming.size() > levels_.size()) levels_.resize(incoming.size());
  for (size_t h = base_; h < incoming.size(); ++h) {
    if (h == base_) {
      levels_[h].insert(levels_[h].end(), incoming[h].begin(), incoming[h].end());
    } else {
      MergeSorted(levels_[h], incoming[h]);
    }
  }
  count_ += other.count_;
  UpdateCapacity();
  while (levels_.size() - base_ > kMaxLevels) RaiseBase();
  if (retained_ >= capacity_) Compress();
}

std::vector<std::pair<double, int64_t>> QuantileSketch::WeightedValues() const {
  std::vector<std::pair<double, int64_t>> weighted;
  for (size_t h = base_; h < levels_.size(); ++h) {
    for (double value : levels_[h]) weighted.emplace_back(value, int64_t{1} << h);
  }
  if (block_seen_ > 0 && chosen_ < block_seen_) {
    weighted.emplace_back(candidate_, int64_t{1} << base_);
  }
  std::sort(weighted.begin(), weighted.end());
  return weighted;
}

std::vector<double> QuantileSketch::Quantiles(std::span<const double> ranks) const {
  auto weighted = WeightedValues();
  int64_t total = 0;
  for (const auto& item : weighted) total += item.second;
  std::vector<double> out;
  for (double rank : ranks) {
    if (rank <= 0 || weighted.empty()) {
      out.push_back(min_);
      continue;
    }
    if (rank >= 1) {
      out.push_back(max_);
      continue;
    }
    double target = rank * static_cast<double>(total);
    int64_t seen = 0;
    double value = max_;
    for (const auto& item : weighted) {
      seen += item.second;
      if (static_cast<double>(seen) >= target) {
        value = item.first;
        break;
      }
    }
    out.push_back(std::clamp(value, min_, max_));
  }
  return out;
}

std::vector<double> QuantileSketch::Ranks(std::span<const double> values) const {
  auto weighted = WeightedValues();
  std::vector<int64_t> cumulative;  // weight of the first i values
  cumulative.reserve(weighted.size() + 1);
  cumulative.push_back(0);
  for (const auto& item : weighted) cumulative.push_back(cumulative.back() + item.second);
  std::vector<double> out;
  for (double value : values) {
    if (weighted.empty() || value <= min_) {
      out.push_back(0);
      continue;
    }
    if (value > max_) {
      out.push_back(1);
      continue;
    }
    auto below = std::lower_bound(weighted.begin(), weighted.end(), std::pair{value, int64_t{0}},
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
    out.push_back(static_cast<double>(cumulative[below - weighted.begin()]) /
                  static_cast<double>(cumulative.back()));
  }
  return out;
}

double QuantileSketch::RankError() const {
  auto k = static_cast<double>(k_);
  return 1.8 / k + 0.13 / std::sqrt(k);
}

}  // namespace sluice::catalog
