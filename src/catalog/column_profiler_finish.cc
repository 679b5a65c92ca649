// ColumnProfiler::Finish: the profile from the exact table or from the sketches.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "catalog/column_profiler.h"
#include "catalog/column_profiler_state.h"
#include "io/csv/csv_field.h"

namespace sluice::catalog {

using namespace profiler;  // NOLINT: the profiler's internals

Moments ColumnProfiler::State::AllMoments() const {
  Moments all = moments;
  if (!exact || type == TypeId::kVarchar) return all;
  for (size_t i = 0; i < table.size(); ++i) {
    uint64_t key = table.entry(i).key;
    double value = KeyNumber(key);
    if (!std::isnan(value)) all.AddValue(value, static_cast<int64_t>(key), table.count(i));
  }
  return all;
}

StringStats ColumnProfiler::State::AllStrings() const {
  StringStats all = strings;
  if (!exact) return all;
  for (size_t i = 0; i < table.size(); ++i) {
    const ValueTable::Entry& entry = table.entry(i);
    all.Add(table.text(i), entry.length, entry.fits, table.count(i));
  }
  return all;
}

void ColumnProfiler::State::FinishExact(ColumnProfile& profile, const Moments& all) const {
  profile.distinct = static_cast<double>(table.size());
  auto value_less = [&](size_t a, size_t b) {
    if (type == TypeId::kVarchar) return table.text(a) < table.text(b);
    if (type != TypeId::kDouble) {
      return static_cast<int64_t>(table.entry(a).key) < static_cast<int64_t>(table.entry(b).key);
    }
    double x = KeyNumber(table.entry(a).key);
    double y = KeyNumber(table.entry(b).key);
    return std::isnan(x) || std::isnan(y) ? std::isnan(y) && !std::isnan(x) : x < y;
  };
  std::vector<size_t> order(table.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (table.count(a) != table.count(b)) return table.count(a) > table.count(b);
    return value_less(a, b);
  });
  for (size_t i = 0; i < order.size() && i < options.top_k; ++i) {
    size_t at = order[i];
    std::string text =
        type == TypeId::kVarchar ? std::string(table.text(at)) : KeyText(table.entry(at).key);
    profile.top_values.push_back({std::move(text), table.count(at)});
  }
  if (HasSignature(type)) {
    std::vector<uint64_t>& hashes_out = profile.signature.hashes;
    for (size_t i = 0; i < table.size(); ++i) hashes_out.push_back(table.entry(i).hash);
    std::sort(hashes_out.begin(), hashes_out.end());
    hashes_out.erase(std::unique(hashes_out.begin(), hashes_out.end()), hashes_out.end());
    if (hashes_out.size() > options.minhash_k) hashes_out.resize(options.minhash_k);
  }
  if (!HasQuantiles(type) || all.count == 0) return;
  std::vector<std::pair<double, int64_t>> sorted;
  for (size_t i = 0; i < table.size(); ++i) {
    double value = KeyNumber(table.entry(i).key);
    if (!std::isnan(value)) sorted.emplace_back(value, table.count(i));
  }
  std::sort(sorted.begin(), sorted.end());
  // The smallest value whose cumulative count reaches rank * count, as QuantileSketch does.
  for (double rank : kRanks) {
    double target = rank * static_cast<double>(all.count);
    int64_t seen = 0;
    double value = sorted.back().first;
    for (const auto& [candidate, count] : sorted) {
      seen += count;
      if (static_cast<double>(seen) >= target) {
        value = candidate;
        break;
      }
    }
    profile.quantiles.emplace_back(rank, value);
  }
  Histogram(profile, all, sorted, nullptr);
}

void ColumnProfiler::State::FinishSketched(ColumnProfile& profile, const Moments& all) const {
  profile.distinct = std::min(sketches->distinct.Estimate(), static_cast<double>(non_null));
  // Only counts above the error bound tell a frequent value from the rest.
  HeavyHitters heavy = sketches->heavy;
  sketches->pending.AddTo(heavy);
  for (const HeavyHitter& hitter : heavy.Top(options.top_k)) {
    if (hitter.count <= heavy.error_bound()) break;
    std::string text = hitter.value;
    if (type != TypeId::kVarchar) {
      uint64_t key;
      std::memcpy(&key, hitter.value.data(), sizeof key);
      text = KeyText(key);
    }
    profile.top_values.push_back({std::move(text), hitter.count});
  }
  if (HasSignature(type)) profile.signature = sketches->signature.Signature();
  const QuantileSketch& sketch = sketches->quantiles;
  if (!HasQuantiles(type) || sketch.count() == 0) return;
  std::vector<double> values = sketch.Quantiles(kRanks);
  for (size_t i = 0; i < values.size(); ++i) profile.quantiles.emplace_back(kRanks[i], values[i]);
  Histogram(profile, all, {}, &sketch);
}

