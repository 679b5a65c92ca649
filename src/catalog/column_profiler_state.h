#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "catalog/column_profiler.h"
#include "catalog/column_stats.h"
#include "catalog/heavy_hitters.h"
#include "catalog/hyperloglog.h"
#include "catalog/minhash.h"
#include "catalog/profile_values.h"
#include "catalog/quantile_sketch.h"
#include "catalog/reservoir_sample.h"
#include "catalog/value_table.h"

// The state behind ColumnProfiler, shared by column_profiler.cc (adding and merging) and
// column_profiler_finish.cc (the profile). Internal to the profiler.

namespace sluice::catalog {
namespace profiler {

using core::TypeId;

inline constexpr int kDistinctPrecision = 14;
inline constexpr uint32_t kQuantileK = 300;
inline constexpr double kRanks[] = {0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1};
/// Past the exact table, one value in kHeavySampling (at random) goes to the heavy hitters, with
/// that weight: their counts become estimates (off by about sqrt(kHeavySampling count)), and the
/// heavy hitters' work per value, tens of nanoseconds for a new value, becomes small.
inline constexpr int64_t kHeavySampling = 32;

/// Returns true for the types whose mean and standard deviation are profiled.
inline bool HasMoments(TypeId type) {
  return type == TypeId::kInteger || type == TypeId::kBigint || type == TypeId::kDouble;
}
/// Returns true for the types whose quantiles and histogram are profiled.
inline bool HasQuantiles(TypeId type) {
  return HasMoments(type) || type == TypeId::kDate || type == TypeId::kTimestamp;
}
/// Returns true for the types whose MinHash signature is profiled.
inline bool HasSignature(TypeId type) {
  return type == TypeId::kVarchar || type == TypeId::kInteger || type == TypeId::kBigint;
}

/// Finds the runs of equal neighbours among `count` values (`equal(j)`: value j equals value
/// j - 1) into `starts`: run r covers [starts[r], starts[r + 1]). Returns false, and finds
/// nothing, when the first values show runs averaging under kMinRun values: then handling runs
/// would not pay. Sorted and clustered columns (times, ids) have long runs; their values are
/// then hashed, counted and sketched once per run.
template <typename Equal>
bool FindRuns(size_t count, Equal&& equal, std::vector<uint32_t>& starts) {
  constexpr size_t kMinRun = 4;
  constexpr size_t kProbe = 128;
  if (count < kProbe) return false;
  size_t boundaries = 1;
  for (size_t j = 1; j < kProbe; ++j) boundaries += !equal(j);
  if (boundaries * kMinRun > kProbe) return false;
  starts.resize(count + 1);
  starts[0] = 0;
  size_t run = 0;
  for (size_t j = 1; j < count; ++j) {
    // Branch-free: the write stays only when j starts a run.
    starts[run + 1] = static_cast<uint32_t>(j);
    run += !equal(j);
  }
  starts[run + 1] = static_cast<uint32_t>(count);
  starts.resize(run + 2);
  return true;
}

/// Is the sketches that take over from the exact table.
struct Sketches {
  Sketches(const ProfileOptions& options, uint64_t seed)
      : distinct(kDistinctPrecision),
        signature(options.minhash_k),
        heavy(std::max<size_t>(128, 8 * options.top_k)),
        quantiles(kQuantileK, seed) {}

  HyperLogLog distinct;
  MinHash signature;
  HeavyHitters heavy;
  QuantileSketch quantiles;
};

/// Returns the 8 bytes of a number's key, as the heavy hitters keep them.
inline std::string_view KeyBytes(const uint64_t& key) {
  return {reinterpret_cast<const char*>(&key), sizeof key};
}

}  // namespace profiler

struct ColumnProfiler::State {
  State(std::string column_name, core::TypeId column_type, const ProfileOptions& profile_options);

