#include "catalog/column_profiler.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "base/error.h"
#include "base/hash.h"
#include "catalog/column_profiler_state.h"

namespace sluice::catalog {
namespace {

using namespace profiler;  // NOLINT: the profiler's internals

std::atomic<uint64_t> next_seed{1};

// Is profiler::Gather over `vector`'s values.
template <typename Native, typename Out>
std::span<const Out> Gather(const core::Vector& vector, size_t count, const uint32_t* rows,
                            std::vector<Out>& out) {
  return profiler::Gather(vector.data<Native>(), vector.validity(), count, rows, out);
}

// Adds the NaN-free `values`, whose range is known to be [low, high] (exactly [integer_low,
// integer_high] for integers), to `moments`: Moments::AddValues without its pass for the range.
void AddRangedValues(Moments& moments, std::span<const double> values, double low, double high,
                     int64_t integer_low, int64_t integer_high) {
  double mean = Moments::Sum(values, 0, false) / static_cast<double>(values.size());
  double m2 = Moments::Sum(values, mean, true);
  moments.AddGroup(static_cast<int64_t>(values.size()), mean, m2, low, high, integer_low,
                   integer_high);
}

}  // namespace

ColumnProfiler::State::State(std::string column_name, TypeId column_type,
                             const ProfileOptions& profile_options)
    : name(std::move(column_name)),
      type(column_type),
      options(profile_options),
      random(HashInteger(next_seed.fetch_add(1))),
      table(column_type != TypeId::kVarchar && column_type != TypeId::kDouble),
      number_sample(profile_options.sample_size),
      text_sample(profile_options.sample_size) {}

void ColumnProfiler::State::AddIntegers(std::span<const int64_t> values) {
  size_t items = FindItems(values.size(), [&](size_t first, size_t count) {
    return UnequalIntegerBits(values.data(), first, count);
  });
  // Known values in a vector without runs, the common case, are counted in a tight loop.
  auto count_known = [&](size_t i) { return runs ? i : table.CountKnownIntegers(values, i); };
  size_t start = CountExactly(
      items, count_known,
      [&](size_t i) { return table.AddInteger(values[Position(i)], Weight(i)); },
      [&](size_t i, size_t at) { table.entry(at).hash = IntegerHash(values[Position(i)]); });
  if (start < items) SketchIntegers(values, start, items);
  number_sample.Offer(
      values.size(), [&](size_t j) { return static_cast<uint64_t>(values[j]); }, random);
}

void ColumnProfiler::State::SketchIntegers(std::span<const int64_t> values, size_t start,
                                           size_t items) {
  auto value = [&](size_t i) { return values[Position(i)]; };
  // Every value from the first item on, for the quantiles: their sampler looks at one value in
  // a block, so runs cost nothing there.
  std::span<const int64_t> rest = values.subspan(Position(start));
  // The range and the hashes in one pass; the type's hash is chosen once, not per value.
  int64_t low = value(start);
  int64_t high = low;
  hashes.resize(items - start);
  auto hash_all = [&](auto&& hash) {
    for (size_t i = start; i < items; ++i) {
      int64_t number = value(i);
      low = std::min(low, number);
      high = std::max(high, number);
      hashes[i - start] = hash(number);
    }
  };
  if (type == TypeId::kInteger || type == TypeId::kBigint) {
    hash_all([](int64_t number) { return IntegerTextHash(number); });
  } else {
    hash_all([](int64_t number) { return HashInteger(static_cast<uint64_t>(number)); });
  }
  if (HasMoments(type)) {
    // Runs count once, with their weight.
    doubles.resize(items - start);
    for (size_t i = start; i < items; ++i) doubles[i - start] = static_cast<double>(value(i));
    if (runs) {
      weights.resize(items - start);
      for (size_t i = start; i < items; ++i) weights[i - start] = Weight(i);
      moments.AddWeightedValues(doubles, weights, low, high);
    } else {
      AddRangedValues(moments, doubles, static_cast<double>(low), static_cast<double>(high), low,
                      high);
    }
  } else {
    // DATE and TIMESTAMP have no mean or deviation: the count and range only (the mean stays
    // put, and means nothing).
    moments.AddGroup(static_cast<int64_t>(rest.size()), moments.count == 0 ? 0 : moments.mean, 0,
                     static_cast<double>(low), static_cast<double>(high), low, high);
  }
  if (HasQuantiles(type)) sketches->quantiles.AddIntegers(rest, low, high);
  sketches->distinct.AddHashes(hashes);
  if (HasSignature(type)) sketches->signature.AddHashes(hashes);
  SampleHeavy(start, items, [&](size_t i, int64_t weight) {
    auto bits = static_cast<uint64_t>(value(i));
    sketches->AddHeavy(hashes[i - start], KeyBytes(bits), weight);
  });
}

void ColumnProfiler::State::AddDoubles(std::span<const double> values) {
  size_t items = FindItems(values.size(), [&](size_t first, size_t count) {
    return UnequalBits(first, count,
                       [&](size_t j) { return DoubleKey(values[j]) == DoubleKey(values[j - 1]); });
  });
  auto key = [&](size_t i) { return DoubleKey(values[Position(i)]); };
  size_t start = CountExactly(
      items, [](size_t i) { return i; }, [&](size_t i) { return table.Add(key(i), 0, Weight(i)); },
      [&](size_t i, size_t at) { table.entry(at).hash = HashInteger(key(i)); });
  if (start < items) SketchDoubles(values, start, items);
  number_sample.Offer(
      values.size(), [&](size_t j) { return DoubleKey(values[j]); }, random);
}

void ColumnProfiler::State::SketchDoubles(std::span<const double> values, size_t start,
                                          size_t items) {
  // One pass: every item's hash (NaN's too), and the numbers (NaN left out, without a branch)
  // with their weights when runs, and their range.
  hashes.resize(items - start);
  doubles.resize(items - start);
  if (runs) weights.resize(items - start);
  size_t kept = 0;
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (size_t i = start; i < items; ++i) {
    double value = values[Position(i)];
    hashes[i - start] = HashInteger(DoubleKey(value));
    doubles[kept] = value;
    if (runs) weights[kept] = Weight(i);
    kept += !std::isnan(value);
    low = value < low ? value : low;  // false for NaN
    high = value > high ? value : high;
  }
  doubles.resize(kept);
  if (runs) weights.resize(kept);
  if (kept > 0) {
    if (runs) {
      moments.AddWeightedValues(doubles, weights, 0, 0);
      for (size_t j = 0; j < kept; ++j) sketches->quantiles.AddWeighted(doubles[j], weights[j]);
    } else {
      AddRangedValues(moments, doubles, low, high, 0, 0);
      sketches->quantiles.AddMany(doubles, low, high);
    }
  }
  sketches->distinct.AddHashes(hashes);
  SampleHeavy(start, items, [&](size_t i, int64_t weight) {
    uint64_t bits = DoubleKey(values[Position(i)]);
    sketches->AddHeavy(hashes[i - start], KeyBytes(bits), weight);
  });
}

void ColumnProfiler::State::AddStrings(std::span<const core::StringRef> values) {
  size_t items = FindItems(values.size(), [&](size_t first, size_t count) {
    return UnequalBits(first, count, [&](size_t j) { return values[j] == values[j - 1]; });
  });
  auto count_known = [&](size_t i) { return runs ? i : table.CountKnownStrings(values, i); };
  size_t start = CountExactly(
      items, count_known,
      [&](size_t i) {
        auto [key, key2] = StringKey(values[Position(i)]);
        return table.Add(key, key2, Weight(i));
      },
      [&](size_t i, size_t at) { FillString(at, values[Position(i)].view()); });
  if (exact && table.text_full()) Spill();
  if (start < items) {
    hashes.resize(items);
    for (size_t i = start; i < items; ++i) hashes[i] = TextHash(values[Position(i)].view());
    std::span<const uint64_t> rest(hashes.data() + start, items - start);
    sketches->distinct.AddHashes(rest);
    sketches->signature.AddHashes(rest);
    AddStringStats(values, start, items);
    SampleHeavy(start, items, [&](size_t i, int64_t weight) {
      sketches->AddHeavy(hashes[i], values[Position(i)].view(), weight);
    });
  }
  text_sample.Offer(
      values.size(), [&](size_t j) { return std::string(values[j].view()); }, random);
}

void ColumnProfiler::State::FillString(size_t at, std::string_view text) {
  ValueTable::Entry& entry = table.entry(at);
  entry.hash = TextHash(text);
  entry.length = static_cast<uint32_t>(CodePoints(text));
  entry.fits = TypeFits(text);
  table.SetText(at, text);
}

void ColumnProfiler::State::AddStringStats(std::span<const core::StringRef> values, size_t start,
                                           size_t items) {
  // The range is found with StringRef comparisons, mostly of prefixes, and copied once; while
  // both ends are short strings, short strings compare as numbers (ShortStringOrder).
  const core::StringRef* low = &values[Position(start)];
  const core::StringRef* high = low;
  bool short_ends = low->is_inlined();
  unsigned __int128 low_order = short_ends ? ShortStringOrder(*low) : 0;
  unsigned __int128 high_order = low_order;
  int64_t count = 0;
  int64_t lengths = 0;
  int64_t shortest = std::numeric_limits<int64_t>::max();
  int64_t longest = 0;
  int64_t fit_counts[StringStats::kFitTypes] = {};
  for (size_t i = start; i < items; ++i) {
    const core::StringRef& ref = values[Position(i)];
    int64_t weight = Weight(i);
    int64_t length = CodePoints(ref);
    count += weight;
    lengths += length * weight;
    shortest = std::min(shortest, length);
    longest = std::max(longest, length);
    if (short_ends && ref.is_inlined()) {
      unsigned __int128 order = ShortStringOrder(ref);
      if (order < low_order) {
        low = &ref;
        low_order = order;
      }
      if (order > high_order) {
        high = &ref;
        high_order = order;
      }
    } else {
      if (CompareStrings(ref, *low) < 0) low = &ref;
      if (CompareStrings(ref, *high) > 0) high = &ref;
      short_ends = low->is_inlined() && high->is_inlined();
      if (short_ends) {
        low_order = ShortStringOrder(*low);
        high_order = ShortStringOrder(*high);
      }
    }
    uint8_t fit_bits = TypeFits(ref.view());
    if (fit_bits == 0) continue;
    for (int bit = 0; bit < StringStats::kFitTypes; ++bit) {
      fit_counts[bit] += ((fit_bits >> bit) & 1) * weight;
    }
  }
  strings.Add(low->view(), high->view(), count, lengths, shortest, longest, fit_counts);
}

void ColumnProfiler::State::Spill() {
  sketches = std::make_unique<Sketches>(options, random.Next());
  for (size_t i = 0; i < table.size(); ++i) Fold(table, i);
  table.Clear();
  exact = false;
}

void ColumnProfiler::State::Fold(const ValueTable& from, size_t index) {
  const ValueTable::Entry& entry = from.entry(index);
  int64_t count = from.count(index);
  sketches->distinct.AddHash(entry.hash);
  if (HasSignature(type)) sketches->signature.AddHash(entry.hash);
  if (type == TypeId::kVarchar) {
    std::string_view text = from.text(index);
    sketches->heavy.Add(entry.hash, text, count);
    strings.Add(text, entry.length, entry.fits, count);
    return;
  }
  sketches->heavy.Add(entry.hash, KeyBytes(entry.key), count);
  double value = KeyNumber(entry.key);
  if (std::isnan(value)) return;
  moments.AddValue(value, static_cast<int64_t>(entry.key), count);
  if (HasQuantiles(type)) sketches->quantiles.AddWeighted(value, count);
}

void ColumnProfiler::State::Merge(State&& other) {
  FlushCodes();
  other.FlushCodes();
  // Held samples first, so that each summary sees its values in their order.
  if (sketches) sketches->pending.Flush(sketches->heavy);
  if (other.sketches) other.sketches->pending.Flush(other.sketches->heavy);
  rows += other.rows;
  non_null += other.non_null;
  number_sample.Merge(std::move(other.number_sample), random);
  text_sample.Merge(std::move(other.text_sample), random);
  moments.Merge(other.moments);
  strings.Merge(other.strings);
  if (!other.exact) {
    if (exact) Spill();
    sketches->distinct.Merge(other.sketches->distinct);
    sketches->signature.Merge(other.sketches->signature);
    sketches->heavy.Merge(other.sketches->heavy);
    sketches->quantiles.Merge(other.sketches->quantiles);
    return;
  }
  for (size_t i = 0; i < other.table.size(); ++i) {
    if (!exact) {
      Fold(other.table, i);
      continue;
    }
    const ValueTable::Entry& entry = other.table.entry(i);
    int64_t at = table.Add(entry.key, entry.key2, other.table.count(i));
    if (at == -2) {
      Spill();
      Fold(other.table, i);
    } else if (at >= 0) {
      ValueTable::Entry& copy = table.entry(at);
      copy.hash = entry.hash;
      copy.length = entry.length;
      copy.fits = entry.fits;
      if (type == TypeId::kVarchar) table.SetText(at, other.table.text(i));
    }
  }
  if (exact && table.text_full()) Spill();
}

ColumnProfiler::ColumnProfiler(std::string name, TypeId type, const ProfileOptions& options)
    : state_(std::make_unique<State>(std::move(name), type, options)) {}
ColumnProfiler::~ColumnProfiler() = default;
ColumnProfiler::ColumnProfiler(ColumnProfiler&&) noexcept = default;
ColumnProfiler& ColumnProfiler::operator=(ColumnProfiler&&) noexcept = default;

const std::string& ColumnProfiler::name() const { return state_->name; }
TypeId ColumnProfiler::type() const { return state_->type; }

void ColumnProfiler::Add(const core::Vector& vector, size_t count,
                         const io::DictionaryCodes* codes) {
  AddRows(vector, count, nullptr, codes);
}

void ColumnProfiler::Add(const core::Vector& vector, std::span<const uint32_t> rows,
                         const io::DictionaryCodes* codes) {
  AddRows(vector, rows.size(), rows.data(), codes);
}

void ColumnProfiler::AddRows(const core::Vector& vector, size_t count, const uint32_t* rows,
                             const io::DictionaryCodes* codes) {
  SLUICE_DCHECK(vector.type() == state_->type);
  State& s = *state_;
  s.rows += static_cast<int64_t>(count);
  if (codes != nullptr && s.AddCoded(vector, count, rows, *codes)) return;
  s.FlushCodes();
  if (codes != nullptr && codes->values_left_out) {
    // Rare: new values would have filled the exact table. They are read after all.
    core::Vector filled(vector.type(), vector.size());
    filled.CopyFrom(vector, 0, 0, vector.size());
    filled.set_size(vector.size());
    io::FillFromCodes(*codes, vector.size(), filled);
    s.rows -= static_cast<int64_t>(count);  // counted again below
    return AddRows(filled, count, rows, nullptr);
  }
  std::span<const int64_t> integers;
  switch (s.type) {
    case TypeId::kBoolean:
      integers = Gather<uint8_t>(vector, count, rows, s.integers);
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      integers = Gather<int32_t>(vector, count, rows, s.integers);
      break;
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      integers = Gather<int64_t>(vector, count, rows, s.integers);
      break;
    case TypeId::kDouble: {
      std::vector<double> scratch;
      scratch.swap(s.doubles);  // AddDoubles writes s.doubles
      std::span<const double> values = Gather<double>(vector, count, rows, scratch);
      s.non_null += static_cast<int64_t>(values.size());
      s.AddDoubles(values);
      if (s.doubles.capacity() < scratch.capacity()) s.doubles.swap(scratch);
      return;
    }
    case TypeId::kVarchar: {
      std::span<const core::StringRef> values =
          Gather<core::StringRef>(vector, count, rows, s.refs);
      s.non_null += static_cast<int64_t>(values.size());
      s.AddStrings(values);
      return;
    }
  }
  s.non_null += static_cast<int64_t>(integers.size());
  s.AddIntegers(integers);
}

bool ColumnProfiler::CountsByCodes(const io::DictionaryCodes& codes) const {
  return state_->exact && codes.dictionary != 0 && codes.entries->size() <= ValueTable::kLimit;
}

void ColumnProfiler::Merge(ColumnProfiler&& other) {
  SLUICE_DCHECK(other.state_->type == state_->type);
  state_->Merge(std::move(*other.state_));
}

}  // namespace sluice::catalog