void ColumnProfiler::State::Histogram(ColumnProfile& profile, const Moments& all,
                                      const std::vector<std::pair<double, int64_t>>& sorted,
                                      const QuantileSketch* sketch) const {
  size_t bins = options.histogram_bins;
  double low = all.low;
  double high = all.high;
  if (bins == 0 || all.count == 0 || !std::isfinite(low) || !std::isfinite(high)) return;
  if (low == high) {
    profile.histogram.push_back({low, high, all.count});
    return;
  }
  double width = (high - low) / static_cast<double>(bins);
  std::vector<double> edges(bins + 1);
  for (size_t i = 0; i < bins; ++i) edges[i] = low + width * static_cast<double>(i);
  edges[bins] = high;
  std::vector<int64_t> counts(bins, 0);
  if (sketch == nullptr) {
    for (const auto& [value, count] : sorted) {
      auto bin = static_cast<size_t>((value - low) / width);
      counts[std::min(bin, bins - 1)] += count;
    }
  } else {
    // The count below each inner edge, from the sketch's ranks, rounded so that they add up.
    std::vector<double> ranks = sketch->Ranks({edges.data() + 1, bins - 1});
    int64_t previous = 0;
    for (size_t i = 0; i < bins; ++i) {
      int64_t below =
          i + 1 < bins ? std::llround(ranks[i] * static_cast<double>(all.count)) : all.count;
      counts[i] = std::max<int64_t>(below - previous, 0);
      previous = std::max(previous, below);
    }
  }
  for (size_t i = 0; i < bins; ++i) {
    profile.histogram.push_back({edges[i], edges[i + 1], counts[i]});
  }
}

void ColumnProfiler::State::FinishStrings(ColumnProfile& profile, const StringStats& stats) const {
  if (stats.values == 0) return;
  profile.min = stats.min;
  profile.max = stats.max;
  profile.min_length = stats.min_length;
  profile.max_length = stats.max_length;
  profile.mean_length = static_cast<double>(stats.length_sum) / static_cast<double>(stats.values);
  // The narrowest type more than half of the values parse as.
  for (int bit = 0; bit < StringStats::kFitTypes; ++bit) {
    if (2 * stats.fits[bit] <= stats.values) continue;
    profile.inferred_type = io::csv::TypeFromMask(static_cast<uint8_t>(1 << bit));
    profile.type_failure_fraction =
        1 - static_cast<double>(stats.fits[bit]) / static_cast<double>(stats.values);
    return;
  }
}

ColumnProfile ColumnProfiler::Finish() {
  state_->FlushCodes();
  const State& s = *state_;
  ColumnProfile profile;
  profile.name = s.name;
  profile.type = s.type;
  profile.inferred_type = s.type;
  profile.rows = s.rows;
  profile.non_null = s.non_null;
  if (s.rows > 0) {
    profile.null_fraction = static_cast<double>(s.rows - s.non_null) / static_cast<double>(s.rows);
  }
  if (s.non_null == 0) return profile;
  Moments all = s.AllMoments();
  if (s.type == TypeId::kVarchar) {
    s.FinishStrings(profile, s.AllStrings());
  } else if (all.count > 0) {
    bool real = s.type == TypeId::kDouble;
    profile.min =
        s.KeyText(real ? std::bit_cast<uint64_t>(all.low) : static_cast<uint64_t>(all.int_low));
    profile.max =
        s.KeyText(real ? std::bit_cast<uint64_t>(all.high) : static_cast<uint64_t>(all.int_high));
    if (HasMoments(s.type)) {
      profile.mean = all.mean;
      if (all.count > 1) profile.stddev = std::sqrt(all.m2 / static_cast<double>(all.count - 1));
    }
  }
  if (s.exact) {
    s.FinishExact(profile, all);
  } else {
    s.FinishSketched(profile, all);
  }
  for (const auto& item : s.number_sample.items()) profile.sample.push_back(s.KeyText(item.second));
  for (const auto& item : s.text_sample.items()) profile.sample.push_back(item.second);
  return profile;
}

}  // namespace sluice::catalog