  void AddIntegers(std::span<const int64_t> values);
  void AddDoubles(std::span<const double> values);
  void AddStrings(std::span<const core::StringRef> values);
  // Adds `doubles` (one per value, or per run with `weights` when `runs`), whose exact range
  // for integers is [low, high], to the moments and quantiles.
  void AddNumbers(size_t start, size_t items, int64_t low, int64_t high);
  // Adds items [start, items) to `strings`.
  void AddStringStats(std::span<const core::StringRef> values, size_t start, size_t items);
  // Counts items [0, count) (values, or runs of one value) in the exact table until it fills;
  // returns where the sketches take over (count when they need not). `fill(i, entry)`
  // completes a new entry.
  // `known(i)` counts the items from i on that are known, as far as it can cheaply, and
  // returns where it stopped.
  template <typename Known, typename Add, typename Fill>
  size_t CountExactly(size_t count, Known&& known, Add&& add, Fill&& fill) {
    size_t i = 0;
    while (exact && i < count) {
      i = known(i);
      if (i == count) break;
      int64_t at = add(i);
      if (at == -2) {
        Spill();
        return i;
      }
      if (at >= 0) fill(i, static_cast<size_t>(at));
      ++i;
    }
    return exact ? count : 0;
  }
  // Returns the first value of item i and how many values it stands for.
  size_t Position(size_t i) const { return runs ? starts[i] : i; }
  int64_t Weight(size_t i) const { return runs ? starts[i + 1] - starts[i] : 1; }
  // Calls `add(i, weight)` for the items [first, count) that go to the heavy hitters: single
  // values one in profiler::kHeavySampling at random gaps, with that weight; runs of n values with
  // probability n / profiler::kHeavySampling and weight profiler::kHeavySampling, or always and
  // weight n when longer. Either way every value counts profiler::kHeavySampling times its chance
  // to be sampled.
  template <typename Add>
  void SampleHeavy(size_t first, size_t count, Add&& add) {
    if (runs) {
      for (size_t i = first; i < count; ++i) {
        int64_t weight = Weight(i);
        if (weight >= profiler::kHeavySampling) {
          add(i, weight);
        } else if (static_cast<int64_t>(random.Next() % profiler::kHeavySampling) < weight) {
          add(i, profiler::kHeavySampling);
        }
      }
      return;
    }
    size_t i = first + heavy_skip;
    for (; i < count; i += 1 + random.Next() % (2 * profiler::kHeavySampling - 1))
      add(i, profiler::kHeavySampling);
    heavy_skip = i - count;
  }
  uint64_t IntegerHash(int64_t value) const {
    bool text = type == core::TypeId::kInteger || type == core::TypeId::kBigint;
    return text ? IntegerTextHash(value) : HashInteger(static_cast<uint64_t>(value));
  }
  double KeyNumber(uint64_t key) const {
    return type == core::TypeId::kDouble ? KeyToDouble(key)
                                         : static_cast<double>(static_cast<int64_t>(key));
  }
  std::string KeyText(uint64_t key) const { return NumberText(type, key); }
  void Spill();
  void Fold(const ValueTable& from, size_t index);
  void Merge(State&& other);
  Moments AllMoments() const;
  StringStats AllStrings() const;
  void FinishExact(ColumnProfile& profile, const Moments& all) const;
  void FinishSketched(ColumnProfile& profile, const Moments& all) const;
  void FinishStrings(ColumnProfile& profile, const StringStats& stats) const;
  void Histogram(ColumnProfile& profile, const Moments& all,
                 const std::vector<std::pair<double, int64_t>>& sorted,
                 const QuantileSketch* sketch) const;

  std::string name;
  core::TypeId type;
  ProfileOptions options;
  SplitMix random;
  int64_t rows = 0;
  int64_t non_null = 0;
  // Exact while `exact`: the table holds every distinct value. After, the sketches, the
  // moments and the string stats hold what the table held and what came later.
  bool exact = true;
  ValueTable table;
  std::unique_ptr<profiler::Sketches> sketches;
  Moments moments;
  StringStats strings;
  size_t heavy_skip = 0;  // values before the next one for the heavy hitters
  // The runs of the vector being added, when `runs` (see FindRuns).
  bool runs = false;
  std::vector<uint32_t> starts;
  ReservoirSample<uint64_t> number_sample;
  ReservoirSample<std::string> text_sample;
  // Scratch space, kept to avoid allocations per vector.
  std::vector<int64_t> integers;
  std::vector<double> doubles;
  std::vector<int64_t> weights;
  std::vector<core::StringRef> refs;
  std::vector<uint64_t> hashes;
};

}  // namespace sluice::catalog
