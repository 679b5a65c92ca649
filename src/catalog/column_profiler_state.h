#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/// Returns a bit per value j in [first, first + count), count <= 64, set when `equal(j)` (value
/// j equals value j - 1) is false.
template <typename Equal>
uint64_t UnequalBits(size_t first, size_t count, Equal&& equal) {
  uint64_t bits = 0;
  for (size_t j = 0; j < count; ++j) bits |= static_cast<uint64_t>(!equal(first + j)) << j;
  return bits;
}

/// Is UnequalBits for integers: two neighbours compared at once where SSE2 is there.
inline uint64_t UnequalIntegerBits(const int64_t* values, size_t first, size_t count) {
#if defined(__SSE2__)
  if (count == 64) {
    const int64_t* at = values + first;
    uint64_t same = 0;
    for (size_t j = 0; j < 64; j += 2) {
      __m128i now = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + j));
      __m128i before = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + j - 1));
      // Equal 64-bit lanes are those whose two 32-bit halves are equal.
      __m128i halves = _mm_cmpeq_epi32(now, before);
      __m128i lanes = _mm_and_si128(halves, _mm_shuffle_epi32(halves, _MM_SHUFFLE(2, 3, 0, 1)));
      same |= static_cast<uint64_t>(_mm_movemask_pd(_mm_castsi128_pd(lanes))) << j;
    }
    return ~same;
  }
#endif
  return UnequalBits(first, count, [&](size_t j) { return values[j] == values[j - 1]; });
}

/// Finds the runs of equal neighbours among `count` values into `starts` (`unequal(first, n)`
/// returns UnequalBits of values [first, first + n)): run r covers [starts[r], starts[r + 1]).
/// Returns the number of runs, or 0, having found nothing, when the first values show runs
/// averaging under kMinRun values: then handling runs would not pay. Sorted and clustered
/// columns (times, ids) have long runs; their values are then hashed, counted and sketched once
/// per run. `starts` only grows, so that it is not filled again for every vector.
template <typename Unequal>
size_t FindRuns(size_t count, Unequal&& unequal, std::vector<uint32_t>& starts) {
  constexpr size_t kMinRun = 4;
  constexpr size_t kProbe = 129;  // the first value and two words of neighbours
  if (count < kProbe) return 0;
  uint64_t first_bits = unequal(1, 64);
  uint64_t second_bits = unequal(65, 64);
  auto boundaries = static_cast<size_t>(1 + std::popcount(first_bits) + std::popcount(second_bits));
  if (boundaries * kMinRun > kProbe) return 0;
  if (starts.size() < count + 1) starts.resize(count + 1);
  uint32_t* out = starts.data();
  out[0] = 0;
  size_t run = 0;
  // A word of neighbours at a time: only the run starts, a quarter of the values at most on
  // average, are written.
  for (size_t block = 1; block < count; block += 64) {
    size_t size = std::min<size_t>(64, count - block);
    uint64_t bits = block == 1 ? first_bits : block == 65 ? second_bits : unequal(block, size);
    while (bits != 0) {
      out[++run] = static_cast<uint32_t>(block + std::countr_zero(bits));
      bits &= bits - 1;
    }
  }
  out[run + 1] = static_cast<uint32_t>(count);
  return run + 1;
}

/// Holds values for a HeavyHitters summary and adds them a batch at a time, in the order they
/// came: the summary is the one adding them one by one gives, but its counters and index are
/// brought into the L1 cache once a batch instead of once a vector (between two vectors of a
/// column, the reader and the other columns pass through the cache). A sampled value costs
/// about half as much so.
class HeavyBatch {
 public:
  HeavyBatch() : items_(new Item[kItems]), bytes_(new char[kBytes]) {}

  /// Adds `weight` of `value` with `hash` to `heavy`, now or at the next Flush().
  void Add(uint64_t hash, std::string_view value, int64_t weight, HeavyHitters& heavy) {
    if (count_ == kItems || used_ + value.size() > kBytes) Flush(heavy);
    if (value.size() > kBytes) {
      heavy.Add(hash, value, weight);  // the rest was added first: the order stays
      return;
    }
    char* to = bytes_.get() + used_;
    if (value.size() == sizeof(uint64_t)) {
      std::memcpy(to, value.data(), sizeof(uint64_t));  // a number's key: no call to memcpy
    } else {
      std::memcpy(to, value.data(), value.size());
    }
    items_[count_++] = {hash, weight, static_cast<uint32_t>(used_),
                        static_cast<uint32_t>(value.size())};
    used_ += value.size();
  }
  /// Adds what is held to `heavy` (a copy of the summary, for a profile) and keeps it.
  void AddTo(HeavyHitters& heavy) const {
    for (size_t i = 0; i < count_; ++i) {
      const Item& item = items_[i];
      heavy.Add(item.hash, {bytes_.get() + item.offset, item.size}, item.weight);
    }
  }
  /// Adds what is held to `heavy`, the summary it is for, and forgets it.
  void Flush(HeavyHitters& heavy) {
    AddTo(heavy);
    count_ = 0;
    used_ = 0;
  }

 private:
  static constexpr size_t kItems = 1024;
  static constexpr size_t kBytes = 64 * 1024;

  struct Item {
    uint64_t hash;
    int64_t weight;
    uint32_t offset;  // in bytes_
    uint32_t size;
  };
  std::unique_ptr<Item[]> items_;
  std::unique_ptr<char[]> bytes_;
  size_t count_ = 0;
  size_t used_ = 0;
};

/// Is the sketches that take over from the exact table.
struct Sketches {
  Sketches(const ProfileOptions& options, uint64_t seed)
      : distinct(kDistinctPrecision),
        signature(options.minhash_k),
        heavy(std::max<size_t>(128, 8 * options.top_k)),
        quantiles(kQuantileK, seed) {}

  /// Adds a sampled value to the heavy hitters (through `pending`).
  void AddHeavy(uint64_t hash, std::string_view value, int64_t weight) {
    pending.Add(hash, value, weight, heavy);
  }

  HyperLogLog distinct;
  MinHash signature;
  HeavyHitters heavy;  // with `pending` added
  HeavyBatch pending;
  QuantileSketch quantiles;
};

/// Returns the valid values among the first `count` of `data` (or those at `rows`) as `Out`:
/// `data` itself when it can, else a copy in `out`.
template <typename Native, typename Out>
std::span<const Out> Gather(const Native* data, const core::ValidityMask& validity, size_t count,
                            const uint32_t* rows, std::vector<Out>& out) {
  if constexpr (std::is_same_v<Native, Out>) {
    if (rows == nullptr && validity.all_valid()) return {data, count};
  }
  out.resize(count);
  size_t kept = 0;
  if (validity.all_valid()) {
    for (size_t i = 0; i < count; ++i) out[i] = static_cast<Out>(data[rows ? rows[i] : i]);
    kept = count;
  } else {
    for (size_t i = 0; i < count; ++i) {
      size_t row = rows ? rows[i] : i;
      out[kept] = static_cast<Out>(data[row]);
      kept += validity.IsValid(row);
    }
  }
  return {out.data(), kept};
}

/// Returns the 8 bytes of a number's key, as the heavy hitters keep them.
inline std::string_view KeyBytes(const uint64_t& key) {
  return {reinterpret_cast<const char*>(&key), sizeof key};
}

}  // namespace profiler

struct ColumnProfiler::State {
  State(std::string column_name, core::TypeId column_type, const ProfileOptions& profile_options);

  void AddIntegers(std::span<const int64_t> values);
  // Adds items [start, items) of `values` (values, or runs) to the sketches and moments.
  void SketchIntegers(std::span<const int64_t> values, size_t start, size_t items);
  void SketchDoubles(std::span<const double> values, size_t start, size_t items);
  void AddDoubles(std::span<const double> values);
  void AddStrings(std::span<const core::StringRef> values);
  // Completes new string entry `at` of the table with `text`'s hash, length and fit bits.
  void FillString(size_t at, std::string_view text);
  // Counts the valid values among the first `count` of `vector` (or those at `rows`) by their
  // dictionary `codes`; returns false, having counted nothing, when it cannot (see CountCodes).
  bool AddCoded(const core::Vector& vector, size_t count, const uint32_t* rows,
                const io::DictionaryCodes& codes);
  // Counts values by their entries in `dictionary` (value i is entry codes[i]): the counts are
  // held per entry and go to the table at the next FlushCodes, and an entry seen first is
  // counted through `add(entry, weight)`, which counts the entry's value `weight` times the
  // usual way and returns its table key. Returns false, having counted nothing, when the
  // column is no longer exact, the dictionary is larger than the table, or its new entries
  // could fill the table.
  using AddEntry = std::function<std::pair<uint64_t, uint64_t>(size_t entry, int64_t weight)>;
  bool CountCodes(std::span<const uint32_t> codes, const io::DictionaryCodes& dictionary,
                  const AddEntry& add);
  // Is what is held for one dictionary (below).
  struct CodeCounts;
  // Returns the counts held for `dictionary`, made (the least recently used dictionary's
  // counts going to the table) when it has none.
  CodeCounts& CodesOf(const io::DictionaryCodes& dictionary);
  // Finds the table slot of each of `fresh` (entries of `codes` just counted first), or of
  // every known entry when the table's layout changed.
  void FindCodeSlots(CodeCounts& codes, std::span<const uint32_t> fresh);
  // Adds the counts held for `codes` to the table.
  void FlushCodes(CodeCounts& codes);
  // Adds every count held per dictionary entry to the table.
  void FlushCodes();
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
  // Finds the runs of `count` values (see FindRuns); returns the number of items: runs, or
  // values when there are none.
  template <typename Unequal>
  size_t FindItems(size_t count, Unequal&& unequal) {
    run_count = profiler::FindRuns(count, unequal, starts);
    runs = run_count > 0;
    return runs ? run_count : count;
  }
  // Returns the first value of item i and how many values it stands for.
  size_t Position(size_t i) const { return runs ? starts[i] : i; }
  int64_t Weight(size_t i) const { return runs ? starts[i + 1] - starts[i] : 1; }
  // Calls `add(i, weight)` for the items [first, count) that go to the heavy hitters: values
  // one in profiler::kHeavySampling at random gaps, with that weight, for the item they are
  // in; but runs of at least profiler::kHeavySampling values once (first), with their weight.
  // Either way every value counts profiler::kHeavySampling times its chance to be sampled, and
  // the work is per sampled value (and per run, a comparison), not per value.
  template <typename Add>
  void SampleHeavy(size_t first, size_t count, Add&& add) {
    constexpr int64_t kRate = profiler::kHeavySampling;
    if (!runs) {
      size_t i = first + heavy_skip;
      for (; i < count; i += 1 + random.Next() % (2 * kRate - 1)) add(i, kRate);
      heavy_skip = i - count;
      return;
    }
    for (size_t run = first; run < count; ++run) {
      if (Weight(run) >= kRate) add(run, Weight(run));
    }
    size_t end = starts[count];
    size_t position = starts[first] + heavy_skip;
    size_t run = first;
    for (; position < end; position += 1 + random.Next() % (2 * kRate - 1)) {
      // The run holding `position`: the last to start at or before it, at most 2 kRate - 1
      // runs on, found without a branch (a loop over the runs would mispredict its end).
      for (size_t step = kRate; step > 0; step /= 2) {
        size_t next = run + step;
        run = next < count && starts[next] <= position ? next : run;
      }
      if (Weight(run) < kRate) add(run, kRate);
    }
    heavy_skip = position - end;
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
  // The runs of the vector being added, when `runs` (see FindRuns): starts[0, run_count].
  bool runs = false;
  size_t run_count = 0;
  std::vector<uint32_t> starts;
  // Counts held per entry of the dictionaries that vectors came from last (CountCodes): a few,
  // since threads hand batches of the row groups they decode to each other's profilers.
  static constexpr size_t kCodeDictionaries = 8;
  struct CodeCounts {
    uint64_t dictionary = 0;        // io::DictionaryCodes::dictionary
    uint64_t layout = 0;            // the table's layout() when `slots` were found
    int64_t held = 0;               // values counted in `counts` and not yet in the table
    std::vector<uint32_t> counts;   // per entry
    std::vector<uint32_t> unknown;  // per entry: ~0 until its key is known, then 0
    std::vector<int64_t> slots;     // per known entry: its table slot
    std::vector<std::pair<uint64_t, uint64_t>> keys;  // per known entry: its table key
  };
  std::vector<CodeCounts> coded;  // the most recently used last
  ReservoirSample<uint64_t> number_sample;
  ReservoirSample<std::string> text_sample;
  // Scratch space, kept to avoid allocations per vector.
  std::vector<int64_t> integers;
  std::vector<double> doubles;
  std::vector<int64_t> weights;
  std::vector<core::StringRef> refs;
  std::vector<uint32_t> codes;
  std::vector<uint32_t> fresh_codes;
  std::vector<uint64_t> hashes;
};

}  // namespace sluice::catalog
